// structured_verify_fuzzer: the whole verify path, driven by a mutator that understands
// the token (docs/SECURITY.md §0, §4).
//
// Random bytes almost never survive the signature check, so the claims stage and the
// payload parser behind it see little of a plain fuzzer's work. This target's custom
// mutator decodes the three segments of a compact token, mutates the header or payload
// JSON as JSON (member values swapped for other types, numbers at the time-check edges,
// members duplicated, removed, added or renamed with escapes, deep nesting, whitespace)
// or the signature bytes, re-encodes, and half of the time re-signs header.payload with
// the fixture's HMAC secret, so that the mutated payload reaches the claims checks.
// Inputs that are not three decodable segments get libFuzzer's byte-level mutation.
// The cross-over joins one token's header with another's payload.
//
// Invariants: every result satisfies verify_fixture.hpp's check_result (enum status,
// claims only after the signature, the BoringSSL oracle on every accepted signature),
// and completeness: when the engine chose HS256 and an independent HMAC check says the
// signature is right, the engine must not call it bad_signature or
// bad_signature_length.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64url.hpp"
#include "jwtbatch/result.hpp"
#include "verify_fixture.hpp"

// libFuzzer's own mutator, for the byte-level mutations (absent, hence weak, in the
// replay build, which never calls the custom mutator).
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size,
                                                              std::size_t max_size);

namespace {

using namespace fuzz_verify;
using rng = std::minstd_rand;

// A token split at its first and last dot, header and payload decoded.
struct parts {
  std::string header;
  std::string payload;
  std::string signature;  // decoded bytes
};

std::optional<parts> split_token(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t last = token.rfind('.');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  const auto h = b64url_decode(token.substr(0, first));
  const auto p = b64url_decode(token.substr(first + 1, last - first - 1));
  const auto s = b64url_decode(token.substr(last + 1));
  if (!h || !p || !s) return std::nullopt;
  return parts{std::string(h->begin(), h->end()), std::string(p->begin(), p->end()),
               std::string(s->begin(), s->end())};
}

std::string join(const parts& p, bool resign) {
  std::string out = jwtbatch::detail::base64url_encode(p.header);
  out += '.';
  out += jwtbatch::detail::base64url_encode(p.payload);
  std::string signature = p.signature;
  if (resign) {
    const auto mac = hs256_mac(out);
    signature.assign(mac.begin(), mac.end());
  }
  out += '.';
  out += jwtbatch::detail::base64url_encode(signature);
  return out;
}

std::size_t pick(rng& r, std::size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(r);
}

// One member of a JSON object, as offsets into its text.
struct member {
  std::size_t begin;        // the opening quote of the name
  std::size_t name_end;     // one past the closing quote of the name
  std::size_t value_begin;  // first byte of the value
  std::size_t end;          // one past the value
};

// Skips a JSON string starting at its opening quote; npos if it does not end.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Skips one value (balanced brackets, strings honoured) without validating it.
std::size_t skip_value(std::string_view s, std::size_t i) {
  int depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      i = skip_string(s, i);
      if (i == std::string_view::npos) return i;
      if (depth == 0) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
      return i;
    }
    ++i;
  }
  return depth == 0 ? i : std::string_view::npos;
}

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// The members of the top-level object, or nothing if the text is not shaped like one.
std::vector<member> members_of(std::string_view s) {
  std::vector<member> out;
  std::size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return {};
  i = skip_ws(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    member m{};
    m.begin = i;
    m.name_end = skip_string(s, i);
    if (m.name_end == std::string_view::npos) return {};
    i = skip_ws(s, m.name_end);
    if (i >= s.size() || s[i] != ':') return {};
    m.value_begin = skip_ws(s, i + 1);
    m.end = skip_value(s, m.value_begin);
    if (m.end == std::string_view::npos || m.end == m.value_begin) return {};
    out.push_back(m);
    i = skip_ws(s, m.end);
    if (i < s.size() && s[i] == ',') i = skip_ws(s, i + 1);
  }
  return out;
}

// Member names worth adding: registered claims, header parameters, the custom claim
// the fixture returns.
constexpr std::array<std::string_view, 20> k_names = {
    "iss", "sub", "aud",  "exp", "nbf", "iat", "jti", "scope", "alg", "kid",
    "typ", "cty", "crit", "b64", "zip", "jwk", "jku", "x5c",   "x5u", "x5t#S256"};

// Values of every JSON type, and numbers at the edges the claims checks care about
// (the fixture judges at k_now = 1700000000 with 60 s of leeway).
constexpr std::array<std::string_view, 42> k_values = {"1700000000",
                                                       "1699999940",
                                                       "1699999939",
                                                       "1700000060",
                                                       "1700000061",
                                                       "1700000060.5",
                                                       "1699999939.999",
                                                       "0",
                                                       "-1",
                                                       "-0",
                                                       "1e400",
                                                       "-1e400",
                                                       "1e-400",
                                                       "1.7e9",
                                                       "17e8",
                                                       "9007199254740993",
                                                       "18446744073709551616",
                                                       "1700000000000",
                                                       "\"1700000000\"",
                                                       "true",
                                                       "false",
                                                       "null",
                                                       "[]",
                                                       "{}",
                                                       "\"\"",
                                                       "\"a\"",
                                                       "\"\\u0000\"",
                                                       "\"\\ud800\"",
                                                       "\"\\ud83d\\ude00\"",
                                                       "\"HS256\"",
                                                       "\"none\"",
                                                       "\"hs\"",
                                                       "\"ec\"",
                                                       "[\"a\",\"b\"]",
                                                       "[\"a\",1]",
                                                       "[[[[[[[[[]]]]]]]]]",
                                                       "{\"a\":{\"b\":{\"c\":[1,2,{}]}}}",
                                                       "[\"exp\"]",
                                                       "\"https://issuer.example\"",
                                                       "\"JWT\"",
                                                       "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
                                                       "1.0"};

