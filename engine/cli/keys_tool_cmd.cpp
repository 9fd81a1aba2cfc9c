#include "keys_tool_cmd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include <fmt/core.h>
#include <fmt/format.h>

#include "commands.hpp"
#include "flags.hpp"
#include "history_cmd.hpp"
#include "io.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_history.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "replacing_file.hpp"

namespace jwtbatch::cli {
namespace {

// ---- the nested subcommands -----------------------------------------------------------

// nested makes one entry of the table below: the options live as long as the entry's
// functions (shared by both), so a subcommand needs no member anywhere else.
template <class Options>
command nested(std::string_view name, std::string_view help, void (*setup)(CLI::App&, Options&),
               int (*run)(const Options&, std::FILE*, std::FILE*)) {
  auto options = std::make_shared<Options>();
  return {name, help, [options, setup](CLI::App& cmd) { setup(cmd, *options); },
          [options, run](std::FILE* out, std::FILE* err) { return run(*options, out, err); }};
}

// The subcommands of `jwtbatch keys`, in the order of its help. One more is one entry
// here (and the include of its header).
std::vector<command> keys_subcommands() {
  return {
      nested<keys_list_options>(
          "list",
          "List the keys that the key flags of verify give (loaded as verify loads them; "
          "--jwks-url and --oidc-issuer fetched once), or every window of a --key-history: "
          "kid, algorithms, type, size, RFC 7638 thumbprint, window and source; a table, or "
          "NDJSON with --json.",
          setup_keys_list_command, run_keys_list),
      nested<keys_convert_options>(
          "convert",
          "Convert a PEM key (public key, certificate or private key) to its public JWK or a "
          "JWK Set, or a JWK / JWK Set to PEM public keys; --private writes private JWKs.",
          setup_keys_convert_command, run_keys_convert),
      nested<snapshot_options>(
          "snapshot",
          "Record the keys that --jwks files, --jwks-url or --oidc-issuer list now (or --at "
          "a time) in a --key-history file, for verifying old logs with the keys of their "
          "time.",
          setup_snapshot_command, run_snapshot),
  };
}

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

void write_stdout(std::FILE* out, const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
    throw config_error("standard output: write failed");
  }
}

// ---- keys list ------------------------------------------------------------------------

// One key as the listing shows it: its description, and its window when it comes from a
// key history (null otherwise). A source that knows more about its keys adds a member
// here and a column below.
struct key_row {
  const key_info* info;
  const key_window* window;
};

// A column of the listing: its table header, its NDJSON member, and how a row fills
// each. `text` is one table cell (never a tab or newline: escaped), `json` a JSON value.
struct column {
  std::string_view header;
  std::string_view member;
  std::string (*text)(const key_row&);
  std::string (*json)(const key_row&);
};

// A kid as a table cell: bare when it is printable ASCII without spaces or quotes (and
// not "-", the cell of a key without kid), else quoted and escaped as messages quote it.
std::string kid_cell(const key_row& r) {
  if (!r.info->has_kid) return "-";
  const std::string& kid = r.info->kid;
  const bool bare = !kid.empty() && kid != "-" && std::all_of(kid.begin(), kid.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '"' && c != '\\';
  });
  return bare ? kid : escape_text(kid, true);
}

std::string algs_text(const key_row& r) {
  std::string s;
  for (const alg a : r.info->algs) s += (s.empty() ? "" : ",") + std::string(alg_name(a));
  return s;
}

std::string algs_json(const key_row& r) {
  std::string s = "[";
  for (const alg a : r.info->algs) s += (s.size() == 1 ? "" : ",") + json_quoted(alg_name(a));
  return s + "]";
}

// A time of a window as JSON: whole seconds bare, a fraction to the millisecond.
std::string json_number(double t) {
  char buf[48];
  (void)std::snprintf(buf, sizeof buf, t == std::floor(t) ? "%.0f" : "%.3f", t);
  return buf;
}

