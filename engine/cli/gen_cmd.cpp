#include "gen_cmd.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/core.h>

#include "engine_flags.hpp"
#include "flags.hpp"
#include "gen.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_set.hpp"
#include "output.hpp"
#include "replacing_file.hpp"

namespace jwtbatch::cli {
namespace {

// --count's bound: a trillion lines, far more than any disk holds, small enough that
// counts never overflow.
constexpr std::size_t k_max_count = std::size_t{1000000000000};

// Whether two paths name one file (file_identity), however spelled.
bool same_file(const std::string& a, const std::string& b) {
  const auto ia = identify(a);
  const auto ib = identify(b);
  return a == b || (ia && ib && *ia == *ib);
}

// --mix valid=90,expired=5,forged=3,malformed=2 (kinds left out count 0).
gen_mix parse_mix(const std::string& text) {
  gen_mix mix{0, 0, 0, 0};
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::size_t eq = item.find('=');
    unsigned value = 0;
    const std::string_view name = item.substr(0, eq);
    const std::string_view number = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (eq == std::string_view::npos || ec != std::errc() || ptr != number.data() + number.size()) {
      throw config_error("--mix \"" + text +
                         "\": expected kind=percent,... (e.g. valid=90,expired=10)");
    }
    if (value > 100) {
      throw config_error("--mix \"" + text + "\": " + std::string(name) +
                         " is out of range (expected a percentage, 0..100)");
    }
    if (name == "valid") {
      mix.valid = value;
    } else if (name == "expired") {
      mix.expired = value;
    } else if (name == "forged") {
      mix.forged = value;
    } else if (name == "malformed") {
      mix.malformed = value;
    } else {
      throw config_error("--mix: unknown kind \"" + std::string(name) +
                         "\" (valid, expired, forged, malformed)");
    }
  }
  return mix;
}

}  // namespace

void setup_gen_command(CLI::App& sub, gen_cmd_options& o) {
  CLI::App* cmd = &sub;
  cmd->add_option("--jwks", o.jwks, "Private JWK Set (as keygen writes it)")
      ->type_name("FILE")
      ->required()
      ->check(non_empty());
  add_whole_flag(cmd, "--count", o.count, std::size_t{1}, k_max_count,
                 "Output lines; a multiple of --repeat", "", "1000");
  add_list_flag(cmd, "--algs", o.algs,
                "Algorithms to sign with (default: every algorithm of the set's private keys)");
  add_whole_flag(cmd, "--repeat", o.repeat, std::size_t{1}, std::size_t{2048},
                 "Times each distinct token appears (shuffled)", "", "1");
  cmd->add_option("--mix", o.mix,
                  "Percentages of each kind, 0..100 each, summing to 100; kinds left out count "
                  "0 (default: valid=90,expired=5,forged=3,malformed=2)")
      ->type_name("KIND=PCT,...")
      ->check(non_empty());
  cmd->add_option("--format", o.format, "tokens, access-log or json-log (default: tokens)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"tokens", "access-log", "json-log"}));
  add_whole_flag(cmd, "--seed", o.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(),
                 "Random seed", "", "1");
  cmd->add_flag("--hostile", o.hostile, "The attack shapes of docs/SECURITY.md instead of the mix");
  cmd->add_option("--base-time", o.base_time,
                  "Time of the first line: Unix seconds or RFC 3339, year 1970..9999 (default: "
                  "now)")
      ->type_name("TIME")
      ->check(non_empty());
  cmd->add_option("--iss", o.issuer,
                  "Issuer of the generated tokens (default: "
                  "https://issuer.example)")
      ->type_name("ISS")
      ->check(non_empty());
  cmd->add_option("--aud", o.audience, "Audience of the generated tokens (default: api.example)")
      ->type_name("AUD")
      ->check(non_empty());
  cmd->add_option("--out", o.out,
                  "Write the corpus to FILE instead of stdout (written whole or not at all; a "
                  "symlink or other non-regular file is refused)")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--answers", o.answers,
                  "Write an NDJSON answer key: line, kind, expected status class, attack shape "
                  "and label (written whole or not at all)")
      ->type_name("FILE")
      ->check(non_empty());
}

