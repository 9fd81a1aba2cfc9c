// c_api.cpp: the C ABI of jwtbatch.h over the C++ engine.
//
// Every exported function is noexcept: each one that can fail runs its body through
// boundary(), which turns any exception into a return code (and a message when the
// caller gave a jwtbatch_error). Handles are plain structs around the C++ objects.
#include "jwtbatch/jwtbatch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/self_check.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/remote_keys.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"

// The header's constants are the C++ enums' numbers (tests/c_api_names_test.cpp checks
// every name and number against the C++ tables).
static_assert(JWTBATCH_NUM_STATUSES == jwtbatch::status_count);
static_assert(JWTBATCH_NUM_ALGS == jwtbatch::alg_count);
static_assert(JWTBATCH_NUM_CLASSES == static_cast<int>(jwtbatch::status_class::claims) + 1);
static_assert(JWTBATCH_NUM_LABELS == static_cast<int>(jwtbatch::attack_label::crit_bypass) + 1);

struct jwtbatch_key_set_builder {
  jwtbatch::key_set_builder builder;
  bool spent = false;  // build() moved the keys out
};

struct jwtbatch_key_set {
  std::shared_ptr<const jwtbatch::key_set> keys;
};

struct jwtbatch_key_source {
  std::shared_ptr<jwtbatch::refreshing_key_source> source;
};

struct jwtbatch_policy {
  jwtbatch::policy rules;
};

struct jwtbatch_verifier {
  jwtbatch::batch_verifier engine;
};

// Results of the last batch. The vectors only ever grow: a C++ result keeps its string
// storage from batch to batch, so a warm results object allocates nothing.
struct jwtbatch_results {
  std::vector<jwtbatch::result> cpp;
  std::vector<jwtbatch_result> c;
  std::vector<std::string_view> tokens;
  std::size_t count = 0;

  void grow(std::size_t n) {
    if (cpp.size() < n) cpp.resize(n);
    if (c.size() < n) c.resize(n);
    if (tokens.size() < n) tokens.resize(n);
  }
};