// "FROM..UNTIL" in RFC 3339 ("FROM.." while the key is still listed); "-" outside a
// history.
std::string window_text(const key_row& r) {
  if (r.window == nullptr) return "-";
  return rfc3339_utc(r.window->from) + ".." +
         (r.window->until ? rfc3339_utc(*r.window->until) : "");
}

std::string window_json(const key_row& r) {
  if (r.window == nullptr) return "null";
  return "{\"from\":" + json_number(r.window->from) +
         ",\"until\":" + (r.window->until ? json_number(*r.window->until) : "null") + "}";
}

constexpr column k_columns[] = {
    {"KID", "kid", kid_cell,
     [](const key_row& r) { return r.info->has_kid ? json_quoted(r.info->kid) : "null"; }},
    {"ALGS", "algs", algs_text, algs_json},
    {"KTY", "kty", [](const key_row& r) { return r.info->type; },
     [](const key_row& r) { return json_quoted(r.info->type); }},
    {"BITS", "bits", [](const key_row& r) { return std::to_string(r.info->bits); },
     [](const key_row& r) { return std::to_string(r.info->bits); }},
    {"THUMBPRINT", "thumbprint", [](const key_row& r) { return r.info->thumbprint; },
     [](const key_row& r) { return json_quoted(r.info->thumbprint); }},
    {"WINDOW", "window", window_text, window_json},
    // Last: a file name may hold spaces, and the last cell needs no alignment.
    {"SOURCE", "source", [](const key_row& r) { return escape_text(r.info->origin); },
     [](const key_row& r) { return json_quoted(r.info->origin); }},
};

// The table: columns two spaces apart, each as wide as its widest cell, the last one
// unpadded.
std::string table(const std::vector<key_row>& rows) {
  constexpr std::size_t n = std::size(k_columns);
  std::vector<std::vector<std::string>> cells;
  cells.emplace_back();
  for (const column& c : k_columns) cells.back().emplace_back(c.header);
  for (const key_row& r : rows) {
    cells.emplace_back();
    for (const column& c : k_columns) cells.back().push_back(c.text(r));
  }
  std::vector<std::size_t> width(n, 0);
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < n; ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out;
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < n; ++i) {
      out += line[i];
      if (i + 1 < n) out.append(width[i] - line[i].size() + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string ndjson(const std::vector<key_row>& rows) {
  std::string out;
  for (const key_row& r : rows) {
    out += '{';
    for (const column& c : k_columns) {
      if (&c != &k_columns[0]) out += ',';
      out += json_quoted(c.member) + ":" + c.json(r);
    }
    out += "}\n";
  }
  return out;
}

// ---- keys convert ---------------------------------------------------------------------

// wipe zeroes the bytes of `s` in a way the compiler keeps (it may hold a private key).
void wipe(std::string& s) noexcept {
  explicit_bzero(s.data(), s.size());
}

// The text of --in, wiped when it goes away (it may be a private key).
struct input_text {
  std::string text;
  input_text() = default;
  input_text(const input_text&) = delete;
  input_text& operator=(const input_text&) = delete;
  ~input_text() { wipe(text); }
};

// read_input reads --in whole with the key-file rules of key_set_builder::add_file
// (read_key_file_text: a regular file, at most max_key_file_bytes); not through add_file,
// because the input's kind (PEM or JWK) decides the default --to.
void read_input(const std::string& path, input_text& out) {
  try {
    out.text = read_key_file_text(path);
  } catch (const config_error& e) {
    rethrow_naming(e, "--in", path);
  }
}

}  // namespace

// ---- keys list ------------------------------------------------------------------------

void setup_keys_list_command(CLI::App& sub, keys_list_options& o) {
  CLI::App* cmd = &sub;
  engine_options& k = o.keys;
  // The key flags of verify, the same words (engine_flags.cpp), and --alg for binding.
  add_key_flags(cmd, k);
  add_list_flag(cmd, "--alg", k.algs,
                "The one algorithm --key or --secret-file is bound to (--secret-file: default "
                "HS256)");
  cmd->add_flag("--json", o.json,
                "One NDJSON object per key: "
                "{\"kid\",\"algs\":[...],\"kty\",\"bits\",\"thumbprint\",\"window\":"
                "{\"from\",\"until\"},\"source\"}");
}

int run_keys_list(const keys_list_options& o, std::FILE* out, std::FILE* err) {
  std::vector<key_info> infos;
  std::vector<key_window> windows;
  if (!o.keys.key_history.empty()) {
    // Every window of the history, each key described as its own set describes it.
    windows = load_key_history(o.keys)->windows();
    for (const key_window& w : windows) {
      key_set_builder b;
      b.add_jwks(w.jwk, w.source);
      infos.push_back(b.build()->describe().front());
    }
  } else {
    const std::shared_ptr<const key_set> keys = load_key_source(o.keys, err, false)->keys();
    for (const std::string& w : keys->warnings()) {
      fmt::print(err, "jwtbatch keys list: warning: {}\n", w);
    }
    infos = keys->describe();
  }
  std::vector<key_row> rows;
  for (std::size_t i = 0; i < infos.size(); ++i) {
    rows.push_back({&infos[i], windows.empty() ? nullptr : &windows[i]});
  }
  write_stdout(out, o.json ? ndjson(rows) : table(rows));
  return 0;
}

// ---- keys convert ---------------------------------------------------------------------

void setup_keys_convert_command(CLI::App& sub, keys_convert_options& o) {
  CLI::App* cmd = &sub;
  cmd->add_option("--in", o.in, "PEM (public key, certificate, private key), JWK or JWK Set file")
      ->required()
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--to", o.to,
                  "jwk (one public JWK), jwks (a JWK Set) or pem (PUBLIC KEY blocks); default: "
                  "jwk for a PEM input, pem for a JWK input")
      ->type_name("FORMAT")
      ->check(non_empty());
  cmd->add_option("--kid", o.kid, "Key id of a PEM input's key (its JWK's \"kid\")")
      ->type_name("KID")
      ->check(non_empty());
  cmd->add_option("--alg", o.alg, "Algorithm a PEM input's key is bound to (its JWK's \"alg\")")
      ->type_name("ALG")
      ->check(non_empty());
  cmd->add_option("--out", o.out, "Output file (mode 0600 with --private); - = stdout (default)")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_flag("--private", o.private_key,
                "Write the private JWK of a private key (never without this flag)");
  cmd->add_flag("--force", o.force, "Replace an existing --out file (a regular file only)");
}

