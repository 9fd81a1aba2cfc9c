#include "jwtbatch/key_set.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>

#include "codec/base64url.hpp"
#include "codec/text_escape.hpp"
#include "core/file_kind.hpp"
#include "core/io.hpp"
#include "crypto/key_export.hpp"
#include "crypto/memory.hpp"
#include "keys/jwk_out.hpp"
#include "keys/key_file.hpp"
#include "keys/loaders.hpp"
#include "keys/store.hpp"

namespace jwtbatch {

// ---------------------------------------------------------------------------------
// key_set

key_set::key_set(std::unique_ptr<detail::key_store> store, std::vector<std::string> warnings)
    : store_(std::move(store)), warnings_(std::move(warnings)) {}
key_set::~key_set() = default;

std::size_t key_set::size() const noexcept {
  return store_->keys().size();
}

std::vector<key_info> key_set::describe() const {
  std::vector<key_info> out;
  for (const detail::key& k : store_->keys()) {
    key_info info;
    info.kid = k.kid;
    info.has_kid = k.has_kid;
    info.type = detail::visit_material(k.material, [](const auto& m) -> std::string {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, detail::hmac_material>) return "oct";
      if constexpr (std::is_same_v<T, detail::rsa_material>) return "RSA";
      if constexpr (std::is_same_v<T, detail::ec_material>) return "EC";
      return "OKP";
    });
    for (alg a : all_algs()) {
      if (detail::has_alg(k.algs, a)) info.algs.push_back(a);
    }
    info.can_sign = k.can_sign();
    info.origin = k.origin;
    detail::key_members members;
    if (const std::string error = detail::export_key_members(k, false, members); !error.empty()) {
      throw config_error(k.origin + ": " + error);
    }
    info.bits = members.bits;
    info.thumbprint = detail::jwk_thumbprint(members);
    if (!std::holds_alternative<detail::hmac_material>(k.material)) {
      info.public_jwk =
          detail::write_jwk(members, detail::jwk_part::public_key, detail::labels_of(k));
    }
    out.push_back(std::move(info));
  }
  return out;
}

// ---------------------------------------------------------------------------------
// key_set_builder

struct key_set_builder::state {
  std::vector<detail::key> keys;
  std::vector<std::string> warnings;
  bool allow_mixed = false;
  bool expect_private = false;
};

namespace {

struct fd_closer {
  int fd;
  ~fd_closer() { ::close(fd); }
};

}  // namespace

// read_key_file reads the whole regular file `path` into `out`. The file is opened
// with O_NONBLOCK so that a FIFO without a writer cannot block the open, and its type
// is checked on the descriptor (fstat), so a path swapped after the check cannot
// smuggle in a device: /dev/zero would be read until memory ran out, a FIFO forever.
void detail::read_key_file(const std::string& path, file_bytes& out) {
  const auto fail = [&](const std::string& what) { throw config_error(path + ": " + what); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) fail(std::string("cannot open key file: ") + std::generic_category().message(errno));
  const fd_closer closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    fail(std::string("cannot read key file: ") + std::generic_category().message(errno));
  if (!S_ISREG(st.st_mode)) {
    fail(std::string("not a regular file (") + detail::file_kind(st.st_mode) +
         "); a key file must be one");
  }
  const auto too_big = [&] {
    fail("larger than the " + std::to_string(max_key_file_bytes >> 20) +
         " MiB a key file may have");
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_key_file_bytes) too_big();
  // Read to the end, whatever the size said: the file may have grown since.
  out.text.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == out.text.size()) {
      if (used > max_key_file_bytes) too_big();
      std::string bigger(std::min(used * 2, max_key_file_bytes + 1), '\0');
      std::memcpy(bigger.data(), out.text.data(), used);
      detail::cleanse(out.text.data(), out.text.size());
      out.text.swap(bigger);
    }
    const ssize_t n = detail::read_some(fd, out.text.data() + used, out.text.size() - used);
    if (n < 0) fail(std::string("cannot read key file: ") + std::generic_category().message(errno));
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > max_key_file_bytes) too_big();
  out.text.resize(used);
}

namespace {

bool is_unbound_rsa(const detail::key& k) {
  return std::holds_alternative<detail::rsa_material>(k.material) && k.algs == detail::k_rsa_algs;
}

}  // namespace

key_set_builder::key_set_builder() : state_(std::make_unique<state>()) {}
key_set_builder::~key_set_builder() = default;
key_set_builder::key_set_builder(key_set_builder&&) noexcept = default;
key_set_builder& key_set_builder::operator=(key_set_builder&&) noexcept = default;

key_set_builder& key_set_builder::allow_mixed_key_types(bool allow) {
  state_->allow_mixed = allow;
  return *this;
}

key_set_builder& key_set_builder::expect_private_keys(bool expect) {
  state_->expect_private = expect;
  return *this;
}

const std::vector<std::string>& key_set_builder::warnings() const noexcept {
  return state_->warnings;
}

key_set_builder& key_set_builder::add_jwks(std::string_view json, std::string_view source) {
  detail::load_jwks(json, source, state_->keys, state_->warnings);
  return *this;
}

