// JWK and JWK Set documents (RFC 7517, RFC 7518 §6, RFC 8037 §2).
#include <algorithm>
#include <iterator>
#include <map>

#include "codec/base64url.hpp"
#include "codec/json_walk.hpp"
#include "codec/text_escape.hpp"
#include "crypto/memory.hpp"
#include "jwtbatch/key_set.hpp"
#include "keys/loaders.hpp"

namespace jwtbatch::detail {

namespace od = simdjson::ondemand;

namespace {

// Key documents are configuration: generous limits, still bounded.
constexpr json_limits k_jwk_limits{.max_depth = 8,
                                   .max_members = 256,
                                   .max_elements = 10000,
                                   .max_string_bytes = std::size_t{64} * 1024};

// The members of one JWK this loader reads, as unescaped strings.
struct jwk_fields {
  std::map<std::string, std::string, std::less<>> strings;  // kty, kid, n, e, x, ...
  std::vector<std::string> key_ops;
  bool has_key_ops = false;
  std::vector<std::string> not_strings;  // string members given another type: "kid" ...

  [[nodiscard]] const std::string* get(std::string_view name) const {
    const auto it = strings.find(name);
    return it == strings.end() ? nullptr : &it->second;
  }
};

struct key_error {
  std::string message;
};

secret_bytes decode_member(const jwk_fields& f, std::string_view name) {
  const std::string* text = f.get(name);
  if (text == nullptr) throw key_error{"missing \"" + std::string(name) + "\""};
  secret_bytes out;
  out.bytes.resize(base64url_decoded_size(text->size()));
  std::size_t len = 0;
  if (!base64url_decode(*text, out.bytes.data(), &len)) {
    throw key_error{"\"" + std::string(name) + "\" is not strict base64url"};
  }
  out.bytes.resize(len);
  return out;
}

std::optional<alg> jwk_alg(const jwk_fields& f) {
  const std::string* name = f.get("alg");
  if (name == nullptr) return std::nullopt;
  const std::optional<alg> a = alg_from_name(*name);
  if (!a)
    throw key_error{R"("alg": ")" + *name + R"(" is not a JWS algorithm jwtbatch implements)"};
  return a;
}

key_or_error rsa_from_jwk(const jwk_fields& f, std::optional<alg> bind) {
  // Read in the order RFC 7518 §6.3 lists the members; the first problem is reported.
  const secret_bytes n = decode_member(f, "n");
  const secret_bytes e = decode_member(f, "e");
  rsa_components c;
  c.n = n.bytes;
  c.e = e.bytes;
  c.has_private = f.get("d") != nullptr;
  secret_bytes d;
  secret_bytes p;
  secret_bytes q;
  secret_bytes dp;
  secret_bytes dq;
  secret_bytes qi;
  if (c.has_private) {
    d = decode_member(f, "d");
    p = decode_member(f, "p");
    q = decode_member(f, "q");
    dp = decode_member(f, "dp");
    dq = decode_member(f, "dq");
    qi = decode_member(f, "qi");
    c.d = d.bytes;
    c.p = p.bytes;
    c.q = q.bytes;
    c.dp = dp.bytes;
    c.dq = dq.bytes;
    c.qi = qi.bytes;
  }
  return make_rsa_key(c, bind);
}

key_or_error ec_from_jwk(const jwk_fields& f, std::optional<alg> bind) {
  const std::string* crv = f.get("crv");
  if (crv == nullptr) throw key_error{"missing \"crv\""};
  std::optional<ec_curve> curve;
  for (const ec_curve c : {ec_curve::p256, ec_curve::p384, ec_curve::p521}) {
    if (*crv == ec_curve_name(c)) curve = c;
  }
  if (!curve) throw key_error{"EC curve \"" + *crv + "\" is not supported"};
  const std::size_t field = ec_field_bytes(*curve);
  const secret_bytes x = decode_member(f, "x");
  const secret_bytes y = decode_member(f, "y");
  // RFC 7518 §6.2.1.2/3: coordinates are exactly the field size, never shortened.
  if (x.bytes.size() != field || y.bytes.size() != field) {
    throw key_error{"EC coordinates must be " + std::to_string(field) + " bytes for " + *crv};
  }
  // The point is judged before the private part is read: a bad point is the problem.
  if (!ec_point_on_curve(*curve, x.bytes, y.bytes)) throw key_error{"EC point is not on " + *crv};
  std::optional<std::span<const std::uint8_t>> scalar;
  secret_bytes d;
  if (f.get("d") != nullptr) {
    d = decode_member(f, "d");
    if (d.bytes.size() != field)
      throw key_error{"EC \"d\" must be " + std::to_string(field) + " bytes"};
    scalar = d.bytes;
  }
  return make_ec_key(*curve, x.bytes, y.bytes, scalar, bind);
}

key_or_error okp_from_jwk(const jwk_fields& f, std::optional<alg> bind) {
  const std::string* crv = f.get("crv");
  if (crv == nullptr) throw key_error{"missing \"crv\""};
  if (*crv != "Ed25519") {
    throw key_error{"OKP curve \"" + *crv + "\" is not supported (Ed25519 only)"};
  }
  const secret_bytes x = decode_member(f, "x");
  secret_bytes d;
  if (f.get("d") != nullptr) {
    // RFC 8037 §2: d is the 32-byte seed. An empty one must not read as "no private
    // part": a key file that meant to hold a private key would load as public.
    d = decode_member(f, "d");
    if (d.bytes.size() != 32) throw key_error{"Ed25519 private key (d) must be 32 bytes"};
  }
  return make_ed25519_key(x.bytes, d.bytes, bind);
}

key key_from_fields(const jwk_fields& f) {
  // RFC 7517 §4, RFC 7518 §6: these members are strings. One of another type is not
  // ignored: a "kid": 5 read as "no kid" would make the key match tokens without kid,
  // an "alg": 5 read as "no alg" would unbind it.
  if (!f.not_strings.empty()) {
    throw key_error{"\"" + f.not_strings.front() + "\" is not a string (RFC 7517 §4)"};
  }
  const std::string* kty = f.get("kty");
  if (kty == nullptr) throw key_error{"missing \"kty\""};
  // RFC 7517 §4.2-4.3: a key meant for encryption is never used to verify (K4).
  if (const std::string* use = f.get("use"); use != nullptr && *use != "sig") {
    throw key_error{R"("use": ")" + *use + R"(" is not "sig")"};
  }
  if (f.has_key_ops && std::find(f.key_ops.begin(), f.key_ops.end(), "verify") == f.key_ops.end()) {
    throw key_error{R"("key_ops" does not include "verify")"};
  }
  const std::optional<alg> bind = jwk_alg(f);
  key_or_error r;
  if (*kty == "oct") {
    const secret_bytes k = decode_member(f, "k");
    r = make_hmac_key(k.bytes, bind);  // keys/secret.cpp: judges the secret first
  } else if (*kty == "RSA") {
    r = rsa_from_jwk(f, bind);
  } else if (*kty == "EC") {
    r = ec_from_jwk(f, bind);
  } else if (*kty == "OKP") {
    r = okp_from_jwk(f, bind);
  } else {
    throw key_error{R"("kty": ")" + *kty + R"(" is not supported)"};
  }
  if (!r.value) throw key_error{r.error};
  if (const std::string* kid = f.get("kid")) {
    r.value->kid = *kid;
    r.value->has_kid = true;
  }
  return std::move(*r.value);
}

// The JWK members RFC 7517 §4 and RFC 7518 §6 define as strings.
bool is_string_member(std::string_view name) {
  static constexpr std::string_view k_names[] = {
      "kty", "use", "alg", "kid", "x5u", "x5t", "x5t#S256", "crv", "x", "y",
      "d",   "n",   "e",   "p",   "q",   "dp",  "dq",       "qi",  "k"};
  return std::find(std::begin(k_names), std::end(k_names), name) != std::end(k_names);
}

// Reads one member of a JWK into `out`: strings are kept (unescaped), key_ops is an
// array of strings, anything else (x5c, oth, ...) is validated and ignored.
status read_jwk_member(std::string_view name, od::value value, member_set& members,
                       jwk_fields& out) {
  od::json_type type{};
  if (auto e = value.type().get(type)) return json_error_status(e);
  if (name == "key_ops") {
    if (type != od::json_type::array) return status::bad_member_type;
    out.has_key_ops = true;
    od::array ops;
    if (auto e = value.get_array().get(ops)) return json_error_status(e);
    for (auto op_result : ops) {
      // The walk's element bound holds for the arrays read here too.
      if (out.key_ops.size() == k_jwk_limits.max_elements) return status::json_limit_exceeded;
      std::string_view op;
      if (auto e = op_result.get_string().get(op)) return json_error_status(e);
      out.key_ops.emplace_back(op);
    }
    return status::ok;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = value.get_string().get(s)) return json_error_status(e);
    out.strings.emplace(std::string(name), std::string(s));
    return status::ok;
  }
  if (is_string_member(name)) out.not_strings.emplace_back(name);
  return validate_value(value, 3, k_jwk_limits, members);
}

// Reads the "keys" array of a JWK Set; an element that is not an object is kept as an
// empty entry so that it is reported with its index.
status read_keys(od::value& value, member_set& members, std::vector<jwk_fields>& out) {
  od::array keys;
  if (value.get_array().get(keys) != simdjson::SUCCESS) return status::bad_member_type;
  for (auto element : keys) {
    if (out.size() == k_jwk_limits.max_elements) return status::json_limit_exceeded;
    od::value kv;
    if (auto e = element.get(kv)) return json_error_status(e);
    od::json_type type{};
    if (auto e = kv.type().get(type)) return json_error_status(e);
    jwk_fields& f = out.emplace_back();
    if (type != od::json_type::object) {
      if (const status s = validate_value(kv, 3, k_jwk_limits, members); s != status::ok) return s;
      continue;
    }
    od::object obj;
    if (auto e = kv.get_object().get(obj)) return json_error_status(e);
    const status s = walk_object(obj, k_jwk_limits, members, [&](std::string_view n, od::value& v) {
      return read_jwk_member(n, v, members, f);
    });
    if (s != status::ok) return s;
  }
  return status::ok;
}

std::string describe(std::string_view source, std::size_t index, const jwk_fields& f) {
  std::string where = std::string(source) + ": key " + std::to_string(index);
  if (const std::string* kid = f.get("kid")) where += " (kid " + escape_text(*kid, true) + ")";
  return where;
}

}  // namespace

