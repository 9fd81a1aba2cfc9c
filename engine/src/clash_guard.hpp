// clash_guard.hpp: are this library's crypto calls really bound to BoringSSL?
//
// Debian's BoringSSL (libcrypto.so.0) exports the same symbol names as OpenSSL's
// libcrypto.so.3, without symbol versions. Loaded into a process that already has
// OpenSSL in its global scope, the dynamic loader binds jwtbatch's BoringSSL calls, and
// even BoringSSL's calls to its own exported functions, to OpenSSL's functions; loaded
// ahead of OpenSSL, it captures OpenSSL's own users instead. Either way objects of two
// libraries get mixed: undefined behaviour, not a clean failure. The shared library
// (libjwtbatch.so, the C ABI) runs this check before anything uses crypto.
#pragma once

#include <string>

namespace jwtbatch::detail {

struct crypto_binding_report {
  bool ok = true;
  std::string message;  // when !ok: what is bound where, and what to do instead
  double seconds = 0;   // what the check cost
};

// crypto_binding_check reads, once per process, the loader's bindings (GOT slots and
// absolute pointers in RELRO, all resolved at load time) of three kinds of objects:
//  - this library and the BoringSSL it calls: every symbol that BoringSSL defines must
//    be bound to BoringSSL's definition;
//  - every other loaded object that does not itself depend on BoringSSL: none may be
//    bound into BoringSSL (it expects another libcrypto).
// Returns the saved verdict on later calls. Thread-safe. Throws std::bad_alloc if
// memory runs out during the first check (a later call checks again).
//
// Limits: an object bound lazily (no BIND_NOW) has unresolved PLT slots, which say
// nothing until first called; Debian builds its libraries, BoringSSL and OpenSSL
// included, with BIND_NOW, and libjwtbatch.so is linked with -z now. An object loaded
// after the check is not seen.
[[nodiscard]] const crypto_binding_report& crypto_binding_check();

}  // namespace jwtbatch::detail
