#include "flags.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/core.h>

namespace jwtbatch::cli {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

// The message leaves the flag out: these checks run as CLI11 validators, and CLI11
// puts the flag's name in front ("--threads: ...").
[[noreturn]] void refuse(std::string_view text, std::string_view why, std::string_view expected) {
  if (text.empty()) throw CLI::ValidationError(fmt::format("empty value (expected {})", expected));
  throw CLI::ValidationError(fmt::format("\"{}\" {} (expected {})", text, why, expected));
}

}  // namespace

std::int64_t parse_whole(std::string_view text, std::int64_t lo, std::int64_t hi) {
  const std::string expected = fmt::format("a whole number, {}..{}", lo, hi);
  const bool negative = !text.empty() && text.front() == '-';
  if (!all_digits(negative ? text.substr(1) : text)) {
    refuse(text, "is not a decimal whole number", expected);
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < lo || value > hi) {
    refuse(text, "is out of range", expected);
  }
  return value;
}

std::uint64_t parse_whole_unsigned(std::string_view text, std::uint64_t lo, std::uint64_t hi) {
  const std::string expected = fmt::format("a whole number, {}..{}", lo, hi);
  if (!text.empty() && text.front() == '-' && all_digits(text.substr(1))) {
    refuse(text, "is out of range", expected);  // -1 must never wrap around
  }
  if (!all_digits(text)) refuse(text, "is not a decimal whole number", expected);
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < lo || value > hi) {
    refuse(text, "is out of range", expected);
  }
  return value;
}

double parse_decimal(std::string_view text, double lo, double hi) {
  const std::string expected = fmt::format("a decimal number, {}..{}", lo, hi);
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view("0") : text.substr(dot + 1);
  // Digits only, so "nan", "inf", "1e3", "0x10" and "-1" never reach from_chars.
  if (!all_digits(whole) || !all_digits(fraction)) {
    refuse(text, "is not a decimal number", expected);
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value) ||
      value < lo || value > hi) {
    refuse(text, "is out of range", expected);
  }
  return value;
}

namespace detail_flags {
std::string range_help(const std::string& help, std::string_view lo, std::string_view hi,
                       std::string_view unit, std::string_view default_text) {
  std::string out = fmt::format("{} ({}..{}", help, lo, hi);
  if (!unit.empty()) out += fmt::format(" {}", unit);
  if (!default_text.empty()) out += fmt::format("; default {}", default_text);
  return out + ")";
}
}  // namespace detail_flags

CLI::Option* add_list_flag(CLI::App* cmd, const std::string& name, std::vector<std::string>& target,
                           const std::string& help) {
  // One value per occurrence and no CLI11 delimiter: CLI11 drops empty items and then
  // fills the flag with the next argument (`--iss , file.txt` took file.txt). Splitting
  // here sees the value exactly as given.
  return cmd->add_option(name)
      ->description(help + "; repeat or comma-separate")
      ->type_name("LIST")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->each([&target](const std::string& value) {
        std::string_view rest = value;
        while (true) {
          const std::size_t comma = rest.find(',');
          const std::string_view item = rest.substr(0, comma);
          if (item.empty()) {
            throw CLI::ValidationError(value.empty()
                                           ? std::string("empty value")
                                           : fmt::format("\"{}\" has an empty item", value));
          }
          target.emplace_back(item);
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      });
}

CLI::Validator non_empty() {
  return {[](const std::string& value) { return std::string(value.empty() ? "empty value" : ""); },
          ""};
}

CLI::Validator https_url() {
  return {[](const std::string& value) {
            constexpr std::string_view scheme = "https://";
            std::string lower = value.substr(0, scheme.size());
            for (char& c : lower)
              c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lower == scheme && value.size() > scheme.size() && value[scheme.size()] != '/') {
              return std::string();
            }
            return fmt::format("\"{}\": not an https:// URL (keys are fetched over https only)",
                               value);
          },
          ""};
}

std::vector<std::string> normalize_empty_inline_values(int argc, const char* const* argv) {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(argc) + 1);
  bool options_end = false;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i > 0 && !options_end && arg == "--") options_end = true;
    if (i > 0 && !options_end && arg.size() > 3 && arg.substr(0, 2) == "--" &&
        arg.find('=') == arg.size() - 1) {
      out.emplace_back(arg.substr(0, arg.size() - 1));
      out.emplace_back();
    } else {
      out.emplace_back(arg);
    }
  }
  return out;
}

std::string help_formatter::make_option_opts(const CLI::Option* opt) const {
  std::string out;
  if (opt->get_type_size() != 0) {
    std::string label = opt->get_type_name();
    label = label.substr(0, label.find(':'));  // CLI11 appends validator notes after ':'
    if (!label.empty()) out += " " + label;
    if (opt->get_required()) out += " (required)";
  }
  return out;
}

std::string help_formatter::make_option_desc(const CLI::Option* opt) const {
  std::string desc = opt->get_description();
  if (opt->get_type_size() != 0 && !opt->get_default_str().empty()) {
    desc += " (default: " + opt->get_default_str() + ")";
  }
  if (!opt->get_needs().empty()) {
    desc += "; needs";
    for (const CLI::Option* other : opt->get_needs()) desc += " " + other->get_name();
  }
  if (!opt->get_excludes().empty()) {
    desc += "; not with";
    for (const CLI::Option* other : opt->get_excludes()) desc += " " + other->get_name();
  }
  return desc;
}

const char* const k_verify_exit_codes =
    "Exit codes:\n"
    "  0    nothing failed (also: no record at all, empty input)\n"
    "  1    at least one record is not ok\n"
    "  2    usage, configuration, key or unreadable-input error (the message names the\n"
    "       flag or file)\n"
    "  3    an input ended early (truncated or corrupt gzip or zstd): records are written\n"
    "       up to the damage\n"
    "  129, 130, 143\n"
    "       stopped by SIGHUP, SIGINT or SIGTERM (128 + signal) after whole records and the\n"
    "       summary\n"
    "A closed standard output (e.g. `| head -1`) ends the run quietly with exit 0.";

}  // namespace jwtbatch::cli
