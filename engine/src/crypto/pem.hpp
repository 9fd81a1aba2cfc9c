// crypto/pem.hpp: keys from their PEM and DER encodings, through BoringSSL's parsers.
// Which blocks a key file may hold, and what the messages say about the file, is the
// loaders' business (keys/pem.cpp); this file only turns bytes into key material.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/key.hpp"
#include "jwtbatch/alg.hpp"

namespace jwtbatch::detail {

// The PEM blocks a key comes from (RFC 7468): SPKI "PUBLIC KEY", PKCS#1 "RSA PUBLIC
// KEY", an X.509 "CERTIFICATE" (its subject public key), and a private key (PKCS#8
// "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY").
enum class pem_block : std::uint8_t { public_key, rsa_public_key, certificate, private_key };

// key_from_pem reads the first `block` of `pem` (at most 16 MiB) and builds its key with
// the rules of key.hpp. The certificate is not checked as a certificate (no chain, no
// dates): trusting it is the configuration's decision. Errors: "out of memory",
// "cannot parse the PEM \"<label>\" block" (`label` as the file spells it), "key type
// is not RSA, EC or Ed25519", and the builders' messages. Leaves BoringSSL's error
// queue empty.
[[nodiscard]] key_or_error key_from_pem(std::string_view pem, pem_block block,
                                        std::string_view label, std::optional<alg> bind);

// public_key_der says what `der` is when it is public-key material anyone may hold ("a
// DER SubjectPublicKeyInfo (a public key)", a PKCS#1 RSAPublicKey, an X.509
// certificate, an EC point on P-256/384/521 (SEC 1 §2.3.3)), or returns an empty
// string. Each parser must consume all of `der`: a random secret passes none of them
// except with negligible probability (a tag, lengths and a valid key or point all
// match). Leaves BoringSSL's error queue empty.
[[nodiscard]] std::string public_key_der(std::span<const std::uint8_t> der);

// public_key_spki is the DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 8410 §4 for
// Ed25519) of an RSA, EC or Ed25519 key's public half: what a "PUBLIC KEY" PEM block
// holds. Empty for an HMAC key (it has no public half), and if memory runs out.
[[nodiscard]] std::vector<std::uint8_t> public_key_spki(const key& k);

}  // namespace jwtbatch::detail