void load_jwks(std::string_view json, std::string_view source, std::vector<key>& out,
               std::vector<std::string>& warnings) {
  const std::string where(source);
  const simdjson::padded_string text(json);
  od::parser parser;
  od::document doc;
  od::object root;
  if (parser.iterate(text).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS) {
    throw config_error(where + ": not a JSON object (expected a JWK or a JWK Set)");
  }
  // One pass: a JWK Set has "keys"; otherwise the root object itself is one JWK.
  member_set members;
  std::vector<jwk_fields> set;
  jwk_fields single;
  bool is_set = false;
  const status st =
      walk_object(root, k_jwk_limits, members, [&](std::string_view name, od::value& value) {
        if (name == "keys") {
          is_set = true;
          return read_keys(value, members, set);
        }
        return read_jwk_member(name, value, members, single);
      });
  if (st != status::ok) {
    throw config_error(where + ": invalid JSON in key document (" + std::string(status_name(st)) +
                       ")");
  }
  if (check_document_end(doc) != status::ok) {
    throw config_error(where + ": content after the JSON object");
  }
  if (!is_set) {
    if (single.get("kty") == nullptr) {
      throw config_error(where + R"(: neither a JWK Set ("keys") nor a JWK ("kty"))");
    }
    set.push_back(std::move(single));
  }

  const std::size_t before = out.size();
  std::vector<std::string> problems;
  std::vector<key> usable;
  std::vector<bool> without_alg;
  std::vector<std::string> skipped_kids;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const std::string name = describe(source, i, set[i]);
    try {
      if (set[i].strings.empty() && !set[i].has_key_ops && set[i].not_strings.empty()) {
        throw key_error{"not a JWK object"};
      }
      key k = key_from_fields(set[i]);
      k.origin = name;
      usable.push_back(std::move(k));
      without_alg.push_back(set[i].get("alg") == nullptr);
    } catch (const key_error& e) {
      problems.push_back(name + ": skipped: " + e.message);
      if (const std::string* kid = set[i].get("kid")) skipped_kids.push_back(*kid);
    }
  }
  // A kid that a skipped key also claims is ambiguous: which key did the issuer mean?
  // Refuse the usable one too rather than guess (Wycheproof jws_duplicate_kid).
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < usable.size(); ++i) {
    key& k = usable[i];
    if (k.has_kid &&
        std::find(skipped_kids.begin(), skipped_kids.end(), k.kid) != skipped_kids.end()) {
      problems.push_back(k.origin + ": refused: kid " + escape_text(k.kid, true) +
                         " is also used by a key that was skipped (ambiguous)");
      continue;
    }
    // RFC 8725 §3.1: one key, one algorithm. Loaded, but said.
    if (without_alg[i] && std::holds_alternative<rsa_material>(k.material)) {
      notes.push_back(k.origin + ": no \"alg\": " + k_unbound_rsa_warning +
                      "; give it an \"alg\" (RFC 7517 §4.4) to bind it to one");
    }
    out.push_back(std::move(k));
  }
  if (out.size() == before) {
    std::string message = where + ": no usable key";
    for (const auto& p : problems) message += "\n  " + p;
    throw config_error(message);
  }
  warnings.insert(warnings.end(), problems.begin(), problems.end());
  warnings.insert(warnings.end(), notes.begin(), notes.end());
}

}  // namespace jwtbatch::detail