std::string escape_name(std::string_view name) {
  // "exp" -> "\u0065xp": the same name after unescaping.
  std::string out = "\"";
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 1; i + 1 < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (i == 1 && c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

// Structural mutations of a JSON object's text.
void mutate_json(std::string& json, rng& r) {
  const std::vector<member> ms = members_of(json);
  const std::size_t choice = pick(r, ms.empty() ? 3 : 9);
  const member* m = ms.empty() ? nullptr : &ms[pick(r, ms.size())];
  const auto any_value = [&] { return std::string(k_values[pick(r, k_values.size())]); };
  const auto any_member = [&] {
    std::string out = "\"";
    out += k_names[pick(r, k_names.size())];
    out += "\":";
    out += any_value();
    return out;
  };
  switch (m == nullptr ? choice + 100 : choice) {
    case 0:  // replace a value
      json.replace(m->value_begin, m->end - m->value_begin, any_value());
      break;
    case 1: {  // duplicate a member, as is or with its name escaped
      std::string copy = ",";
      copy += pick(r, 2) == 0 ? json.substr(m->begin, m->name_end - m->begin)
                              : escape_name(json.substr(m->begin, m->name_end - m->begin));
      copy += json.substr(m->name_end, m->end - m->name_end);
      json.insert(m->end, copy);
      break;
    }
    case 2: {  // remove a member (and the comma that joined it)
      std::size_t b = m->begin;
      std::size_t e = skip_ws(json, m->end);
      if (e < json.size() && json[e] == ',') {
        ++e;
      } else if (m != ms.data()) {
        b = ms[static_cast<std::size_t>(m - ms.data()) - 1].end;
      }
      json.erase(b, e - b);
      break;
    }
    case 3:  // rename with an escape
      json.replace(m->begin, m->name_end - m->begin,
                   escape_name(json.substr(m->begin, m->name_end - m->begin)));
      break;
    case 4:  // wrap a value in an array, or nest it deeper
      json.insert(m->end, 1, ']');
      json.insert(m->value_begin, 1, '[');
      break;
    case 5:  // a digit or a fraction appended (a number changed, anything else broken)
      json.insert(m->end, pick(r, 2) == 0 ? "1" : ".5");
      break;
    case 6:  // whitespace between the tokens of a member
      json.insert(m->name_end, pick(r, 2) == 0 ? " \n" : "\t");
      break;
    case 7:  // cut the object short
      json.resize(m->end);
      break;
    case 8:  // add a member next to an existing one
    case 100:
    default: {  // add a member after the opening brace (or make an object)
      const std::size_t brace = json.find('{');
      std::string added = any_member();
      if (brace == std::string::npos) {
        json = '{';
        json += added;
        json += '}';
      } else {
        const std::size_t next = skip_ws(json, brace + 1);
        if (next >= json.size() || json[next] != '}') added += ',';
        json.insert(brace + 1, added);
      }
      break;
    }
  }
}

// libFuzzer's byte mutation of `s` in place (dictionary entries included), bounded.
void mutate_bytes(std::string& s, std::size_t max_size) {
  if (LLVMFuzzerMutate == nullptr) return;
  const std::size_t size = s.size();
  s.resize(std::max(max_size, size));
  s.resize(LLVMFuzzerMutate(reinterpret_cast<std::uint8_t*>(s.data()), size, s.size()));
}

std::size_t emit(const std::string& out, std::uint8_t* data, std::size_t max_size) {
  if (out.size() > max_size) return 0;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  rng r(seed);
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  std::optional<parts> p = split_token(token);
  if (!p || pick(r, 10) == 0) {
    // Not a token we can take apart (or, now and then, on purpose): bytes.
    return LLVMFuzzerMutate != nullptr ? LLVMFuzzerMutate(data, size, max_size) : size;
  }
  switch (pick(r, 10)) {
    case 0:
    case 1:
      mutate_json(p->header, r);
      break;
    case 2:
      mutate_bytes(p->header, p->header.size() + 16);
      break;
    case 3:
    case 4:
    case 5:
    case 6:
      mutate_json(p->payload, r);
      break;
    case 7:
      mutate_bytes(p->payload, p->payload.size() + 32);
      break;
    default:
      mutate_bytes(p->signature, p->signature.size() + 8);
      break;
  }
  const std::size_t n = emit(join(*p, pick(r, 2) == 0), data, max_size);
  return n != 0 ? n : (LLVMFuzzerMutate != nullptr ? LLVMFuzzerMutate(data, size, max_size) : size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
  rng r(seed);
  auto a = split_token({reinterpret_cast<const char*>(data1), size1});
  const auto b = split_token({reinterpret_cast<const char*>(data2), size2});
  if (!a || !b) return 0;
  if (pick(r, 2) == 0) {
    a->payload = b->payload;
  } else {
    a->header = b->header;
  }
  return emit(join(*a, pick(r, 2) == 0), out, max_out_size);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const jwtbatch::result out = verify_checked("structured_verify_fuzzer", token);
  const fixture& f = the_fixture();

  // Completeness: a right HMAC under the key the engine chose is never a bad signature.
  if (out.algorithm == alg::hs256) {
    const std::size_t last = token.rfind('.');
    const auto sig = b64url_decode(token.substr(last + 1));
    if (sig && oracle_verify(f, alg::hs256, token.substr(0, last), *sig)) {
      check(out.code != status::bad_signature && out.code != status::bad_signature_length,
            "engine rejected a signature the direct HMAC check accepts", out.code);
    }
  }
  return 0;
}
