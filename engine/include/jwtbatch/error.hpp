// jwtbatch/error.hpp: the one exception of the library's configuration calls.
#pragma once

#include <stdexcept>

namespace jwtbatch {

// Thrown for configuration errors only (bad key file, bad policy, bad flag); never per
// token: the verify calls are noexcept and report every token's failure as a status.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace jwtbatch
