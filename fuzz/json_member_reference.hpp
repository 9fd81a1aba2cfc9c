// json_member_reference.hpp: the reference that find_member (engine/cli/json_member.hpp)
// is checked against, by json_member_test and json_member_fuzzer: the same lookup on
// simdjson's DOM, which keeps duplicate names in order, so each name is counted at its
// level.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "json_member.hpp"

namespace jwtbatch::cli::reference {

// `Name` is std::string or std::string_view.
template <typename Name>
member_lookup dom_lookup(simdjson::dom::object obj, const std::vector<Name>& path,
                         std::string& value) {
  value.clear();
  for (std::size_t level = 0; level < path.size(); ++level) {
    std::size_t count = 0;
    simdjson::dom::element found;
    for (const auto field : obj) {
      if (field.key == std::string_view(path[level]) && ++count == 1) found = field.value;
    }
    if (count > 1) return member_lookup::duplicate;
    if (count == 0) return member_lookup::missing;
    if (level + 1 == path.size()) {
      std::string_view s;
      if (found.get(s) != simdjson::SUCCESS) return member_lookup::not_string;
      value = s;
      return member_lookup::found;
    }
    if (found.get(obj) != simdjson::SUCCESS) return member_lookup::missing;
  }
  return member_lookup::missing;
}

}  // namespace jwtbatch::cli::reference
