// crypto_self_check.hpp: is the BoringSSL that libjwtbatch.so calls its own?
//
// BoringSSL is linked into libjwtbatch.so statically, every symbol hidden
// (cmake/BoringSSL.cmake), so a host's OpenSSL 3 and jwtbatch's BoringSSL share a
// process without either seeing the other: calls inside the library go straight to its
// own copy and nothing is left for the dynamic loader to bind. This check catches a
// build that regressed to exported (interposable) crypto symbols in the one way that
// matters at run time: a BoringSSL entry point jwtbatch uses resolves to another object.
// The tests boringssl_inside and c_api_exports catch the same regression at build time.
#pragma once

#include <string>

namespace jwtbatch::detail {

struct crypto_binding_report {
  bool ok = true;
  std::string message;  // when !ok: which function resolved where
};

// crypto_binding_check asks the loader (dladdr) which object holds each BoringSSL
// function the engine calls, as this library sees its address, and requires the
// object that holds this function. Runs once per process (a few microseconds); later
// calls return the saved verdict. Thread-safe. Throws std::bad_alloc only if memory
// runs out while a failure message is written.
[[nodiscard]] const crypto_binding_report& crypto_binding_check();

}  // namespace jwtbatch::detail
