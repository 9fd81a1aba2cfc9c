// The JWS verify primitives on two BoringSSL builds, side by side in one process:
//
//   verify/<case>/static     the project's BoringSSL (cmake/BoringSSL.cmake: built from
//                            Debian's source, static, every symbol hidden), linked in
//   verify/<case>/debian_so  Debian's prebuilt libcrypto.so.0 (package
//                            android-libboringssl), loaded with dlopen(RTLD_LOCAL)
//
// Why: Debian compiles its shared BoringSSL with OPENSSL_SMALL, which drops the P-256
// assembly (EC_GFp_nistz256_method; ES256 falls back to the portable fiat-crypto C code),
// along with the P-224 code and the large Ed25519 base-point table (signing only). The
// project builds BoringSSL itself to get the assembly back; this measures what that buys
// on ES256 and checks that no other algorithm got slower. Both builds are the same Debian
// source version, so their headers, and ECDSA_SIG's layout, are the same.
//
// Fair by construction: both builds go through ONE table of function pointers (bssl_api,
// filled with &FN or dlsym("FN")) and ONE code path (fixture). Each build makes its own
// keys and signatures with its own functions, outside the timed loop; the loop does what a
// JWT verifier does per token: hash the ~300-byte signing input, then verify (HS: an
// HMAC_CTX kept and re-initialised, then CRYPTO_memcmp; ES: R || S turned into an
// ECDSA_SIG with BN_bin2bn, as engine/src/crypto/ecdsa.cpp does).
// Items per second = verifications per second on one thread.
//
// Medians on a noisy machine (interleaving spreads the noise over both builds):
//   build/release/bin/boringssl_bench --benchmark_enable_random_interleaving=true
//     --benchmark_repetitions=9 --benchmark_report_aggregates_only=true
//
// Without the .so (or a symbol in it) the debian_so cases report an error naming the path
// and the package; the static cases still run.
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// /usr/lib/<multiarch>/android/libcrypto.so.0, from bench/CMakeLists.txt.
#ifndef JWTBATCH_DEBIAN_LIBCRYPTO
#error "JWTBATCH_DEBIAN_LIBCRYPTO (the path of Debian's libcrypto.so.0) is not defined"
#endif