namespace {

// set_error records `code` and the message `first` + `second` in the caller's error
// (if any), cut to fit with "..." at the end. Returns `code`. Never allocates.
int set_error(jwtbatch_error* err, int code, std::string_view first,
              std::string_view second = {}) noexcept {
  if (err == nullptr) return code;
  err->code = code;
  constexpr std::size_t room = JWTBATCH_ERROR_MESSAGE_SIZE - 1;
  std::size_t n = 0;
  bool cut = false;
  for (const std::string_view part : {first, second}) {
    const std::size_t take = std::min(part.size(), room - n);
    if (take > 0) std::memcpy(err->message + n, part.data(), take);
    n += take;
    cut = cut || take < part.size();
  }
  if (cut) {
    constexpr std::string_view dots = "...";
    n = room;
    std::memcpy(err->message + n - dots.size(), dots.data(), dots.size());
  }
  err->message[n] = '\0';
  return code;
}

int argument_error(jwtbatch_error* err, std::string_view what) noexcept {
  return set_error(err, JWTBATCH_ERR_ARGUMENT, what);
}

// boundary runs `body` (which returns a jwtbatch_code) so that no exception leaves the
// ABI: configuration errors keep their message, running out of memory (including a
// size no container can hold) is JWTBATCH_ERR_NO_MEMORY, anything else is a bug.
template <class Body>
int boundary(jwtbatch_error* err, const Body& body) noexcept {
  try {
    const int code = body();
    if (code == JWTBATCH_OK) set_error(err, JWTBATCH_OK, {});
    return code;
  } catch (const jwtbatch::config_error& e) {
    return set_error(err, JWTBATCH_ERR_CONFIG, e.what());
  } catch (const std::bad_alloc&) {
    return set_error(err, JWTBATCH_ERR_NO_MEMORY, "out of memory");
  } catch (const std::length_error&) {
    return set_error(err, JWTBATCH_ERR_NO_MEMORY, "out of memory (size too large)");
  } catch (const std::exception& e) {
    return set_error(err, JWTBATCH_ERR_INTERNAL, "internal error: ", e.what());
  } catch (...) {
    return set_error(err, JWTBATCH_ERR_INTERNAL, "internal error: unknown exception");
  }
}

// text() reads a (pointer, length) text argument; nullopt for a NULL pointer.
std::optional<std::string_view> text(const char* s, std::size_t len) noexcept {
  if (s == nullptr) return std::nullopt;
  return std::string_view(s, len == JWTBATCH_NTS ? std::strlen(s) : len);
}

// alg_binding() reads an `alg` argument: JWTBATCH_ALG_ANY (no binding) or an algorithm.
bool alg_binding(int a, std::optional<jwtbatch::alg>& out) noexcept {
  if (a == JWTBATCH_ALG_ANY) {
    out.reset();
    return true;
  }
  if (a < 0 || a >= JWTBATCH_NUM_ALGS) return false;
  out = static_cast<jwtbatch::alg>(a);
  return true;
}

// The crypto-using constructors refuse to run where the crypto calls are not bound to
// this library's own BoringSSL (crypto_self_check.hpp): only a broken build is.
int crypto_check(jwtbatch_error* err) {
  const jwtbatch::detail::crypto_binding_report& r = jwtbatch::detail::crypto_binding_check();
  return r.ok ? JWTBATCH_OK : set_error(err, JWTBATCH_ERR_CRYPTO_CLASH, r.message);
}

// NUL-terminated copies of the C++ names, made once on first use without allocating:
// the C ABI promises C strings of static storage, and a string_view promises no
// terminator.
template <std::size_t N>
class c_names {
 public:
  template <class NameOf>
  explicit c_names(const NameOf& name_of) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      const std::string_view s = name_of(i);
      const std::size_t n = std::min(s.size(), k_longest);
      std::memcpy(text_[i].data(), s.data(), n);
      text_[i][n] = '\0';
    }
  }
  [[nodiscard]] const char* operator[](int i) const noexcept {
    return i >= 0 && static_cast<std::size_t>(i) < N ? text_[static_cast<std::size_t>(i)].data()
                                                     : "unknown";
  }

 private:
  static constexpr std::size_t k_longest = 31;  // "unsupported_serialization" is 25
  std::array<std::array<char, k_longest + 1>, N> text_{};
};

jwtbatch_str view_of(const std::optional<std::string_view>& v) noexcept {
  if (!v) return {nullptr, 0};
  return {v->data() != nullptr ? v->data() : "", v->size()};
}

void to_c(const jwtbatch::result& r, jwtbatch_result& out) noexcept {
  out.status = static_cast<int>(r.code);
  out.status_class = static_cast<int>(jwtbatch::class_of(r.code));
  out.label = static_cast<int>(r.label);
  out.signature_verified = r.signature_verified ? 1 : 0;
  unsigned present = 0;
  const auto flag = [&present](bool has, unsigned bit) {
    if (has) present |= bit;
  };
  flag(r.algorithm.has_value(), JWTBATCH_HAS_ALG);
  flag(r.kid.has_value(), JWTBATCH_HAS_KID);
  flag(r.iss.has_value(), JWTBATCH_HAS_ISS);
  flag(r.sub.has_value(), JWTBATCH_HAS_SUB);
  flag(r.jti.has_value(), JWTBATCH_HAS_JTI);
  flag(r.has_aud, JWTBATCH_HAS_AUD);
  flag(r.exp.has_value(), JWTBATCH_HAS_EXP);
  flag(r.nbf.has_value(), JWTBATCH_HAS_NBF);
  flag(r.iat.has_value(), JWTBATCH_HAS_IAT);
  flag(r.detail.has_value(), JWTBATCH_HAS_DETAIL);
  out.present = present;
  out.alg = r.algorithm ? static_cast<int>(*r.algorithm) : -1;
  out.kid = view_of(r.kid);
  out.iss = view_of(r.iss);
  out.sub = view_of(r.sub);
  out.jti = view_of(r.jti);
  out.aud = r.aud.empty() ? jwtbatch_str{nullptr, 0} : view_of(r.aud.front());
  out.aud_count = r.aud.size();
  out.exp = r.exp.value_or(0);
  out.nbf = r.nbf.value_or(0);
  out.iat = r.iat.value_or(0);
  out.custom_count = r.custom_claims.size();
  std::memcpy(out.fingerprint, r.fingerprint.data(), r.fingerprint.size());
  out.fingerprint[r.fingerprint.size()] = '\0';
  out.detail = view_of(r.detail);
}

