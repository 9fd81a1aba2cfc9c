#include "jwtbatch/status.hpp"

#include <array>

namespace jwtbatch {
namespace {

struct status_info {
  status value;
  std::string_view name;
  status_class cls;
};

constexpr std::array<status_info, status_count> k_statuses = {{
#define JWTBATCH_STATUS_INFO(name, cls) {status::name, #name, status_class::cls},
    JWTBATCH_STATUS_LIST(JWTBATCH_STATUS_INFO)
#undef JWTBATCH_STATUS_INFO
}};

constexpr std::array<status, status_count> k_values = [] {
  std::array<status, status_count> out{};
  for (std::size_t i = 0; i < status_count; ++i) out[i] = k_statuses[i].value;
  return out;
}();

constexpr bool table_is_dense() {
  for (std::size_t i = 0; i < status_count; ++i) {
    if (static_cast<std::size_t>(k_statuses[i].value) != i) return false;
  }
  return true;
}
static_assert(table_is_dense(), "status table must be indexed by value");

constexpr std::array<std::string_view, 6> k_class_names = {"ok",  "format",    "header",
                                                           "key", "signature", "claims"};

}  // namespace

std::string_view status_name(status s) noexcept {
  const auto i = static_cast<std::size_t>(s);
  return i < status_count ? k_statuses[i].name : std::string_view("unknown");
}

status_class class_of(status s) noexcept {
  const auto i = static_cast<std::size_t>(s);
  return i < status_count ? k_statuses[i].cls : status_class::format;
}

std::string_view class_name(status_class c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  return i < k_class_names.size() ? k_class_names[i] : std::string_view("unknown");
}

std::optional<status> status_from_name(std::string_view name) noexcept {
  for (const auto& info : k_statuses) {
    if (info.name == name) return info.value;
  }
  return std::nullopt;
}

std::span<const status> all_statuses() noexcept {
  return k_values;
}

}  // namespace jwtbatch