int run_gen(const gen_cmd_options& o, std::FILE* out, std::FILE* err) {
  key_set_builder b;
  b.allow_mixed_key_types();
  b.add_file(o.jwks);
  const auto keys = b.build();

  gen_options g;
  g.count = o.count;
  g.repeat = o.repeat;
  g.mix = parse_mix(o.mix);
  g.format = o.format == "access-log" ? gen_format::access_log
             : o.format == "json-log" ? gen_format::json_log
                                      : gen_format::tokens;
  g.seed = o.seed;
  g.hostile = o.hostile;
  g.issuer = o.issuer;
  g.audience = o.audience;
  g.base_time = o.base_time.empty()
                    ? std::floor(std::chrono::duration<double>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count())
                    : parse_time(o.base_time, "--base-time");
  if (o.algs.empty()) {  // every algorithm a private key of the set is bound to
    for (const key_info& k : keys->describe()) {
      if (!k.can_sign) continue;
      for (const alg a : k.algs) {
        if (std::find(g.algs.begin(), g.algs.end(), a) == g.algs.end()) g.algs.push_back(a);
      }
    }
    if (g.algs.empty()) throw config_error("--jwks " + o.jwks + ": no private key to sign with");
  } else {
    for (const std::string& name : o.algs) {
      const auto a = alg_from_name(name);
      if (!a) throw config_error("--algs: unknown algorithm \"" + name + "\"");
      g.algs.push_back(*a);
    }
  }

  if (!o.out.empty() && !o.answers.empty() && same_file(o.out, o.answers)) {
    throw config_error("--answers " + o.answers + ": the same file as --out");
  }
  // Each output file is written whole or not at all (replacing_file).
  std::optional<replacing_file> corpus_file;
  std::optional<replacing_file> answers_file;
  if (!o.out.empty()) corpus_file.emplace(o.out, "--out");
  if (!o.answers.empty()) answers_file.emplace(o.answers, "--answers");
  // Corpus lines go to --out (its errors name it) or stdout (write_all: a closed
  // stdout ends the run quietly in main).
  const auto send = [&](std::string& text) {
    if (corpus_file) {
      corpus_file->write(text);
      text.clear();
    } else {
      write_all(out, text);
    }
  };
  std::string buf;
  std::string answers;
  const gen_stats stats = generate(
      *keys, g,
      [&](std::string_view line) {
        buf.append(line);
        buf += '\n';
        if (buf.size() >= 1U << 16) send(buf);
      },
      answers_file ? std::function<void(const gen_line_info&)>([&](const gen_line_info& info) {
        answers +=
            fmt::format(R"({{"line":{},"kind":"{}")", info.index + 1, gen_kind_name(info.kind));
        if (!info.shape.empty()) {
          answers += R"(,"shape":)";
          append_json_string(answers, info.shape);
        }
        if (info.expected_label != attack_label::none) {
          answers += fmt::format(R"(,"label":"{}")", label_name(info.expected_label));
        }
        answers += "}\n";
        if (answers.size() >= 1U << 16) {
          answers_file->write(answers);
          answers.clear();
        }
      })
                   : std::function<void(const gen_line_info&)>());
  send(buf);
  if (answers_file) {
    answers_file->write(answers);
    answers_file->commit();
  }
  if (corpus_file) {
    corpus_file->commit();
  } else if (std::fflush(out) != 0) {
    throw std::system_error(errno, std::generic_category(), "writing the output");
  }

  fmt::print(err, "jwtbatch gen: {} lines, {} distinct tokens", stats.lines, stats.distinct);
  if (o.hostile) {
    fmt::print(err, " ({} attack shapes)\n", stats.by_shape.size());
    for (const auto& [shape, n] : stats.by_shape) fmt::print(err, "  {:<28} {:>10}\n", shape, n);
  } else {
    fmt::print(err, ": {} valid, {} expired, {} forged, {} malformed\n", stats.valid, stats.expired,
               stats.forged, stats.malformed);
  }
  return 0;
}

}  // namespace jwtbatch::cli