int verify(const jwtbatch_verifier* v, jwtbatch_results* out, const char* const* tokens,
           const std::size_t* token_lens, const double* times, std::size_t count) noexcept {
  if (out != nullptr) out->count = 0;
  if (v == nullptr || out == nullptr || (count > 0 && tokens == nullptr)) {
    return JWTBATCH_ERR_ARGUMENT;
  }
  return boundary(nullptr, [&]() -> int {
    // Grown first: a count no memory can hold fails here, before any token is read.
    out->grow(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (tokens[i] == nullptr) {
        if (token_lens == nullptr || token_lens[i] != 0) return JWTBATCH_ERR_ARGUMENT;
        out->tokens[i] = {};
      } else {
        out->tokens[i] = {tokens[i],
                          token_lens != nullptr ? token_lens[i] : std::strlen(tokens[i])};
      }
    }
    const std::span<const std::string_view> in(out->tokens.data(), count);
    const std::span<jwtbatch::result> results(out->cpp.data(), count);
    if (times != nullptr) {
      const std::span<const double> at(times, count);
      // A NaN evaluation time would make every time comparison false.
      if (!std::all_of(at.begin(), at.end(), [](double t) { return std::isfinite(t); })) {
        return JWTBATCH_ERR_ARGUMENT;
      }
      v->engine.verify_batch_at(in, at, results);
    } else {
      v->engine.verify_batch(in, results);
    }
    for (std::size_t i = 0; i < count; ++i) to_c(out->cpp[i], out->c[i]);
    out->count = count;
    return JWTBATCH_OK;
  });
}

// policy_set runs a policy setter on a copy, then jwtbatch::validate, the one check of
// a policy's bounds that the verifier runs too: ARGUMENT for a NULL policy, the body's
// own refusal, or a value outside those bounds (the policy is then left unchanged).
template <class Body>
int policy_set(jwtbatch_policy* p, const Body& body) noexcept {
  if (p == nullptr) return JWTBATCH_ERR_ARGUMENT;
  return boundary(nullptr, [&]() -> int {
    jwtbatch::policy changed = p->rules;
    if (const int code = body(changed); code != JWTBATCH_OK) return code;
    try {
      jwtbatch::validate(changed);
    } catch (const jwtbatch::config_error&) {
      return JWTBATCH_ERR_ARGUMENT;
    }
    p->rules = std::move(changed);
    return JWTBATCH_OK;
  });
}

// policy_add appends a copy of a text argument to one of the policy's lists.
int policy_add(jwtbatch_policy* p, std::vector<std::string> jwtbatch::policy::*list, const char* s,
               std::size_t len) noexcept {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    const auto t = text(s, len);
    if (!t) return JWTBATCH_ERR_ARGUMENT;
    (rules.*list).emplace_back(*t);
    return JWTBATCH_OK;
  });
}

// builder_add runs one of the builder's add functions, checking the common arguments.
template <class Body>
int builder_add(jwtbatch_key_set_builder* b, jwtbatch_error* err, const Body& body) noexcept {
  if (b == nullptr) return argument_error(err, "no key set builder");
  if (b->spent) return argument_error(err, "the key set builder was already built");
  return boundary(err, [&]() -> int { return body(b->builder); });
}

}  // namespace