key_set_builder& key_set_builder::add_pem(std::string_view pem, std::string_view source,
                                          std::string_view kid, std::optional<alg> bind) {
  detail::key k = detail::load_pem(pem, source, kid, bind);
  // RFC 8725 §3.1: each key used with exactly one algorithm. An unbound RSA key
  // serves PKCS#1 v1.5 and PSS with every hash; say so (it still loads).
  if (is_unbound_rsa(k)) {
    state_->warnings.push_back(k.origin + ": " + detail::k_unbound_rsa_warning +
                               "; bind it to one algorithm");
  }
  state_->keys.push_back(std::move(k));
  return *this;
}

key_set_builder& key_set_builder::add_secret(std::span<const std::uint8_t> secret,
                                             std::string_view source, std::string_view kid,
                                             alg bind) {
  detail::key_or_error r = detail::make_hmac_key(secret, bind);
  if (!r.value) throw config_error(std::string(source) + ": " + r.error);
  r.value->kid = std::string(kid);
  r.value->has_kid = !kid.empty();
  r.value->origin = std::string(source);
  state_->keys.push_back(std::move(*r.value));
  return *this;
}

key_set_builder& key_set_builder::add_secret_file(const std::string& path, std::string_view kid,
                                                  alg bind) {
  detail::file_bytes content;
  detail::read_key_file(path, content);
  return add_secret(
      std::span(reinterpret_cast<const std::uint8_t*>(content.text.data()), content.text.size()),
      path, kid, bind);
}

key_set_builder& key_set_builder::add_file(const std::string& path, std::string_view kid,
                                           std::optional<alg> bind) {
  detail::file_bytes content;
  detail::read_key_file(path, content);
  if (content.text.find("-----BEGIN") != std::string::npos) {
    return add_pem(content.text, path, kid, bind);
  }
  if (!kid.empty() || bind) {
    // The file is the problem, not the kid: it was meant to be PEM.
    throw config_error(path +
                       ": no PEM block (-----BEGIN ...-----); a kid or an algorithm is given "
                       "only with a PEM key (a JWK carries its own)");
  }
  return add_jwks(content.text, path);
}

std::shared_ptr<const key_set> key_set_builder::build() {
  std::vector<detail::key> keys = std::move(state_->keys);
  state_->keys.clear();
  std::vector<std::string> warnings = state_->warnings;

  // Keys sharing a kid are ambiguous: all of them are refused (docs/SECURITY.md K3).
  std::map<std::string, std::size_t> kid_count;
  for (const auto& k : keys) {
    if (k.has_kid) ++kid_count[k.kid];
  }
  std::vector<detail::key> unique;
  for (auto& k : keys) {
    if (k.has_kid && kid_count[k.kid] > 1) {
      warnings.push_back(k.origin + ": refused: kid " + detail::escape_text(k.kid, true) +
                         " is used by " + std::to_string(kid_count[k.kid]) + " keys (ambiguous)");
      continue;
    }
    unique.push_back(std::move(k));
  }
  if (unique.empty()) {
    std::string message = "no usable key";
    for (const auto& w : warnings) message += "\n  " + w;
    throw config_error(message);
  }
  std::vector<std::string> secrets;
  std::vector<std::string> publics;
  for (const auto& k : unique) {
    const bool hmac = std::holds_alternative<detail::hmac_material>(k.material);
    (hmac ? secrets : publics).push_back(k.origin);
    // A verifier needs only the public half; a private key here is one more copy of it.
    if (!hmac && k.can_sign() && !state_->expect_private) {
      warnings.push_back(k.origin +
                         ": holds a private key; verifying needs only the public key (keep "
                         "private keys out of a verifier's configuration)");
    }
  }
  if (!secrets.empty() && !publics.empty() && !state_->allow_mixed) {
    const auto list = [](const std::vector<std::string>& origins) {
      std::string out;
      for (std::size_t i = 0; i < origins.size() && i < 3; ++i) {
        out += (i == 0 ? "" : ", ") + origins[i];
      }
      if (origins.size() > 3) out += ", and " + std::to_string(origins.size() - 3) + " more";
      return out;
    };
    std::string mix =
        "HMAC secrets (" + list(secrets) + ") with public keys (" + list(publics) + ")";
    // Wycheproof MixedKeySet; the jwtbatch security catalogue, rule K3.
    // Built before `mix` is moved: argument evaluation order is unspecified.
    const std::string what =
        "the key set mixes " + mix +
        ": refused by default, since one set serving both kinds is where algorithm confusion "
        "starts (RFC 8725 §2.1) and usually means a key went to the wrong place; use separate "
        "key sets, or allow mixing explicitly (allow_mixed_key_types) if both kinds really are "
        "meant";
    throw mixed_key_set_error(what, std::move(mix));
  }
  auto store = std::make_unique<detail::key_store>(std::move(unique));
  return std::shared_ptr<const key_set>(new key_set(std::move(store), std::move(warnings)));
}

}  // namespace jwtbatch