namespace {

// Every BoringSSL function the benchmark calls, setup included: listed once, so a build's
// table cannot mix in a function of the other build.
#define JWTBATCH_BSSL_FUNCTIONS(X) \
  X(SHA256)                        \
  X(SHA384)                        \
  X(SHA512)                        \
  X(EVP_sha256)                    \
  X(EVP_sha384)                    \
  X(EVP_sha512)                    \
  X(HMAC_CTX_new)                  \
  X(HMAC_CTX_free)                 \
  X(HMAC_Init_ex)                  \
  X(HMAC_Update)                   \
  X(HMAC_Final)                    \
  X(CRYPTO_memcmp)                 \
  X(RAND_bytes)                    \
  X(ERR_clear_error)               \
  X(BN_new)                        \
  X(BN_free)                       \
  X(BN_set_word)                   \
  X(BN_bin2bn)                     \
  X(BN_bn2bin_padded)              \
  X(RSA_new)                       \
  X(RSA_free)                      \
  X(RSA_generate_key_ex)           \
  X(RSA_size)                      \
  X(RSA_sign)                      \
  X(RSA_verify)                    \
  X(RSA_sign_pss_mgf1)             \
  X(RSA_verify_pss_mgf1)           \
  X(EC_KEY_new_by_curve_name)      \
  X(EC_KEY_free)                   \
  X(EC_KEY_generate_key)           \
  X(ECDSA_SIG_new)                 \
  X(ECDSA_SIG_free)                \
  X(ECDSA_do_sign)                 \
  X(ECDSA_do_verify)               \
  X(ED25519_keypair)               \
  X(ED25519_sign)                  \
  X(ED25519_verify)

// One build's functions; each member has the type of the header's declaration.
struct bssl_api {
// NOLINTNEXTLINE(bugprone-macro-parentheses): fn is a name, declared here
#define JWTBATCH_BSSL_MEMBER(fn) decltype(&::fn) fn = nullptr;
  JWTBATCH_BSSL_FUNCTIONS(JWTBATCH_BSSL_MEMBER)
#undef JWTBATCH_BSSL_MEMBER
};

struct bssl_build {
  const char* name;
  bssl_api api;
  std::string error;  // not empty: the build is unavailable, its cases report this
};

const bssl_build& static_build() {
  static const bssl_build b = [] {
    bssl_build s{"static", {}, {}};
#define JWTBATCH_BSSL_STATIC(fn) s.api.fn = &::fn;
    JWTBATCH_BSSL_FUNCTIONS(JWTBATCH_BSSL_STATIC)
#undef JWTBATCH_BSSL_STATIC
    return s;
  }();
  return b;
}

// Debian's library stays loaded until exit: the fixtures hold its keys and contexts.
const bssl_build& debian_so_build() {
  static const bssl_build b = [] {
    bssl_build d{"debian_so", {}, {}};
    const std::string where = std::string(JWTBATCH_DEBIAN_LIBCRYPTO) +
                              " (Debian package android-libboringssl, scripts/install-deps.sh)";
    // Its functions call each other through the PLT, resolved in the global scope first:
    // were one of them exported by this executable, Debian's code would run the static
    // copy's. BoringSSL::crypto is compiled hidden, so none is.
    std::string exported;
#define JWTBATCH_BSSL_EXPORTED(fn) \
  if (dlsym(RTLD_DEFAULT, #fn) != nullptr) exported += " " #fn;
    JWTBATCH_BSSL_FUNCTIONS(JWTBATCH_BSSL_EXPORTED)
#undef JWTBATCH_BSSL_EXPORTED
    if (!exported.empty()) {
      d.error = "the process already exports" + exported + ": " + where + " would call them";
      return d;
    }
    void* h = dlopen(JWTBATCH_DEBIAN_LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      // NOLINTNEXTLINE(concurrency-mt-unsafe): glibc's dlerror is per thread; this runs once
      const char* why = dlerror();
      d.error = "cannot load " + where + ": " + (why != nullptr ? why : "dlopen failed");
      return d;
    }
    std::string missing;
#define JWTBATCH_BSSL_DLSYM(fn)                                \
  d.api.fn = reinterpret_cast<decltype(&::fn)>(dlsym(h, #fn)); \
  if (d.api.fn == nullptr) missing += " " #fn;
    JWTBATCH_BSSL_FUNCTIONS(JWTBATCH_BSSL_DLSYM)
#undef JWTBATCH_BSSL_DLSYM
    if (!missing.empty()) d.error = where + " lacks" + missing;
    return d;
  }();
  return b;
}

enum class family { hmac, rsa_pkcs1, rsa_pss, ecdsa, eddsa };

struct jws_case {
  const char* name;
  family fam;
  unsigned hash_bits;  // SHA-2 of the algorithm (unused by EdDSA)
  int rsa_bits;
  int curve_nid;
  std::size_t field_bytes;  // ES: each of R and S in the JWS signature
};

const std::array<jws_case, 10> k_cases = {{
    {"HS256", family::hmac, 256, 0, 0, 0},
    {"HS384", family::hmac, 384, 0, 0, 0},
    {"HS512", family::hmac, 512, 0, 0, 0},
    {"RS256_2048", family::rsa_pkcs1, 256, 2048, 0, 0},
    {"RS256_4096", family::rsa_pkcs1, 256, 4096, 0, 0},
    {"PS256_2048", family::rsa_pss, 256, 2048, 0, 0},
    {"ES256", family::ecdsa, 256, 0, NID_X9_62_prime256v1, 32},
    {"ES384", family::ecdsa, 384, 0, NID_secp384r1, 48},
    {"ES512", family::ecdsa, 512, 0, NID_secp521r1, 66},
    {"EdDSA", family::eddsa, 512, 0, 0, 0},
}};

// A signing input of a typical access token: 300 bytes of base64url header "." payload.
// Only the length matters to the cost (SHA-256: 5 blocks, SHA-384/512: 3).
std::string make_signing_input() {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImJlbmNoIiwidHlwIjoiSldUIn0.";
  for (std::size_t i = 0; s.size() < 300; ++i) s += k_alphabet[(i * 7) % 64];
  return s;
}

[[noreturn]] void fail(const bssl_build& b, const jws_case& c, const char* what) {
  (void)std::fprintf(stderr, "boringssl_bench: %s/%s: %s\n", c.name, b.name, what);
  std::abort();
}

// One case on one build: its key and signature, and the per-token verification.
class fixture {
 public:
  fixture(const bssl_build& b, const jws_case& c) : api_(b.api), c_(c) {
    const bssl_api& a = api_;
    md_ = c.hash_bits == 256   ? a.EVP_sha256()
          : c.hash_bits == 384 ? a.EVP_sha384()
                               : a.EVP_sha512();
    hash_ = c.hash_bits == 256 ? a.SHA256 : c.hash_bits == 384 ? a.SHA384 : a.SHA512;
    nid_ = c.hash_bits == 256 ? NID_sha256 : c.hash_bits == 384 ? NID_sha384 : NID_sha512;
    digest_len_ = c.hash_bits / 8;
    const auto* in = reinterpret_cast<const std::uint8_t*>(input_.data());
    std::array<std::uint8_t, 64> d{};
    hash_(in, input_.size(), d.data());
    switch (c.fam) {
      case family::hmac: {
        // RFC 7518 §3.2: a key of at least the hash's size.
        std::vector<std::uint8_t> secret(digest_len_);
        hmac_.reset(a.HMAC_CTX_new());
        if (!hmac_ || a.RAND_bytes(secret.data(), secret.size()) != 1 ||
            a.HMAC_Init_ex(hmac_.get(), secret.data(), secret.size(), md_, nullptr) != 1) {
          fail(b, c, "HMAC key");
        }
        sig_.resize(EVP_MAX_MD_SIZE);
        unsigned len = 0;
        if (a.HMAC_Init_ex(hmac_.get(), nullptr, 0, nullptr, nullptr) != 1 ||
            a.HMAC_Update(hmac_.get(), in, input_.size()) != 1 ||
            a.HMAC_Final(hmac_.get(), sig_.data(), &len) != 1) {
          fail(b, c, "HMAC sign");
        }
        sig_.resize(len);
        break;
      }
      case family::rsa_pkcs1:
      case family::rsa_pss: {
        const std::unique_ptr<BIGNUM, decltype(&::BN_free)> e(a.BN_new(), a.BN_free);
        rsa_.reset(a.RSA_new());
        if (!e || !rsa_ || a.BN_set_word(e.get(), RSA_F4) != 1 ||
            a.RSA_generate_key_ex(rsa_.get(), c.rsa_bits, e.get(), nullptr) != 1) {
          fail(b, c, "RSA key generation");
        }
        sig_.resize(a.RSA_size(rsa_.get()));
        if (c.fam == family::rsa_pss) {
          std::size_t len = 0;
          if (a.RSA_sign_pss_mgf1(rsa_.get(), &len, sig_.data(), sig_.size(), d.data(), digest_len_,
                                  md_, md_, static_cast<int>(digest_len_)) != 1) {
            fail(b, c, "RSA-PSS sign");
          }
          sig_.resize(len);
        } else {
          unsigned len = 0;
          if (a.RSA_sign(nid_, d.data(), static_cast<unsigned>(digest_len_), sig_.data(), &len,
                         rsa_.get()) != 1) {
            fail(b, c, "RSA sign");
          }
          sig_.resize(len);
        }
        break;
      }
      case family::ecdsa: {
        ec_.reset(a.EC_KEY_new_by_curve_name(c.curve_nid));
        if (!ec_ || a.EC_KEY_generate_key(ec_.get()) != 1) fail(b, c, "EC key generation");
        const std::unique_ptr<ECDSA_SIG, decltype(&::ECDSA_SIG_free)> s(
            a.ECDSA_do_sign(d.data(), digest_len_, ec_.get()), a.ECDSA_SIG_free);
        sig_.resize(2 * c.field_bytes);
        if (!s || a.BN_bn2bin_padded(sig_.data(), c.field_bytes, s->r) != 1 ||
            a.BN_bn2bin_padded(sig_.data() + c.field_bytes, c.field_bytes, s->s) != 1) {
          fail(b, c, "ECDSA sign");
        }
        break;
      }
      case family::eddsa: {
        std::array<std::uint8_t, ED25519_PRIVATE_KEY_LEN> priv{};
        a.ED25519_keypair(ed_public_.data(), priv.data());
        sig_.resize(ED25519_SIGNATURE_LEN);
        if (a.ED25519_sign(sig_.data(), in, input_.size(), priv.data()) != 1) {
          fail(b, c, "Ed25519 sign");
        }
        break;
      }
    }
    // The verifier must accept this signature and refuse it with one bit changed;
    // otherwise the timed loop would measure a short cut.
    if (!verify()) fail(b, c, "a genuine signature does not verify");
    sig_[sig_.size() / 2] ^= 0x01;
    if (verify()) fail(b, c, "a corrupted signature verifies");
    sig_[sig_.size() / 2] ^= 0x01;
    a.ERR_clear_error();
  }

  // The work per token, identical for both builds: digest, then the primitive.
  bool verify() {
    const bssl_api& a = api_;
    const auto* in = reinterpret_cast<const std::uint8_t*>(input_.data());
    const std::size_t n = input_.size();
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> d{};
    switch (c_.fam) {
      case family::hmac: {
        unsigned len = 0;
        return a.HMAC_Init_ex(hmac_.get(), nullptr, 0, nullptr, nullptr) == 1 &&
               a.HMAC_Update(hmac_.get(), in, n) == 1 &&
               a.HMAC_Final(hmac_.get(), d.data(), &len) == 1 && len == sig_.size() &&
               a.CRYPTO_memcmp(d.data(), sig_.data(), len) == 0;
      }
      case family::rsa_pkcs1:
        hash_(in, n, d.data());
        return a.RSA_verify(nid_, d.data(), digest_len_, sig_.data(), sig_.size(), rsa_.get()) == 1;
      case family::rsa_pss:
        hash_(in, n, d.data());
        return a.RSA_verify_pss_mgf1(rsa_.get(), d.data(), digest_len_, md_, md_,
                                     static_cast<int>(digest_len_), sig_.data(), sig_.size()) == 1;
      case family::ecdsa: {
        hash_(in, n, d.data());
        const std::size_t half = c_.field_bytes;
        const std::unique_ptr<ECDSA_SIG, decltype(&::ECDSA_SIG_free)> s(a.ECDSA_SIG_new(),
                                                                        a.ECDSA_SIG_free);
        return s && a.BN_bin2bn(sig_.data(), half, s->r) != nullptr &&
               a.BN_bin2bn(sig_.data() + half, half, s->s) != nullptr &&
               a.ECDSA_do_verify(d.data(), digest_len_, s.get(), ec_.get()) == 1;
      }
      case family::eddsa:
        return a.ED25519_verify(in, n, sig_.data(), ed_public_.data()) == 1;
    }
    return false;
  }

 private:
  const bssl_api& api_;
  jws_case c_;
  std::string input_ = make_signing_input();
  const EVP_MD* md_ = nullptr;
  decltype(&::SHA256) hash_ = nullptr;
  int nid_ = 0;
  std::size_t digest_len_ = 0;
  std::vector<std::uint8_t> sig_;
  std::unique_ptr<HMAC_CTX, decltype(&::HMAC_CTX_free)> hmac_{nullptr, api_.HMAC_CTX_free};
  std::unique_ptr<RSA, decltype(&::RSA_free)> rsa_{nullptr, api_.RSA_free};
  std::unique_ptr<EC_KEY, decltype(&::EC_KEY_free)> ec_{nullptr, api_.EC_KEY_free};
  std::array<std::uint8_t, ED25519_PUBLIC_KEY_LEN> ed_public_{};
};

// Google Benchmark owns what RegisterBenchmark allocates, but clang's analyzer (clang-tidy
// 14 against Debian's benchmark 1.7) reports a leak inside benchmark.h, where no NOLINT
// reaches (google/benchmark#1322, silenced upstream by #1618). The analyzer still sees
// every benchmark body, only not the registration.
template <class Fn>
void register_benchmark(const std::string& name, Fn&& fn) {
#ifdef __clang_analyzer__
  (void)name;
  (void)fn;
#else
  benchmark::RegisterBenchmark(name.c_str(), std::forward<Fn>(fn));
#endif
}

// One benchmark run of case c on a build. `build` is called here, not at registration:
// Debian's library is loaded only when one of its cases runs, and keys are made once, on
// the first run, only for the cases that run (RSA-4096 takes a while).
void run_case(benchmark::State& s, const jws_case& c, const bssl_build& (*build)(),
              std::unique_ptr<fixture>& f) {
  const bssl_build& b = build();
  if (!b.error.empty()) {
    s.SkipWithError(b.error.c_str());
    return;
  }
  if (!f) f = std::make_unique<fixture>(b, c);
  for ([[maybe_unused]] auto _ : s) {
    if (!f->verify()) {
      s.SkipWithError("a genuine signature failed to verify");
      break;
    }
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()));
}

void register_case(const jws_case& c, const char* build_name, const bssl_build& (*build)()) {
  register_benchmark(std::string("verify/") + c.name + "/" + build_name,
                     [&c, build, f = std::unique_ptr<fixture>()](benchmark::State& s) mutable {
                       run_case(s, c, build, f);
                     });
}

[[maybe_unused]] const bool k_registered = [] {
  for (const jws_case& c : k_cases) {
    register_case(c, "static", static_build);
    register_case(c, "debian_so", debian_so_build);
  }
  return true;
}();

}  // namespace
