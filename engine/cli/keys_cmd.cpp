#include "keys_cmd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <system_error>

#include <fmt/core.h>
#include <fmt/format.h>

#include "engine_flags.hpp"
#include "flags.hpp"
#include "io.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/sign.hpp"
#include "replacing_file.hpp"

namespace jwtbatch::cli {
namespace {

// file_kind names the type in `mode` (st_mode from lstat) for the messages that refuse a
// keygen target, in the words key_set_builder::add_file uses for a key file that is not
// a regular file (the engine keeps its own: the CLI does not include engine headers).
const char* file_kind(mode_t mode) noexcept {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// RFC 7519 §2 NumericDate bound used by the engine: exact as a double.
constexpr double k_max_numeric_date = 9007199254740992.0;

bool is_rsa(alg a) {
  return a >= alg::rs256 && a <= alg::ps512;
}
bool is_hmac(alg a) {
  return a <= alg::hs512;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// ---- files ----------------------------------------------------------------------------

// check_target refuses an empty name, a target that exists and is not a regular file
// (lstat: renaming over a device node as root replaces it for the whole system, over
// a symlink replaces the link), an existing file without --force, and a directory
// that cannot hold it. Returns where the output will land, for the same-file check.
file_identity check_target(std::string_view flag, const std::string& path, bool force) {
  if (path.empty()) throw config_error(fmt::format("{}: empty value; give a file name", flag));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      throw config_error(fmt::format(
          "{} {}: exists and is {}; keygen only writes regular files, never replaces anything "
          "else",
          flag, path, file_kind(st.st_mode)));
    }
    if (!force) {
      throw config_error(fmt::format(
          "{} {}: exists; give --force to replace it (its keys are then lost)", flag, path));
    }
  } else if (errno != ENOENT) {
    throw config_error(
        fmt::format("{} {}: cannot check: {}", flag, path, std::generic_category().message(errno)));
  } else if (const std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
             name.empty() || name == "." || name == "..") {
    throw config_error(fmt::format("{} {}: names a directory, not a file", flag, path));
  }
  const std::optional<file_identity> id = identify(path);
  if (!id) {
    throw config_error(fmt::format("{} {}: cannot create: {}", flag, path,
                                   std::generic_category().message(errno)));
  }
  return *id;
}

void write_stdout(std::FILE* out, const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
    throw config_error("standard output: write failed");
  }
}

// The value of a flag that takes JSON text or @file (@- = standard input). A file must
// be a regular file (opened without blocking, checked with fstat: @/dev/zero would be
// read until memory ran out, a FIFO forever), and nothing read may be longer than the
// longest token jwtbatch accepts (max_token_bytes_limit): its JSON could not fit.
std::string read_json_arg(const std::string& value, std::string_view flag) {
  if (value.empty() || value.front() != '@') return value;
  const std::string path = value.substr(1);
  const auto fail = [&](const std::string& what) {
    throw config_error(fmt::format("{} @{}: {}", flag, path, what));
  };
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) fail(fmt::format("cannot open: {}", std::generic_category().message(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int e = errno;
      ::close(fd);
      fail(fmt::format("cannot read: {}", std::generic_category().message(e)));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      fail(fmt::format("not a regular file ({})", file_kind(st.st_mode)));
    }
  }
  std::string text;
  std::array<char, 65536> buf{};
  for (;;) {
    const ssize_t n = io::read_some(fd, buf.data(), buf.size());
    if (n < 0) {
      const int e = errno;
      if (fd != STDIN_FILENO) ::close(fd);
      fail(fmt::format("cannot read: {}", std::generic_category().message(e)));
    }
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
    if (text.size() > max_token_bytes_limit) {
      if (fd != STDIN_FILENO) ::close(fd);
      fail(fmt::format("longer than {} MiB, more than a token may hold",
                       max_token_bytes_limit >> 20));
    }
  }
  if (fd != STDIN_FILENO) ::close(fd);
  return text;
}

// A flag's JSON object, checked as strictly as verify will read it.
json_text read_json_object(const std::string& value, std::string_view flag) {
  const std::string text = read_json_arg(value, flag);
  json_text j = read_json_text(text);
  if (!j.ok) throw config_error(fmt::format("{}: {}", flag, j.problem));
  if (!j.is_object) throw config_error(fmt::format("{}: must be a JSON object", flag));
  return j;
}

const std::string* member(const json_text& j, std::string_view name) {
  for (const auto& [n, v] : j.members) {
    if (n == name) return &v;
  }
  return nullptr;
}

// `object` (minified) with `extra` ("name":value,... without braces) appended.
std::string with_members(const std::string& object, const std::string& extra) {
  if (extra.empty()) return object;
  const std::string body = object.substr(1, object.size() - 2);
  return "{" + body + (body.empty() ? "" : ",") + extra + "}";
}

// --exp-in: digits and one unit (s, m, h, d; none = seconds).
std::int64_t parse_duration(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  std::int64_t unit = 0;
  if (ec == std::errc() && value >= 0 && !text.empty() && text.front() >= '0' &&
      text.front() <= '9') {
    const std::string_view rest(ptr, static_cast<std::size_t>(end - ptr));
    unit = rest.empty() || rest == "s" ? 1
           : rest == "m"               ? 60
           : rest == "h"               ? 3600
           : rest == "d"               ? 86400
                                       : 0;
  }
  if (unit == 0 || value > static_cast<std::int64_t>(k_max_numeric_date) / 86400) {
    throw config_error("--exp-in \"" + text + "\": not a duration (e.g. 90s, 30m, 1h, 2d)");
  }
  return value * unit;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---- keygen -------------------------------------------------------------------------

void setup_keygen_command(CLI::App& sub, keygen_options& o) {
  CLI::App* cmd = &sub;
  add_list_flag(cmd, "--alg", o.algs, "Algorithms, one key each (HS256, ..., EdDSA)")->required();
  add_list_flag(cmd, "--kid", o.kids,
                "Key ids: one per --alg, in order (default <alg>-<n>: es256-1, es256-2...)");
  add_whole_flag(cmd, "--bits", o.bits, k_min_rsa_bits, k_max_rsa_bits,
                 "RSA modulus size for RS*/PS* keys, a multiple of 128", "bits", "2048");
  cmd->add_option("--out", o.out,
                  "Private JWK Set file (mode 0600), never an existing one without --force; - = "
                  "stdout (default)")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--public-out", o.public_out,
                  "Public JWK Set file (mode 0666 less the umask); - = stdout")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_flag("--force", o.force,
                "Replace existing --out / --public-out files (regular files only)");
}

int run_keygen(const keygen_options& o, std::FILE* out, std::FILE* err) {
  // Every flag is checked before any key is made or anything written.
  std::vector<alg> algs;
  for (const std::string& name : o.algs) algs.push_back(parse_alg(name, "--alg", alg_use::sign));
  if (algs.empty()) throw config_error("--alg: at least one algorithm is required");

  std::vector<std::string> kids = o.kids;
  if (!kids.empty() && kids.size() != algs.size()) {
    throw config_error(fmt::format(
        "--kid: give one kid per algorithm ({} algorithm(s), {} kid(s)), or none for the "
        "defaults <alg>-<n>",
        algs.size(), kids.size()));
  }
  if (kids.empty()) {
    std::map<alg, int> seen;
    for (const alg a : algs) kids.push_back(lower(alg_name(a)) + "-" + std::to_string(++seen[a]));
  }
  for (std::size_t i = 0; i < kids.size(); ++i) {
    if (kids[i].empty()) throw config_error("--kid: a kid cannot be empty");
    if (std::find(kids.begin(), kids.begin() + static_cast<std::ptrdiff_t>(i), kids[i]) !=
        kids.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw config_error("--kid \"" + kids[i] +
                         "\" is given twice: a key set refuses keys sharing a kid");
    }
  }

  // --bits is decimal and within k_min_rsa_bits..k_max_rsa_bits (add_whole_flag).
  auto bits = static_cast<unsigned>(k_min_rsa_bits);
  if (o.bits) {
    if (std::none_of(algs.begin(), algs.end(), is_rsa)) {
      throw config_error("--bits: only RSA keys (RS*, PS*) have a size; --alg has none");
    }
    // BoringSSL rounds other sizes down without a word: 3000 would make 2944 bits.
    if (*o.bits % k_rsa_bits_step != 0) {
      throw config_error(
          fmt::format("--bits {}: not a multiple of {} (BoringSSL would make a {}-bit key instead)",
                      *o.bits, k_rsa_bits_step, *o.bits / k_rsa_bits_step * k_rsa_bits_step));
    }
    bits = static_cast<unsigned>(*o.bits);
  }

  if (o.out.empty()) throw config_error("--out: empty value; give a file name, or - for stdout");
  const bool private_to_stdout = o.out == "-";
  const bool public_to_stdout = o.public_out == "-";
  if (private_to_stdout && public_to_stdout) {
    throw config_error("--public-out -: the private set already goes to stdout; give --out FILE");
  }
  std::optional<file_identity> private_target;
  if (!private_to_stdout) private_target = check_target("--out", o.out, o.force);
  if (!o.public_out.empty() && !public_to_stdout) {
    const file_identity public_target = check_target("--public-out", o.public_out, o.force);
    if (private_target && *private_target == public_target) {
      throw config_error(fmt::format(
          "--public-out {}: the same file as --out {}; the public set would replace the private "
          "one",
          o.public_out, o.out));
    }
  }

  std::string private_set = "{\"keys\":[";
  std::string public_set = "{\"keys\":[";
  std::size_t public_count = 0;
  std::vector<std::string> secrets;  // kids of HMAC keys, left out of the public set
  for (std::size_t i = 0; i < algs.size(); ++i) {
    generated_key k;
    try {
      k = generate_key(algs[i], kids[i], bits);
    } catch (const config_error& e) {
      throw config_error(
          fmt::format("--alg {}: key generation failed: {}", alg_name(algs[i]), e.what()));
    }
    private_set += (i == 0 ? "\n  " : ",\n  ") + k.private_jwk;
    if (is_hmac(algs[i])) {
      secrets.push_back(kids[i]);
    } else {
      public_set += (public_count++ == 0 ? "\n  " : ",\n  ") + k.public_jwk;
    }
  }
  private_set += "\n]}\n";
  public_set += public_count == 0 ? "]}\n" : "\n]}\n";

  // Both files are written whole under temporary names, then renamed: an error leaves
  // nothing behind and nothing on stdout.
  // Without --force an existing file is never replaced, not even one that appeared
  // after check_target looked.
  const auto existing =
      o.force ? replacing_file::on_existing::replace : replacing_file::on_existing::refuse;
  std::optional<replacing_file> private_file;
  std::optional<replacing_file> public_file;
  if (!private_to_stdout) {
    private_file.emplace(o.out, "--out", mode_t{0600});
    private_file->write(private_set);
    private_file->finish();
  }
  if (!o.public_out.empty() && !public_to_stdout) {
    public_file.emplace(o.public_out, "--public-out");
    public_file->write(public_set);
    public_file->finish();
  }
  if (private_file) private_file->commit(existing);
  if (public_file) public_file->commit(existing);
  if (private_to_stdout) write_stdout(out, private_set);
  if (public_to_stdout) write_stdout(out, public_set);

  std::string listing;
  for (std::size_t i = 0; i < algs.size(); ++i) {
    listing += fmt::format("{}{} ({})", i == 0 ? "" : ", ", kids[i], alg_name(algs[i]));
  }
  fmt::print(err, "jwtbatch keygen: {} key(s): {}; private set {}\n", algs.size(), listing,
             private_to_stdout ? std::string("on stdout") : o.out + " (mode 0600)");
  // The private set of HMAC secrets and key pairs together is a mixed key set: verify
  // refuses it unless told (--allow-mixed-keys). Say so instead of sending the user there.
  const bool mixed = !secrets.empty() && secrets.size() != algs.size();
  const std::string private_name = private_to_stdout ? std::string("the private set") : o.out;
  if (!o.public_out.empty()) {
    fmt::print(err, "jwtbatch keygen: public set ({} key(s)) {}\n", public_count,
               public_to_stdout ? std::string("on stdout") : o.public_out);
    for (const std::string& kid : secrets) {
      fmt::print(err,
                 "jwtbatch keygen: \"{}\" is an HMAC secret: not in the public set; verify its "
                 "tokens with --jwks {}{}\n",
                 kid, private_name,
                 mixed ? " --allow-mixed-keys (that set also holds key pairs), or make HMAC "
                         "keys with a keygen of their own"
                       : "");
    }
  } else if (mixed) {
    fmt::print(err,
               "jwtbatch keygen: {} holds HMAC secrets and key pairs: verifying with it needs "
               "--allow-mixed-keys; or make HMAC keys with a keygen of their own\n",
               private_name);
  }
  return 0;
}

// ---- sign -----------------------------------------------------------------------------

void setup_sign_command(CLI::App& sub, sign_options& o) {
  CLI::App* cmd = &sub;
  cmd->add_option("--jwks", o.jwks, "Private JWK Set (as written by keygen); or --key")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--key", o.key,
                  "Private PEM key (PKCS#8, PKCS#1 RSA or SEC 1 EC; Ed25519 in PKCS#8), with "
                  "--kid and --alg; or --jwks")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--kid", o.kid, "Key id of the signing key (also put in the header)")
      ->required()
      ->type_name("KID")
      ->check(non_empty());
  cmd->add_option("--alg", o.alg,
                  "Algorithm; default: the one the key is bound to (its \"alg\"); required "
                  "with --key")
      ->type_name("ALG")
      ->check(non_empty());
  cmd->add_option("--claims", o.claims, "Payload: a JSON object, or @FILE (@- = stdin); default {}")
      ->type_name("JSON|@FILE")
      ->check(non_empty());
  cmd->add_option("--exp-in", o.exp_in,
                  "Set exp = iat + duration: digits and s, m, h or d (90s, 30m, 1h, 2d), exp at "
                  "most 2^53; iat = now when absent")
      ->type_name("DURATION")
      ->check(non_empty());
  cmd->add_option("--iat", o.iat,
                  "Set iat: now, whole Unix seconds or an RFC 3339 date-time, years 1970..9999")
      ->type_name("TIME")
      ->check(non_empty());
  cmd->add_option("--header", o.header,
                  "Extra header members: a JSON object or @FILE (typ and kid may be replaced; "
                  "alg may not)")
      ->type_name("JSON|@FILE")
      ->check(non_empty());
}