extern "C" {

int jwtbatch_abi_version(void) {
  return JWTBATCH_ABI_VERSION;
}

const char* jwtbatch_version(void) {
  return JWTBATCH_VERSION;
}

const char* jwtbatch_code_name(int code) {
  static constexpr std::array<const char*, 6> k_names = {"ok",        "argument",     "config",
                                                         "no_memory", "crypto_clash", "internal"};
  return code >= 0 && static_cast<std::size_t>(code) < k_names.size()
             ? k_names[static_cast<std::size_t>(code)]
             : "unknown";
}

const char* jwtbatch_status_name(int status) {
  static const c_names<JWTBATCH_NUM_STATUSES> names(
      [](std::size_t i) { return jwtbatch::status_name(static_cast<jwtbatch::status>(i)); });
  return names[status];
}

const char* jwtbatch_class_name(int status_class) {
  static const c_names<JWTBATCH_NUM_CLASSES> names(
      [](std::size_t i) { return jwtbatch::class_name(static_cast<jwtbatch::status_class>(i)); });
  return names[status_class];
}

const char* jwtbatch_alg_name(int alg) {
  static const c_names<JWTBATCH_NUM_ALGS> names(
      [](std::size_t i) { return jwtbatch::alg_name(static_cast<jwtbatch::alg>(i)); });
  return names[alg];
}

const char* jwtbatch_label_name(int label) {
  static const c_names<JWTBATCH_NUM_LABELS> names(
      [](std::size_t i) { return jwtbatch::label_name(static_cast<jwtbatch::attack_label>(i)); });
  return names[label];
}

int jwtbatch_status_class(int status) {
  if (status < 0 || status >= JWTBATCH_NUM_STATUSES) return JWTBATCH_CLASS_FORMAT;
  return static_cast<int>(jwtbatch::class_of(static_cast<jwtbatch::status>(status)));
}

int jwtbatch_status_from_name(const char* name, size_t name_len) {
  const auto t = text(name, name_len);
  const auto s = t ? jwtbatch::status_from_name(*t) : std::nullopt;
  return s ? static_cast<int>(*s) : -1;
}

int jwtbatch_alg_from_name(const char* name, size_t name_len) {
  const auto t = text(name, name_len);
  const auto a = t ? jwtbatch::alg_from_name(*t) : std::nullopt;
  return a ? static_cast<int>(*a) : -1;
}

int jwtbatch_crypto_check(jwtbatch_error* err) {
  return boundary(err, [&]() -> int { return crypto_check(err); });
}

// ---- Key sets

int jwtbatch_key_set_builder_new(jwtbatch_key_set_builder** out, jwtbatch_error* err) {
  if (out == nullptr) return argument_error(err, "out is NULL");
  *out = nullptr;
  return boundary(err, [&]() -> int {
    if (const int code = crypto_check(err); code != JWTBATCH_OK) return code;
    *out = new jwtbatch_key_set_builder();
    return JWTBATCH_OK;
  });
}

void jwtbatch_key_set_builder_free(jwtbatch_key_set_builder* b) {
  delete b;
}

int jwtbatch_key_set_builder_add_file(jwtbatch_key_set_builder* b, const char* path,
                                      const char* kid, size_t kid_len, int alg,
                                      jwtbatch_error* err) {
  std::optional<jwtbatch::alg> bind;
  if (path == nullptr) return argument_error(err, "path is NULL");
  if (!alg_binding(alg, bind)) return argument_error(err, "unknown algorithm");
  return builder_add(b, err, [&](jwtbatch::key_set_builder& builder) -> int {
    builder.add_file(path, text(kid, kid_len).value_or(std::string_view()), bind);
    return JWTBATCH_OK;
  });
}

int jwtbatch_key_set_builder_add_jwks(jwtbatch_key_set_builder* b, const char* json,
                                      size_t json_len, const char* source, jwtbatch_error* err) {
  const auto doc = text(json, json_len);
  if (!doc) return argument_error(err, "json is NULL");
  return builder_add(b, err, [&](jwtbatch::key_set_builder& builder) -> int {
    builder.add_jwks(*doc, source != nullptr ? source : "memory");
    return JWTBATCH_OK;
  });
}

int jwtbatch_key_set_builder_add_pem(jwtbatch_key_set_builder* b, const char* pem, size_t pem_len,
                                     const char* source, const char* kid, size_t kid_len, int alg,
                                     jwtbatch_error* err) {
  const auto doc = text(pem, pem_len);
  std::optional<jwtbatch::alg> bind;
  if (!doc) return argument_error(err, "pem is NULL");
  if (!alg_binding(alg, bind)) return argument_error(err, "unknown algorithm");
  return builder_add(b, err, [&](jwtbatch::key_set_builder& builder) -> int {
    builder.add_pem(*doc, source != nullptr ? source : "memory",
                    text(kid, kid_len).value_or(std::string_view()), bind);
    return JWTBATCH_OK;
  });
}

int jwtbatch_key_set_builder_add_secret(jwtbatch_key_set_builder* b, const uint8_t* secret,
                                        size_t secret_len, const char* kid, size_t kid_len, int alg,
                                        const char* source, jwtbatch_error* err) {
  std::optional<jwtbatch::alg> bind;
  if (secret == nullptr && secret_len != 0) return argument_error(err, "secret is NULL");
  if (!alg_binding(alg, bind) || !bind) return argument_error(err, "an HMAC secret needs an alg");
  return builder_add(b, err, [&](jwtbatch::key_set_builder& builder) -> int {
    builder.add_secret({secret, secret_len}, source != nullptr ? source : "secret",
                       text(kid, kid_len).value_or(std::string_view()), *bind);
    return JWTBATCH_OK;
  });
}

int jwtbatch_key_set_builder_allow_mixed(jwtbatch_key_set_builder* b, int allow) {
  return builder_add(b, nullptr, [&](jwtbatch::key_set_builder& builder) -> int {
    builder.allow_mixed_key_types(allow != 0);
    return JWTBATCH_OK;
  });
}

size_t jwtbatch_key_set_builder_warning_count(const jwtbatch_key_set_builder* b) {
  return b != nullptr ? b->builder.warnings().size() : 0;
}

const char* jwtbatch_key_set_builder_warning(const jwtbatch_key_set_builder* b, size_t index) {
  if (b == nullptr || index >= b->builder.warnings().size()) return nullptr;
  return b->builder.warnings()[index].c_str();
}

int jwtbatch_key_set_builder_build(jwtbatch_key_set_builder* b, jwtbatch_key_set** out,
                                   jwtbatch_error* err) {
  if (out == nullptr) return argument_error(err, "out is NULL");
  *out = nullptr;
  return builder_add(b, err, [&](jwtbatch::key_set_builder& builder) -> int {
    auto set = std::make_unique<jwtbatch_key_set>();
    b->spent = true;
    set->keys = builder.build();
    *out = set.release();
    return JWTBATCH_OK;
  });
}

void jwtbatch_key_set_free(jwtbatch_key_set* keys) {
  delete keys;
}

size_t jwtbatch_key_set_size(const jwtbatch_key_set* keys) {
  return keys != nullptr ? keys->keys->size() : 0;
}

size_t jwtbatch_key_set_warning_count(const jwtbatch_key_set* keys) {
  return keys != nullptr ? keys->keys->warnings().size() : 0;
}

const char* jwtbatch_key_set_warning(const jwtbatch_key_set* keys, size_t index) {
  if (keys == nullptr || index >= keys->keys->warnings().size()) return nullptr;
  return keys->keys->warnings()[index].c_str();
}

// ---- Policy

jwtbatch_policy* jwtbatch_policy_new(void) {
  return new (std::nothrow) jwtbatch_policy();
}

void jwtbatch_policy_free(jwtbatch_policy* p) {
  delete p;
}

int jwtbatch_policy_add_issuer(jwtbatch_policy* p, const char* iss, size_t iss_len) {
  return policy_add(p, &jwtbatch::policy::issuers, iss, iss_len);
}

int jwtbatch_policy_add_audience(jwtbatch_policy* p, const char* aud, size_t aud_len) {
  return policy_add(p, &jwtbatch::policy::audiences, aud, aud_len);
}

int jwtbatch_policy_add_typ(jwtbatch_policy* p, const char* typ, size_t typ_len) {
  return policy_add(p, &jwtbatch::policy::accepted_typs, typ, typ_len);
}

int jwtbatch_policy_add_required_claim(jwtbatch_policy* p, const char* name, size_t name_len) {
  return policy_add(p, &jwtbatch::policy::required_claims, name, name_len);
}

int jwtbatch_policy_add_returned_claim(jwtbatch_policy* p, const char* name, size_t name_len) {
  return policy_add(p, &jwtbatch::policy::returned_claims, name, name_len);
}

int jwtbatch_policy_set_subject(jwtbatch_policy* p, const char* sub, size_t sub_len) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    const auto t = text(sub, sub_len);
    if (!t) return JWTBATCH_ERR_ARGUMENT;
    rules.subject = std::string(*t);
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_typ_required(jwtbatch_policy* p, int required) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.typ_required = required != 0;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_allowed_algs(jwtbatch_policy* p, uint32_t alg_mask) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    if (alg_mask == 0 || (alg_mask >> JWTBATCH_NUM_ALGS) != 0) return JWTBATCH_ERR_ARGUMENT;
    jwtbatch::alg_set algs;
    for (const jwtbatch::alg a : jwtbatch::all_algs()) {
      if ((alg_mask & JWTBATCH_ALG_BIT(static_cast<unsigned>(a))) != 0) algs.add(a);
    }
    rules.allowed_algs = algs;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_leeway(jwtbatch_policy* p, int64_t seconds) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.leeway_seconds = seconds;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_max_age(jwtbatch_policy* p, int64_t seconds) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.max_age_seconds = seconds;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_fixed_time(jwtbatch_policy* p, double unix_seconds) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.fixed_time = unix_seconds;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_use_current_time(jwtbatch_policy* p) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.fixed_time.reset();
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_max_token_bytes(jwtbatch_policy* p, size_t max_bytes) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.limits.max_token_bytes = max_bytes;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_require_kid(jwtbatch_policy* p, int required) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.require_kid = required != 0;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_reject_embedded_keys(jwtbatch_policy* p, int reject) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.reject_embedded_keys = reject != 0;
    return JWTBATCH_OK;
  });
}

