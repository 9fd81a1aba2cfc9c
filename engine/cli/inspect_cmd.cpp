#include "inspect_cmd.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "jwtbatch/base64url.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::cli {
namespace {

// A pasted token may be a whole terminal line: bigger than any sane token, still bounded.
constexpr std::size_t k_max_line_bytes = std::size_t{16} * 1024 * 1024;

constexpr std::string_view k_space = " \t\r\n\v\f";

std::string_view trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(k_space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(k_space) - first + 1);
}

// The first line of `in`, without its line end. Throws config_error naming stdin.
std::string read_first_line(std::FILE* in) {
  std::string line;
  int c = 0;
  while ((c = std::fgetc(in)) != EOF && c != '\n') {
    if (line.size() == k_max_line_bytes) {
      throw config_error("standard input: the first line is over 16 MiB; not a token");
    }
    line.push_back(static_cast<char>(c));
  }
  if (std::ferror(in) != 0) throw config_error("standard input: cannot read");
  return line;
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Why the engine's strict decoder refused `seg` (RFC 7515 §2, RFC 4648 §5), in words.
std::string base64url_problem(std::string_view seg) {
  for (std::size_t i = 0; i < seg.size(); ++i) {
    const char c = seg[i];
    if (c == '=') return fmt::format("'=' padding at offset {} (JWS base64url has none)", i);
    if (c == '+' || c == '/') {
      return fmt::format("'{}' at offset {} is standard base64, not base64url", c, i);
    }
    if (!is_base64url_char(c)) {
      const auto byte = static_cast<unsigned char>(c);
      return byte > 0x20 && byte < 0x7f
                 ? fmt::format("'{}' at offset {} is not in the base64url alphabet", c, i)
                 : fmt::format("byte 0x{:02x} at offset {} is not in the base64url alphabet", byte,
                               i);
    }
  }
  if (seg.size() % 4 == 1) {
    return fmt::format("length {} leaves a lone character (1 mod 4): not whole bytes", seg.size());
  }
  return "the last character has non-zero unused bits (a second spelling of the same bytes)";
}

// Decodes a header or payload segment: `shown` becomes its JSON (minified), or the
// decoded bytes as a JSON string when they are not JSON, or stays null when the
// segment is not base64url. Problems go to `errors`, prefixed with `name`.
void show_json_segment(std::string_view name, std::string_view seg, std::string& shown,
                       std::vector<std::string>& errors) {
  std::vector<std::uint8_t> buf(base64url_decoded_size(seg.size()) + 1);
  std::size_t len = 0;
  if (!base64url_decode(seg, buf.data(), &len)) {
    errors.push_back(fmt::format("{}: not strict base64url: {}", name, base64url_problem(seg)));
    return;
  }
  const std::string_view text(reinterpret_cast<const char*>(buf.data()), len);
  if (text.empty()) {
    errors.push_back(fmt::format("{}: empty segment, no JSON", name));
    shown = R"("")";
    return;
  }
  json_text j = read_json_text(text);
  if (!j.ok) {
    errors.push_back(fmt::format("{}: {}", name, j.problem));
    shown.clear();
    append_json_string(shown, text);
    return;
  }
  shown = std::move(j.minified);
  if (!j.is_object) errors.push_back(fmt::format("{}: JSON, but not an object", name));
}

}  // namespace

std::string pretty_json(std::string_view minified) {
  std::string out;
  out.reserve(minified.size() * 2);
  std::size_t depth = 0;
  bool in_string = false;
  const auto newline = [&] {
    out += '\n';
    out.append(depth * 2, ' ');
  };
  for (std::size_t i = 0; i < minified.size(); ++i) {
    const char c = minified[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < minified.size()) {
        out += minified[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[':
        if (i + 1 < minified.size() && (minified[i + 1] == '}' || minified[i + 1] == ']')) {
          out += c;
          out += minified[++i];  // {} and [] stay on one line
          break;
        }
        out += c;
        ++depth;
        newline();
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        newline();
        out += c;
        break;
      case ',':
        out += c;
        newline();
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void setup_inspect_command(CLI::App& sub, inspect_options& o) {
  CLI::App* cmd = &sub;
  cmd->add_option("token", o.token,
                  "The compact token; - or none reads the first line of standard input");
  cmd->add_flag("-c,--compact", o.compact, "One line of JSON instead of indented JSON");
}

int run_inspect(const inspect_options& o, std::FILE* out, std::FILE* err) {
  // Said every time, first: nothing below is a verdict on the token.
  fmt::print(err, "jwtbatch inspect: NOT VERIFIED: the signature was not checked\n");
  std::fflush(err);
  const bool from_stdin = o.token.empty() || o.token == "-";
  const std::string line = from_stdin ? read_first_line(stdin) : o.token;
  const std::string_view token = trim(line);
  if (token.empty()) {
    throw config_error(from_stdin ? "standard input: no token on the first line"
                                  : "token: the argument is empty");
  }

  std::vector<std::string> errors;
  std::string header = "null";
  std::string payload = "null";
  std::string signature_bytes = "null";
  std::vector<std::string_view> segments;
  for (std::size_t start = 0;;) {
    const std::size_t dot = token.find('.', start);
    segments.push_back(token.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (token.front() == '{') {
    errors.emplace_back("token: a JWS JSON serialization (starts with '{'), not a compact token");
  } else if (segments.size() == 5) {
    errors.emplace_back("token: 5 segments: a JWE (RFC 7516 §7.1), not a JWS");
  } else if (segments.size() != 3) {
    errors.push_back(fmt::format(
        "token: {} segment(s); a compact JWS has 3 (header.payload.signature, RFC 7515 §7.1)",
        segments.size()));
  } else {
    show_json_segment("header", segments[0], header, errors);
    show_json_segment("payload", segments[1], payload, errors);
    std::vector<std::uint8_t> buf(base64url_decoded_size(segments[2].size()) + 1);
    std::size_t len = 0;
    if (base64url_decode(segments[2], buf.data(), &len)) {
      signature_bytes = std::to_string(len);
    } else {
      errors.push_back(
          fmt::format("signature: not strict base64url: {}", base64url_problem(segments[2])));
    }
  }

  std::string doc = R"({"header":)" + header + R"(,"payload":)" + payload +
                    R"(,"signature_bytes":)" + signature_bytes;
  if (!errors.empty()) {
    doc += R"(,"errors":[)";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (i > 0) doc += ',';
      append_json_string(doc, errors[i]);
    }
    doc += ']';
  }
  doc += '}';
  std::string text = o.compact ? std::move(doc) : pretty_json(doc);
  text += '\n';
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
    throw config_error("standard output: write failed");
  }
  return errors.empty() ? 0 : 1;
}

}  // namespace jwtbatch::cli
