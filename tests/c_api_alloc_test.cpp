// c_api_alloc_test.cpp: memory exhaustion at the C ABI. This program replaces the
// global operator new/delete (the shared library's calls bind to it, as to any
// replacement in the executable) to count allocations and to make the k-th one throw
// std::bad_alloc. Each configuration call (the crypto self-check, builder, secret, build,
// policy, verifier) and a cold batch's growth, failed at each of its allocations in
// turn, must return JWTBATCH_ERR_NO_MEMORY, leave its output NULL, leak nothing (the
// ASan build checks) and work on the next try. A warm batch must allocate nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "c_api_support.hpp"
#include "jwtbatch/jwtbatch.h"
#include "jwtbatch/sign.hpp"

namespace {

std::atomic<long> g_allocations{0};  // throwing ones, since the last arm()
std::atomic<long> g_nothrow_allocations{0};
std::atomic<long> g_fail_at{-1};  // index of the allocation to fail; -1: none
std::atomic<bool> g_failed{false};

void arm(long fail_at) {
  g_failed = false;
  g_allocations = 0;
  g_nothrow_allocations = 0;
  g_fail_at = fail_at;
}

void* allocate(std::size_t n, std::size_t alignment) {
  if (g_allocations.fetch_add(1) == g_fail_at.load()) {
    g_fail_at = -1;
    g_failed = true;
    throw std::bad_alloc();
  }
  const std::size_t size = n == 0 ? 1 : n;
  void* p = alignment > alignof(std::max_align_t)
                ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                : std::malloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Nothrow allocations are counted but never made to fail: simdjson 3.0.1's
// ondemand::parser::allocate() ignores a failed nothrow allocation of its string
// buffer and the next parse writes through the null pointer (this test found it, in
// key loading; out of jwtbatch's hands short of patching simdjson).
void* allocate_nothrow(std::size_t n, std::size_t alignment) noexcept {
  g_nothrow_allocations.fetch_add(1);
  const std::size_t size = n == 0 ? 1 : n;
  return alignment > alignof(std::max_align_t)
             ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
             : std::malloc(size);
}

}  // namespace

// NOLINTBEGIN(misc-new-delete-overloads, cert-dcl54-cpp): the whole replaceable set.
void* operator new(std::size_t n) {
  return allocate(n, 0);
}
void* operator new[](std::size_t n) {
  return allocate(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  return allocate_nothrow(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  return allocate_nothrow(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t& /*tag*/) noexcept {
  return allocate_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t& /*tag*/) noexcept {
  return allocate_nothrow(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t /*alignment*/,
                     const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t /*alignment*/,
                       const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
// NOLINTEND(misc-new-delete-overloads, cert-dcl54-cpp)

// The static analyzer pairs this file's operator new with std::function's delete and
// reports leaks that are not there (ASan's leak checker runs these tests for real).
// NOLINTBEGIN(clang-analyzer-unix.Malloc)
namespace jwtbatch {
namespace {

using test::c_builder;
using test::c_keys;

// each_allocation_fails runs `call(k)` for k = 0, 1, ...: the call does its setup,
// then arm(k) so that the k-th allocation of what it measures fails. A run in which
// that failure happened must return one of `allowed` (JWTBATCH_ERR_NO_MEMORY at least
// once over the runs); the first run in which nothing failed must succeed, and ends
// the loop. Returns how many allocations the measured part makes.
long each_allocation_fails(const std::string& what, const std::function<int(long)>& call,
                           const std::vector<int>& allowed = {JWTBATCH_ERR_NO_MEMORY}) {
  SCOPED_TRACE(what);
  bool saw_no_memory = false;
  for (long k = 0;; ++k) {
    g_failed = false;
    const int code = call(k);
    const bool failed = g_failed;
    arm(-1);
    if (!failed) {
      EXPECT_EQ(code, JWTBATCH_OK) << "with nothing failing";
      EXPECT_TRUE(saw_no_memory || k == 0) << "no allocation failure gave no_memory";
      std::printf("%s: %ld allocations, each made to fail once\n", what.c_str(), k);
      return k;
    }
    saw_no_memory = saw_no_memory || code == JWTBATCH_ERR_NO_MEMORY;
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), code), allowed.end())
        << "allocation " << k << " failing gave " << jwtbatch_code_name(code);
  }
}

TEST(CApiAlloc, CryptoSelfCheckAllocatesNothing) {
  // Runs first in its own process (gtest_discover_tests), so this is the check's first
  // run: on a correct build it only asks the loader where a few functions live.
  jwtbatch_error err{};
  const long n = each_allocation_fails("crypto check", [&](long k) {
    arm(k);
    return jwtbatch_crypto_check(&err);
  });
  EXPECT_EQ(n, 0);
  EXPECT_EQ(jwtbatch_crypto_check(&err), JWTBATCH_OK);
}

TEST(CApiAlloc, BuilderPolicyAndVerifierReportNoMemory) {
  const generated_key hs = generate_key(alg::hs256, "hs");
  jwtbatch_error err{};
  // The dependencies' one-time global set-up is not failed: simdjson picks its kernel
  // on first use inside a noexcept function (a failure there terminates), and an
  // exception in oneTBB's first arena leaves its once-flag pending, so that every later
  // arena spins on it forever. One key set and one verifier first; after that, every
  // allocation of jwtbatch's own paths and of each new arena is failed in turn.
  const c_keys keys = test::c_key_set({{"hs", hs.public_jwk}});
  test::c_verifier_of(keys.get(), nullptr, test::c_options(2));

  each_allocation_fails("builder_new", [&](long k) {
    jwtbatch_key_set_builder* b = nullptr;
    arm(k);
    const int code = jwtbatch_key_set_builder_new(&b, &err);
    EXPECT_EQ(b == nullptr, code != JWTBATCH_OK);
    EXPECT_TRUE(code != JWTBATCH_ERR_NO_MEMORY || std::string(err.message) == "out of memory");
    jwtbatch_key_set_builder_free(b);
    return code;
  });

  // Each add on a fresh builder, so that a failed add cannot leave a half-added key
  // behind for the next attempt. JWKS and PEM text are not fault-injected here: the
  // engine's JSON walk (json_walk.hpp, walk_object) is noexcept and grows its member
  // tables inside, so running out of memory while parsing a JWKS ends the process
  // instead of reaching the ABI (reported; the C ABI cannot catch what never throws).
  const auto fresh = [&] {
    jwtbatch_key_set_builder* b = nullptr;
    EXPECT_EQ(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK);
    return c_builder(b);
  };
  const uint8_t secret[32] = {1, 2, 3};
  each_allocation_fails("add_secret", [&](long k) {
    const auto b = fresh();
    arm(k);
    return jwtbatch_key_set_builder_add_secret(b.get(), secret, sizeof secret, "k", 1,
                                               JWTBATCH_ALG_HS256, nullptr, &err);
  });
  each_allocation_fails("build", [&](long k) {
    const auto b = fresh();
    EXPECT_EQ(jwtbatch_key_set_builder_add_jwks(b.get(), hs.public_jwk.data(), hs.public_jwk.size(),
                                                "hs", &err),
              JWTBATCH_OK);
    jwtbatch_key_set* built = nullptr;
    arm(k);
    const int code = jwtbatch_key_set_builder_build(b.get(), &built, &err);
    EXPECT_EQ(built == nullptr, code != JWTBATCH_OK);
    jwtbatch_key_set_free(built);
    return code;
  });

  each_allocation_fails("policy", [&](long k) -> int {
    arm(k);
    jwtbatch_policy* p = jwtbatch_policy_new();
    if (p == nullptr) return JWTBATCH_ERR_NO_MEMORY;
    int code = jwtbatch_policy_add_issuer(p, "https://issuer.example", JWTBATCH_NTS);
    if (code == JWTBATCH_OK) code = jwtbatch_policy_add_required_claim(p, "exp", 3);
    if (code == JWTBATCH_OK)
      code = jwtbatch_policy_set_subject(p, "a long subject name, not SSO", 28);
    jwtbatch_policy_free(p);
    return code;
  });

  each_allocation_fails("verifier_new", [&](long k) {
    jwtbatch_verifier* v = nullptr;
    arm(k);
    const jwtbatch_verifier_options o = test::c_options(2, 16);
    const int code = jwtbatch_verifier_new(&v, keys.get(), nullptr, &o, &err);
    EXPECT_EQ(v == nullptr, code != JWTBATCH_OK);
    jwtbatch_verifier_free(v);
    return code;
  });
}

// Tokens of one key for the batch tests, and a verifier on one thread (the calling
// thread runs the whole batch, so "warm" covers every thread that takes part).
struct batch_setup {
  std::vector<std::string> tokens;
  std::vector<const char*> data;
  std::vector<std::size_t> lens;
  c_keys keys;
  test::c_verifier verifier;

  explicit batch_setup(std::size_t n) {
    const generated_key k = generate_key(alg::hs256, "hs");
    key_set_builder b;
    b.add_jwks(k.private_jwk, "hs");
    const auto signing = b.build();
    for (std::size_t i = 0; i < n; ++i) {
      tokens.push_back(sign_compact(
          *signing, "hs", alg::hs256,
          R"({"iss":"me","aud":["a","b"],"jti":")" + std::to_string(i) + R"(","exp":2000000000})"));
    }
    tokens.back().back() = tokens.back().back() == 'A' ? 'Q' : 'A';  // one forgery
    for (const auto& t : tokens) {
      data.push_back(t.data());
      lens.push_back(t.size());
    }
    keys = test::c_key_set({{"hs", k.public_jwk}});
    verifier = test::c_verifier_of(keys.get(), nullptr, test::c_options(1));
  }
  int verify(jwtbatch_results* r) const {
    return jwtbatch_verify_batch(verifier.get(), r, data.data(), lens.data(), data.size());
  }
};

TEST(CApiAlloc, ResultsThatCannotGrowReportNoMemoryAndStayUsable) {
  const batch_setup s(64);
  // The first three allocations of a cold batch grow the results object's three
  // arrays; they come before any token is read (later ones would be inside the
  // engine's noexcept per-token path, see jwtbatch.h).
  for (long k = 0; k < 3; ++k) {
    SCOPED_TRACE("allocation " + std::to_string(k));
    const test::c_results results(jwtbatch_results_new());
    arm(k);
    EXPECT_EQ(s.verify(results.get()), JWTBATCH_ERR_NO_MEMORY);
    EXPECT_TRUE(g_failed.load());
    arm(-1);
    EXPECT_EQ(jwtbatch_results_count(results.get()), 0U);
    // Still usable.
    ASSERT_EQ(s.verify(results.get()), JWTBATCH_OK);
    EXPECT_EQ(jwtbatch_results_count(results.get()), 64U);
    EXPECT_EQ(jwtbatch_results_get(results.get(), 0)->status, JWTBATCH_STATUS_OK);
    EXPECT_EQ(jwtbatch_results_get(results.get(), 63)->status, JWTBATCH_STATUS_BAD_SIGNATURE);
  }
  // A batch no memory can hold fails before reading any token.
  const test::c_results results(jwtbatch_results_new());
  const char* one = s.data[0];
  EXPECT_EQ(jwtbatch_verify_batch(s.verifier.get(), results.get(), &one, nullptr, SIZE_MAX / 2),
            JWTBATCH_ERR_NO_MEMORY);
}

TEST(CApiAlloc, WarmBatchesAllocateNothing) {
  const batch_setup s(256);
  const test::c_results results(jwtbatch_results_new());
  ASSERT_EQ(s.verify(results.get()), JWTBATCH_OK);  // warm: results, per-thread scratch
  for (int round = 0; round < 3; ++round) {
    arm(-1);
    ASSERT_EQ(s.verify(results.get()), JWTBATCH_OK);
    EXPECT_EQ(g_allocations.load(), 0) << "round " << round;
    EXPECT_EQ(g_nothrow_allocations.load(), 0) << "round " << round;
  }
  EXPECT_EQ(jwtbatch_results_get(results.get(), 255)->status, JWTBATCH_STATUS_BAD_SIGNATURE);
}

}  // namespace
}  // namespace jwtbatch
// NOLINTEND(clang-analyzer-unix.Malloc)