int jwtbatch_policy_set_fingerprint(jwtbatch_policy* p, int enabled) {
  return policy_set(p, [&](jwtbatch::policy& rules) -> int {
    rules.fingerprint = enabled != 0;
    return JWTBATCH_OK;
  });
}

// ---- Verifier

namespace {

// The checks and the cache both verifier constructors share. Returns JWTBATCH_OK and
// the options (defaults for NULL), or the error.
int read_verifier_options(const jwtbatch_verifier_options* options, jwtbatch_verifier_options& o,
                          jwtbatch_error* err) {
  o = options != nullptr ? *options : jwtbatch_verifier_options{};
  // The C++ bounds (batch.hpp, cache.hpp), refused before anything is allocated.
  static_assert(jwtbatch::max_threads == 1024 && jwtbatch::max_cache_entries == 16777216 &&
                    jwtbatch::max_cache_bytes == 17179869184ULL,
                "update the messages below and jwtbatch.h");
  if (o.threads < 0 || o.threads > jwtbatch::max_threads) {
    return argument_error(err, "threads must be 0 (one per core) to 1024");
  }
  if (o.cache_max_entries > jwtbatch::max_cache_entries) {
    return argument_error(err, "cache_max_entries must be at most 16777216 (2^24)");
  }
  if (o.cache_max_bytes > jwtbatch::max_cache_bytes) {
    return argument_error(err, "cache_max_bytes must be at most 17179869184 (16 GiB)");
  }
  return JWTBATCH_OK;
}

std::shared_ptr<jwtbatch::token_cache> make_cache(const jwtbatch_verifier_options& o) {
  if (o.cache_max_entries == 0) return nullptr;
  jwtbatch::cache_options c;
  c.max_entries = o.cache_max_entries;
  if (o.cache_max_bytes > 0) c.max_bytes = o.cache_max_bytes;
  return std::make_shared<jwtbatch::token_cache>(c);
}

}  // namespace

