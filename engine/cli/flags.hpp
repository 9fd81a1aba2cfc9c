// flags.hpp: how the program reads its flags. Numbers are decimal and bounded, list
// flags take commas and repeats, an empty value is an error naming the flag, and the
// help shows what a user needs (label, range, default) without CLI11's type notes.
//
// Every refusal here is a CLI::ValidationError (a CLI::ParseError) thrown from a CLI11
// validator, which puts the flag's name in front: main prints "jwtbatch: --threads:
// ..." and exits 2, before any key is loaded or file opened.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

// parse_whole: `text` as a decimal whole number in [lo, hi]. Only the digits 0-9 (and,
// when lo < 0, one leading '-') are accepted: no sign '+', no spaces, no "0x" prefix,
// no exponent, no empty text. Throws CLI::ValidationError stating the range.
std::int64_t parse_whole(std::string_view text, std::int64_t lo, std::int64_t hi);
std::uint64_t parse_whole_unsigned(std::string_view text, std::uint64_t lo, std::uint64_t hi);

// parse_decimal: `text` as a decimal number with an optional fraction ("2", "0.25"),
// in [lo, hi]. No sign, exponent, "nan" or "inf". Throws CLI::ValidationError.
double parse_decimal(std::string_view text, double lo, double hi);

// add_whole_flag declares `name` taking one decimal whole number in [lo, hi], stored
// in `target` when given. The help line reads "<help> (<lo>..<hi>[ unit]; default
// <default_text>)": the range is written once, here, where it is enforced.
template <class T>
CLI::Option* add_whole_flag(CLI::App* cmd, const std::string& name, T& target, T lo, T hi,
                            const std::string& help, std::string_view unit,
                            std::string_view default_text);
template <class T>
CLI::Option* add_whole_flag(CLI::App* cmd, const std::string& name, std::optional<T>& target, T lo,
                            T hi, const std::string& help, std::string_view unit,
                            std::string_view default_text);

// add_list_flag declares `name` taking one value per occurrence, repeatable, each value
// a comma-separated list (RFC 7519 names never hold a comma in practice, and one
// spelling for every list flag is what users expect). It never takes a positional
// argument. An empty value or an empty item ("a,,b", ",") is refused, naming the flag.
// `target` receives the items in order.
CLI::Option* add_list_flag(CLI::App* cmd, const std::string& name, std::vector<std::string>& target,
                           const std::string& help);

// non_empty: a validator refusing an empty value, for text flags where "" has no
// meaning (`--at ""` would otherwise read as "now").
CLI::Validator non_empty();

// https_url: a validator taking only an https:// URL with a host (the scheme in any
// case), for the flags that fetch keys (--jwks-url, --oidc-issuer).
CLI::Validator https_url();

// normalize_empty_inline_values rewrites "--name=" (an empty inline value) into "--name"
// followed by an empty argument, before the first "--". CLI11 takes "--name=" as
// "--name" without a value and fills it with the next argument: `--iss= file.txt`
// would make file.txt an issuer and read standard input instead. Spelled apart, the
// empty value reaches the flag's own check, which refuses it by name.
std::vector<std::string> normalize_empty_inline_values(int argc, const char* const* argv);

// help_formatter: CLI11's layout, with the label of each option (N, FILE, LIST...)
// instead of its C++ type and validator notes (a "NONNEGATIVE" check printed DBL_MAX in
// full), and "(default: X)" after the description of options that captured a default.
class help_formatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override;
  std::string make_option_desc(const CLI::Option* opt) const override;
};

// The agreed exit codes of the commands that verify (verify, scan), for their help.
extern const char* const k_verify_exit_codes;

// ---- template definitions ------------------------------------------------------------

namespace detail_flags {
std::string range_help(const std::string& help, std::string_view lo, std::string_view hi,
                       std::string_view unit, std::string_view default_text);
template <class T>
T parse_as(std::string_view text, T lo, T hi) {
  if constexpr (std::numeric_limits<T>::is_signed) {
    return static_cast<T>(parse_whole(text, lo, hi));
  } else {
    return static_cast<T>(parse_whole_unsigned(text, lo, hi));
  }
}

// The body of both add_whole_flag overloads: `target` is a T or a std::optional<T>.
template <class T, class Target>
CLI::Option* add_whole(CLI::App* cmd, const std::string& name, Target& target, T lo, T hi,
                       const std::string& help, std::string_view unit,
                       std::string_view default_text) {
  return cmd->add_option(name)
      ->description(range_help(help, std::to_string(lo), std::to_string(hi), unit, default_text))
      ->type_name("N")
      ->expected(1)
      ->allow_extra_args(false)
      ->each([&target, lo, hi](const std::string& text) { target = parse_as<T>(text, lo, hi); });
}
}  // namespace detail_flags

template <class T>
CLI::Option* add_whole_flag(CLI::App* cmd, const std::string& name, T& target, T lo, T hi,
                            const std::string& help, std::string_view unit,
                            std::string_view default_text) {
  return detail_flags::add_whole(cmd, name, target, lo, hi, help, unit, default_text);
}

template <class T>
CLI::Option* add_whole_flag(CLI::App* cmd, const std::string& name, std::optional<T>& target, T lo,
                            T hi, const std::string& help, std::string_view unit,
                            std::string_view default_text) {
  return detail_flags::add_whole(cmd, name, target, lo, hi, help, unit, default_text);
}

}  // namespace jwtbatch::cli