int run_keys_convert(const keys_convert_options& o, std::FILE* out, std::FILE* err) {
  // Flags first, then the input.
  if (!o.to.empty() && o.to != "jwk" && o.to != "jwks" && o.to != "pem") {
    throw config_error(fmt::format("--to {}: expected jwk, jwks or pem", json_quoted(o.to)));
  }
  if (o.private_key && o.to == "pem") {
    throw config_error(
        "--private: PEM output holds public keys only (SubjectPublicKeyInfo); give --to jwk or "
        "--to jwks for the private JWK");
  }
  std::optional<alg> bind;
  if (!o.alg.empty()) bind = parse_alg(o.alg, "--alg", alg_use::verify);
  const bool to_stdout = o.out.empty() || o.out == "-";
  if (!to_stdout && !o.force) {
    struct stat st {};
    if (::lstat(o.out.c_str(), &st) == 0) {
      throw config_error(fmt::format("--out {}: exists; give --force to replace it", o.out));
    }
  }

  input_text input;
  read_input(o.in, input);
  const bool pem = input.text.find("-----BEGIN") != std::string::npos;
  if (!pem && (!o.kid.empty() || bind)) {
    throw config_error(fmt::format(
        "{}: --in {} is a JWK or JWK Set, whose keys carry their own kid and alg; --kid and "
        "--alg are for a PEM input",
        o.kid.empty() ? "--alg" : "--kid", o.in));
  }
  key_set_builder builder;
  builder.allow_mixed_key_types();  // a JWK Set may hold both; each key is judged below
  builder.expect_private_keys();    // a private PEM is a normal input here
  std::shared_ptr<const key_set> keys;
  try {
    if (pem) {
      builder.add_pem(input.text, o.in, o.kid, bind);
    } else {
      builder.add_jwks(input.text, o.in);
    }
    keys = builder.build();
  } catch (const config_error& e) {
    rethrow_naming(e, "--in", o.in);
  }
  for (const std::string& w : keys->warnings()) {
    fmt::print(err, "jwtbatch keys convert: warning: --in {}\n", w);
  }

  const std::string to = !o.to.empty() ? o.to : pem ? "jwk" : "pem";
  const std::vector<key_info> infos = keys->describe();
  if (to == "jwk" && infos.size() != 1) {
    throw config_error(fmt::format(
        "--to jwk: --in {} holds {} keys; give --to jwks for a JWK Set of them, or --to pem", o.in,
        infos.size()));
  }
  const bool any_private = std::any_of(
      infos.begin(), infos.end(), [](const key_info& k) { return k.can_sign && k.type != "oct"; });
  if (o.private_key &&
      std::none_of(infos.begin(), infos.end(), [](const key_info& k) { return k.can_sign; })) {
    throw config_error(
        fmt::format("--private: --in {} holds no private key (only public keys)", o.in));
  }

  std::vector<std::string> parts;
  for (std::size_t i = 0; i < infos.size(); ++i) {
    const key_info& k = infos[i];
    if (k.type == "oct" && (to == "pem" || !o.private_key)) {
      throw config_error(
          fmt::format("--in {}: an HMAC secret (kty oct) has no public key to write{}", k.origin,
                      to == "pem" ? "; PEM holds public keys only"
                                  : "; its JWK is the secret itself, written only with --private"));
    }
    if (to == "pem") {
      parts.push_back(export_public_pem(*keys, i));
    } else if (o.private_key && k.can_sign) {
      parts.push_back(export_private_jwk(*keys, i));
    } else {
      parts.push_back(k.public_jwk);
    }
  }
  std::string text;
  if (to == "pem") {
    for (const std::string& p : parts) text += p;
  } else if (to == "jwk") {
    text = parts.front() + "\n";
  } else {
    // The layout of keygen's sets: one key per line.
    text = "{\"keys\":[";
    for (std::size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "\n  " : ",\n  ") + parts[i];
    text += "\n]}\n";
  }
  for (std::string& p : parts) wipe(p);

  const bool wrote_private = o.private_key;  // checked above: some key has a private part
  if (to_stdout) {
    write_stdout(out, text);
  } else {
    replacing_file file(o.out, "--out", wrote_private ? std::optional<mode_t>(0600) : std::nullopt);
    file.write(text);
    file.commit(o.force ? replacing_file::on_existing::replace
                        : replacing_file::on_existing::refuse);
  }
  wipe(text);
  if (any_private && !o.private_key) {
    fmt::print(err,
               "jwtbatch keys convert: --in {} holds a private key; only the public key was "
               "written (--private writes the private JWK)\n",
               o.in);
  }
  if (!to_stdout) {
    fmt::print(err, "jwtbatch keys convert: {} key(s) written to {}{}\n", infos.size(), o.out,
               wrote_private ? " (mode 0600)" : "");
  }
  return 0;
}

// ---- the keys command -----------------------------------------------------------------

void setup_keys_command(CLI::App& cmd, keys_options& o) {
  for (const command& c : keys_subcommands()) {
    CLI::App* sub = cmd.add_subcommand(std::string(c.name), std::string(c.help));
    c.setup(*sub);
    o.nested.emplace_back(sub, c.run);
  }
  cmd.require_subcommand(1);
}

int run_keys(const keys_options& o, std::FILE* out, std::FILE* err) {
  for (const auto& [sub, run] : o.nested) {
    if (sub->parsed()) return run(out, err);
  }
  // Unreachable: setup_keys_command requires one subcommand, and CLI11 says so first.
  throw config_error("keys: a subcommand is required (jwtbatch keys --help lists them)");
}

}  // namespace jwtbatch::cli