int jwtbatch_verifier_new(jwtbatch_verifier** out, const jwtbatch_key_set* keys,
                          const jwtbatch_policy* policy, const jwtbatch_verifier_options* options,
                          jwtbatch_error* err) {
  if (out == nullptr) return argument_error(err, "out is NULL");
  *out = nullptr;
  if (keys == nullptr) return argument_error(err, "no key set");
  jwtbatch_verifier_options o{};
  if (const int code = read_verifier_options(options, o, err); code != JWTBATCH_OK) return code;
  return boundary(err, [&]() -> int {
    if (const int code = crypto_check(err); code != JWTBATCH_OK) return code;
    auto rules = std::make_shared<const jwtbatch::verifier>(
        keys->keys, policy != nullptr ? policy->rules : jwtbatch::policy{}, make_cache(o));
    *out =
        new jwtbatch_verifier{jwtbatch::batch_verifier(std::move(rules), {.threads = o.threads})};
    return JWTBATCH_OK;
  });
}

int jwtbatch_verifier_new_following(jwtbatch_verifier** out, jwtbatch_key_source* keys,
                                    const jwtbatch_policy* policy,
                                    const jwtbatch_verifier_options* options, jwtbatch_error* err) {
  if (out == nullptr) return argument_error(err, "out is NULL");
  *out = nullptr;
  if (keys == nullptr) return argument_error(err, "no key source");
  jwtbatch_verifier_options o{};
  if (const int code = read_verifier_options(options, o, err); code != JWTBATCH_OK) return code;
  return boundary(err, [&]() -> int {
    if (const int code = crypto_check(err); code != JWTBATCH_OK) return code;
    *out = new jwtbatch_verifier{jwtbatch::batch_verifier(
        keys->source, policy != nullptr ? policy->rules : jwtbatch::policy{}, make_cache(o),
        {.threads = o.threads})};
    return JWTBATCH_OK;
  });
}