int run_sign(const sign_options& o, std::FILE* out, std::FILE* err) {
  // Flags first (cheap), then the key set.
  const json_text claims =
      o.claims.empty() ? read_json_text("{}") : read_json_object(o.claims, "--claims");
  std::optional<json_text> extra_header;
  if (!o.header.empty()) {
    extra_header = read_json_object(o.header, "--header");
    if (member(*extra_header, "alg") != nullptr) {
      throw config_error("--header: \"alg\" comes from --alg or the key, not from --header");
    }
  }
  // The key: a private JWK Set, or one private PEM key bound to --alg.
  if (!o.jwks.empty() && !o.key.empty()) {
    throw config_error("--jwks and --key: give one of them (--key takes --kid and --alg)");
  }
  if (o.jwks.empty() && o.key.empty()) {
    throw config_error(
        "no key: give --jwks FILE (a private JWK Set) or --key FILE (a private PEM key, with "
        "--alg)");
  }
  if (!o.key.empty() && o.alg.empty()) {
    throw config_error("--key " + o.key +
                       ": give --alg, the algorithm to sign with (a PEM key names none)");
  }
  std::optional<alg> wanted;
  if (!o.alg.empty()) wanted = parse_alg(o.alg, "--alg", alg_use::sign);

  // Time claims: exp = iat + duration, whatever iat is (--iat, the claims' own, or now).
  std::string added;
  std::optional<double> iat;
  if (!o.iat.empty()) {
    if (member(claims, "iat") != nullptr) {
      throw config_error("--iat: the --claims object already has an \"iat\"");
    }
    const double t =
        o.iat == "now" ? static_cast<double>(now_seconds()) : parse_time(o.iat, "--iat");
    if (t != std::floor(t) || t < 0 || t > k_max_numeric_date) {
      throw config_error("--iat \"" + o.iat + "\": must be whole seconds, 0..2^53");
    }
    iat = t;
    added += fmt::format("\"iat\":{}", static_cast<std::int64_t>(t));
  }
  if (!o.exp_in.empty()) {
    const std::int64_t duration = parse_duration(o.exp_in);
    if (member(claims, "exp") != nullptr) {
      throw config_error("--exp-in: the --claims object already has an \"exp\"");
    }
    if (!iat) {
      if (const std::string* own = member(claims, "iat")) {
        double v = 0;
        const auto [ptr, ec] = std::from_chars(own->data(), own->data() + own->size(), v);
        if (ec != std::errc() || ptr != own->data() + own->size() || v != std::floor(v)) {
          throw config_error("--exp-in: the \"iat\" of --claims is not whole seconds: " + *own);
        }
        iat = v;
      } else {
        iat = static_cast<double>(now_seconds());
        added += fmt::format("\"iat\":{}", static_cast<std::int64_t>(*iat));
      }
    }
    const double exp = *iat + static_cast<double>(duration);
    if (exp > k_max_numeric_date) throw config_error("--exp-in: exp would pass 2^53");
    added += fmt::format("{}\"exp\":{}", added.empty() ? "" : ",", static_cast<std::int64_t>(exp));
  }
  const std::string payload = with_members(claims.minified, added);

  key_set_builder builder;
  builder.allow_mixed_key_types();  // a keygen set may hold HMAC and public-key pairs
  builder.expect_private_keys();    // signing is what private keys are for
  std::shared_ptr<const key_set> keys;
  const std::string& source = o.key.empty() ? o.jwks : o.key;
  const std::string_view flag = o.key.empty() ? "--jwks" : "--key";
  try {
    if (o.key.empty()) {
      builder.add_file(o.jwks);
    } else {
      // key_set_builder::add_file: a PEM file only (a kid and a binding are given).
      builder.add_file(o.key, o.kid, wanted);
    }
    keys = builder.build();
  } catch (const config_error& e) {
    rethrow_naming(e, flag, source);
  }
  for (const std::string& w : keys->warnings()) fmt::print(err, "jwtbatch sign: warning: {}\n", w);

  const std::vector<key_info> infos = keys->describe();
  const auto found = std::find_if(infos.begin(), infos.end(),
                                  [&](const key_info& k) { return k.has_kid && k.kid == o.kid; });
  if (found == infos.end()) {
    std::string kids;
    for (const key_info& k : infos) {
      if (k.has_kid) kids += (kids.empty() ? "" : ", ") + json_quoted(k.kid);
    }
    throw config_error(fmt::format("--kid {}: no usable key with this kid in {} (kids: {})",
                                   json_quoted(o.kid), o.jwks, kids.empty() ? "none" : kids));
  }
  if (!found->can_sign && !o.key.empty()) {
    throw config_error(fmt::format(
        "--key {}: a public key; signing needs the private key (a PKCS#8 \"PRIVATE KEY\", "
        "PKCS#1 \"RSA PRIVATE KEY\" or SEC 1 \"EC PRIVATE KEY\" PEM)",
        o.key));
  }
  if (!found->can_sign) {
    throw config_error(fmt::format(
        "--kid {}: {} holds only the public part of this key; sign with the private set",
        json_quoted(o.kid), o.jwks));
  }
  std::string served;
  for (const alg a : found->algs) served += (served.empty() ? "" : ", ") + std::string(alg_name(a));
  alg a{};
  if (wanted) {
    if (std::find(found->algs.begin(), found->algs.end(), *wanted) == found->algs.end()) {
      throw config_error(
          fmt::format("--alg {}: key {} is for {}", alg_name(*wanted), json_quoted(o.kid), served));
    }
    a = *wanted;
  } else if (found->algs.size() == 1) {
    a = found->algs.front();
  } else {
    throw config_error(
        fmt::format("--alg is required: key {} can serve {}", json_quoted(o.kid), served));
  }

  std::string header = R"({"alg":")" + std::string(alg_name(a)) + '"';
  if (!extra_header || member(*extra_header, "typ") == nullptr) header += R"(,"typ":"JWT")";
  if (!extra_header || member(*extra_header, "kid") == nullptr)
    header += ",\"kid\":" + json_quoted(o.kid);
  header += '}';
  if (extra_header) {
    header =
        with_members(header, extra_header->minified.substr(1, extra_header->minified.size() - 2));
  }

  const std::string token = sign_compact(*keys, o.kid, a, payload, header) + "\n";
  write_stdout(out, token);
  return 0;
}

// ---- wiring ---------------------------------------------------------------------------

}  // namespace jwtbatch::cli
