// PEM key files: SPKI public keys, PKCS#1 RSA public keys, X.509 certificates (their
// subject public key), and PKCS#8 / PKCS#1 / SEC1 private keys.
#include "crypto/pem.hpp"
#include "codec/text_escape.hpp"
#include "jwtbatch/key_set.hpp"
#include "keys/loaders.hpp"

namespace jwtbatch::detail {
namespace {

// The label of the first PEM block ("PUBLIC KEY", "CERTIFICATE", ...), or empty. An
// "EC PARAMETERS" block (the curve's OID, which `openssl ecparam -genkey` writes before
// the key and the key repeats) is skipped when a block follows: that one decides.
std::string_view first_label(std::string_view pem) {
  constexpr std::string_view begin = "-----BEGIN ";
  std::string_view skipped;
  std::size_t from = 0;
  for (;;) {
    const std::size_t at = pem.find(begin, from);
    if (at == std::string_view::npos) return skipped;
    const std::size_t start = at + begin.size();
    const std::size_t end = pem.find("-----", start);
    if (end == std::string_view::npos) return skipped;
    const std::string_view label = pem.substr(start, end - start);
    if (label != "EC PARAMETERS") return label;
    skipped = label;
    from = end;
  }
}

}  // namespace

key load_pem(std::string_view pem, std::string_view source, std::string_view kid,
             std::optional<alg> bind) {
  const std::string where(source);
  const std::string_view label = first_label(pem);
  if (label.empty()) throw config_error(where + ": no PEM block (-----BEGIN ...-----)");
  if (pem.size() > (1U << 24)) throw config_error(where + ": PEM file larger than 16 MiB");

  pem_block block{};
  if (label == "PUBLIC KEY") {
    block = pem_block::public_key;
  } else if (label == "RSA PUBLIC KEY") {
    block = pem_block::rsa_public_key;
  } else if (label == "CERTIFICATE") {
    // The certificate only carries the key: it is not checked as a certificate
    // (no chain, no dates); trusting it is the configuration's decision.
    block = pem_block::certificate;
  } else if (label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY") {
    block = pem_block::private_key;
  } else if (label == "ENCRYPTED PRIVATE KEY") {
    throw config_error(where + ": encrypted private keys are not supported; decrypt it first");
  } else {
    throw config_error(where + ": unsupported PEM block \"" + std::string(label) + "\"");
  }
  key_or_error r = key_from_pem(pem, block, label, bind);
  if (!r.value) throw config_error(where + ": " + r.error);
  r.value->kid = std::string(kid);
  r.value->has_kid = !kid.empty();
  r.value->origin = kid.empty() ? where : where + " (kid " + escape_text(kid, true) + ")";
  return std::move(*r.value);
}

}  // namespace jwtbatch::detail