// ---- Key sources ----------------------------------------------------------------------

int jwtbatch_key_source_new(jwtbatch_key_source** out, const jwtbatch_key_source_options* options,
                            jwtbatch_error* err) {
  if (out == nullptr) return argument_error(err, "out is NULL");
  *out = nullptr;
  if (options == nullptr) return argument_error(err, "options is NULL");
  const jwtbatch_key_source_options& o = *options;
  const auto strings = [&](const char* const* list, std::size_t n, const char* what,
                           std::vector<std::string>& to) -> int {
    if (n > 0 && list == nullptr) return argument_error(err, std::string(what) + " is NULL");
    for (std::size_t i = 0; i < n; ++i) {
      if (list[i] == nullptr) return argument_error(err, std::string(what) + " holds NULL");
      to.emplace_back(list[i]);
    }
    return JWTBATCH_OK;
  };
  if (!(o.refresh_seconds >= 0 && o.refresh_seconds <= jwtbatch::max_refresh_seconds) ||
      !(o.cooldown_seconds >= 0 && o.cooldown_seconds <= jwtbatch::max_refresh_seconds) ||
      !(o.timeout_seconds >= 0 && o.timeout_seconds <= jwtbatch::max_fetch_timeout_seconds)) {
    return argument_error(err,
                          "refresh and cooldown must be 0 (default) to 604800 seconds, timeout 0 "
                          "(default) to 600");
  }
  return boundary(err, [&]() -> int {
    if (const int code = crypto_check(err); code != JWTBATCH_OK) return code;
    std::vector<std::string> urls;
    std::vector<std::string> issuers;
    std::vector<std::string> files;
    for (const int code : {strings(o.jwks_urls, o.jwks_url_count, "jwks_urls", urls),
                           strings(o.oidc_issuers, o.oidc_issuer_count, "oidc_issuers", issuers),
                           strings(o.key_files, o.key_file_count, "key_files", files)}) {
      if (code != JWTBATCH_OK) return code;
    }
    if (urls.empty() && issuers.empty() && files.empty()) {
      return argument_error(err, "no keys: no jwks_urls, oidc_issuers or key_files");
    }
    jwtbatch::remote_key_options r;
    for (std::string& u : urls) {
      r.sources.push_back({.url = std::move(u), .discovery = false, .name = {}});
    }
    for (std::string& u : issuers) {
      r.sources.push_back({.url = std::move(u), .discovery = true, .name = {}});
    }
    if (o.ca_file != nullptr) r.ca_file = o.ca_file;
    if (o.refresh_seconds > 0) r.refresh_seconds = o.refresh_seconds;
    if (o.cooldown_seconds > 0) r.cooldown_seconds = o.cooldown_seconds;
    if (o.timeout_seconds > 0) r.timeout_seconds = o.timeout_seconds;
    r.allow_mixed_key_types = o.allow_mixed != 0;
    r.refresh_in_background = o.no_background == 0;
    if (!files.empty()) {
      r.local_keys = [files](jwtbatch::key_set_builder& b) {
        for (const std::string& f : files) b.add_file(f);
      };
    }
    if (o.log != nullptr) {
      r.log = [log = o.log, context = o.log_context](std::string_view line) {
        const std::string text(line);  // NUL-terminated for C callers
        log(context, text.c_str(), text.size());
      };
    }
    *out = new jwtbatch_key_source{std::make_shared<jwtbatch::refreshing_key_source>(std::move(r))};
    return JWTBATCH_OK;
  });
}

