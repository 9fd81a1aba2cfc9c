// verify_fuzzer: the whole verifier (verifier::verify_at) on arbitrary token bytes,
// with a differential oracle on the signature (docs/SECURITY.md §0, S1-S6).
//
// The key set and the invariants of one result are verify_fixture.hpp's (every key
// type, the BoringSSL oracle on every signature the engine accepts). On top of them:
//  - a second verifier with a token_cache (forgeries kept) gives the same facts as the
//    uncached one, at the fixed time (miss, then hit) and two hours later;
//  - the first result does not change under later calls.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jwtbatch/result.hpp"
#include "verify_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fuzz_verify;
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const jwtbatch::result out = verify_checked("verify_fuzzer", token);
  const fixture& f = the_fixture();

  // The cache answers as a fresh verification does, at the first call's time and at
  // another one (time claims judged again), and twice in a row.
  const facts fresh = facts_of(out);
  for (const double at : {k_now, k_now, k_now + 7200.0}) {
    jwtbatch::result c;
    f.cached->verify_at(token, at, c);
    jwtbatch::result u;
    f.verifier->verify_at(token, at, u);
    check(facts_of(c) == facts_of(u), "cached result differs from a fresh one", c.code);
  }
  check(facts_of(out) == fresh, "result changed under later calls", out.code);
  return 0;
}