void jwtbatch_key_source_free(jwtbatch_key_source* s) {
  delete s;
}

int jwtbatch_key_source_reload(jwtbatch_key_source* s, jwtbatch_error* err) {
  if (s == nullptr) return argument_error(err, "no key source");
  return boundary(err, [&]() -> int {
    s->source->reload();
    return JWTBATCH_OK;
  });
}

size_t jwtbatch_key_source_size(const jwtbatch_key_source* s) {
  return s != nullptr ? s->source->keys()->size() : 0;
}

void jwtbatch_key_source_stats(const jwtbatch_key_source* s, uint64_t* fetches,
                               uint64_t* fetch_failures, uint64_t* updates) {
  const jwtbatch::key_source_stats st =
      s != nullptr ? s->source->stats() : jwtbatch::key_source_stats{};
  if (fetches != nullptr) *fetches = st.fetches;
  if (fetch_failures != nullptr) *fetch_failures = st.fetch_failures;
  if (updates != nullptr) *updates = st.updates;
}

void jwtbatch_verifier_free(jwtbatch_verifier* v) {
  delete v;
}

int jwtbatch_verifier_threads(const jwtbatch_verifier* v) {
  return v != nullptr ? v->engine.threads() : 0;
}

// ---- Results and verifying

jwtbatch_results* jwtbatch_results_new(void) {
  return new (std::nothrow) jwtbatch_results();
}

void jwtbatch_results_free(jwtbatch_results* r) {
  delete r;
}

size_t jwtbatch_results_count(const jwtbatch_results* r) {
  return r != nullptr ? r->count : 0;
}

const jwtbatch_result* jwtbatch_results_get(const jwtbatch_results* r, size_t index) {
  return r != nullptr && index < r->count ? &r->c[index] : nullptr;
}

jwtbatch_str jwtbatch_results_aud(const jwtbatch_results* r, size_t index, size_t aud_index) {
  if (r == nullptr || index >= r->count || aud_index >= r->cpp[index].aud.size()) {
    return {nullptr, 0};
  }
  return view_of(r->cpp[index].aud[aud_index]);
}

jwtbatch_str jwtbatch_results_custom_claim(const jwtbatch_results* r, size_t index,
                                           size_t claim_index, jwtbatch_str* out_name) {
  if (out_name != nullptr) *out_name = {nullptr, 0};
  if (r == nullptr || index >= r->count || claim_index >= r->cpp[index].custom_claims.size()) {
    return {nullptr, 0};
  }
  const auto& [name, json] = r->cpp[index].custom_claims[claim_index];
  if (out_name != nullptr) *out_name = view_of(name);
  return view_of(json);
}

int jwtbatch_verify_batch(const jwtbatch_verifier* v, jwtbatch_results* out,
                          const char* const* tokens, const size_t* token_lens, size_t count) {
  return verify(v, out, tokens, token_lens, nullptr, count);
}

int jwtbatch_verify_batch_at(const jwtbatch_verifier* v, jwtbatch_results* out,
                             const char* const* tokens, const size_t* token_lens,
                             const double* times, size_t count) {
  if (times == nullptr && count > 0) {
    if (out != nullptr) out->count = 0;
    return JWTBATCH_ERR_ARGUMENT;
  }
  return verify(v, out, tokens, token_lens, times, count);
}

}  // extern "C"
