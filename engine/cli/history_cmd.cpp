#include "history_cmd.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <set>
#include <system_error>

#include <fmt/core.h>

#include "engine_flags.hpp"
#include "flags.hpp"
#include "jwtbatch/error.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_history.hpp"
#include "replacing_file.hpp"

namespace jwtbatch::cli {
namespace {

// The JWK texts `source` lists at `at` by `windows`: `just_before` for its latest
// snapshot before `at`, else for the one at `at`.
std::set<std::string> listed(const std::vector<key_window>& windows, std::string_view source,
                             double at, bool just_before) {
  std::set<std::string> out;
  for (const key_window& w : windows) {
    if (w.source != source) continue;
    const bool covers = just_before ? w.from < at && (!w.until || *w.until >= at)
                                    : w.from <= at && (!w.until || *w.until > at);
    if (covers) out.insert(w.jwk);
  }
  return out;
}

// The history file's text, or empty when there is no such file yet.
std::string read_history(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return {};
  try {
    return read_key_file_text(path);
  } catch (const config_error& e) {
    rethrow_naming(e, "--key-history", path);
  }
}

}  // namespace

void setup_snapshot_command(CLI::App& sub, snapshot_options& o) {
  CLI::App* cmd = &sub;
  cmd->add_option("--jwks", o.jwks,
                  "JWK Set (or JWK) file whose public keys are recorded; repeatable, one "
                  "snapshot each")
      ->type_name("FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->check(non_empty());
  cmd->add_option("--jwks-url", o.jwks_urls,
                  "JWK Set fetched over https whose keys are recorded; repeatable")
      ->type_name("URL")
      ->expected(1)
      ->allow_extra_args(false)
      ->check(https_url());
  cmd->add_option("--oidc-issuer", o.oidc_issuers,
                  "OpenID Provider whose discovered JWK Set is recorded (as the issuer URL); "
                  "repeatable")
      ->type_name("URL")
      ->expected(1)
      ->allow_extra_args(false)
      ->check(https_url());
  cmd->add_option("--jwks-ca", o.jwks_ca,
                  "PEM CA bundle trusted for --jwks-url and --oidc-issuer instead of the system's")
      ->type_name("FILE")
      ->check(non_empty());
  add_whole_flag(cmd, "--jwks-timeout", o.jwks_timeout, std::int64_t{1}, std::int64_t{600},
                 "Longest a fetch may take", "seconds", "10");
  cmd->add_option("--key-history", o.history,
                  "Key history file (JSON); created when missing, replaced whole when the "
                  "snapshot changes it")
      ->required()
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--at", o.at,
                  "Time of the snapshot: Unix seconds or an RFC 3339 date-time with its zone; "
                  "default now")
      ->type_name("TIME")
      ->check(non_empty());
  cmd->add_option("--source", o.source,
                  "What was snapshotted (a URL, a name); default: the --jwks file name. Snapshots "
                  "of one source close its keys' windows")
      ->type_name("NAME")
      ->check(non_empty());
  cmd->add_flag("--allow-mixed-keys", o.allow_mixed,
                "Let a period's key set mix HMAC secrets and public keys (a history holds "
                "public keys only, so this changes nothing today)");
}

std::string record_jwks_text(std::string_view history_text, const std::string& history_name,
                             std::string_view jwks_text, std::string_view source, double at,
                             bool allow_mixed, snapshot_report& report,
                             std::vector<std::string>& warnings) {
  std::vector<key_window> before;
  if (!history_text.empty()) {
    before = key_history::parse(history_text, history_name, allow_mixed)->windows();
  }
  bool changed = false;
  std::string text = record_snapshot(history_text, jwks_text, source, at, changed, warnings);
  const std::vector<key_window> after =
      changed ? key_history::parse(text, history_name, allow_mixed)->windows() : before;
  const std::set<std::string> was = listed(before, source, at, true);
  const std::set<std::string> now = listed(after, source, at, false);
  report = snapshot_report{std::string(source), at, now.size(), 0, 0, changed};
  for (const std::string& k : now) {
    if (!was.contains(k)) ++report.added;
  }
  for (const std::string& k : was) {
    if (!now.contains(k)) ++report.retired;
  }
  return text;
}

std::string snapshot_line(const snapshot_report& r) {
  std::string line =
      "jwtbatch keys snapshot: " + escape_text(r.source) + " at " + rfc3339_utc(r.at);
  if (!r.changed) return line + ": unchanged";
  return line + fmt::format(": {} key{}, {} new, {} retired", r.keys, r.keys == 1 ? "" : "s",
                            r.added, r.retired);
}

int run_snapshot(const snapshot_options& o, std::FILE* /*out*/, std::FILE* err) {
  const std::size_t inputs = o.jwks.size() + o.jwks_urls.size() + o.oidc_issuers.size();
  if (inputs == 0) {
    throw config_error("no keys to record: give --jwks FILE, --jwks-url URL or --oidc-issuer URL");
  }
  if (!o.source.empty() && inputs > 1) {
    throw config_error(
        "--source names one snapshot; give one --jwks, --jwks-url or --oidc-issuer with it");
  }
  double at = 0;
  if (o.at.empty()) {
    at = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
  } else {
    at = parse_time(o.at, "--at");
  }
  std::string history = read_history(o.history);
  bool changed = false;
  std::vector<std::string> lines;
  std::vector<std::string> warnings;
  // A bad JWK Set is named by its flag and file or URL (the message may name --source
  // instead); a bad history by its own name, as record_jwks_text says it.
  const auto record = [&](const std::string& jwks_text, std::string_view flag,
                          const std::string& name) {
    snapshot_report report;
    try {
      history = record_jwks_text(history, o.history, jwks_text, o.source.empty() ? name : o.source,
                                 at, o.allow_mixed, report, warnings);
    } catch (const config_error& e) {
      if (std::string_view(e.what()).starts_with(o.history + ":")) throw;
      rethrow_naming(e, flag, name);
    }
    changed = changed || report.changed;
    lines.push_back(snapshot_line(report));
  };
  for (const std::string& file : o.jwks) {
    std::string jwks_text;
    try {
      jwks_text = read_key_file_text(file);
    } catch (const config_error& e) {
      rethrow_naming(e, "--jwks", file);
    }
    record(jwks_text, "--jwks", file);
  }
  if (!o.jwks_ca.empty()) check_ca_file(o.jwks_ca);
  const auto timeout = static_cast<double>(o.jwks_timeout);
  for (const std::string& url : o.jwks_urls) {
    record(fetch_jwks({.url = url, .discovery = false, .name = "--jwks-url " + url}, o.jwks_ca,
                      timeout),
           "--jwks-url", url);
  }
  for (const std::string& url : o.oidc_issuers) {
    record(fetch_jwks({.url = url, .discovery = true, .name = "--oidc-issuer " + url}, o.jwks_ca,
                      timeout),
           "--oidc-issuer", url);
  }
  if (changed) {
    replacing_file target(o.history, "--key-history");
    target.write(history);
    target.commit();
  }
  for (const std::string& w : warnings) fmt::print(err, "jwtbatch: warning: {}\n", w);
  for (const std::string& line : lines) fmt::print(err, "{}\n", line);
  return 0;
}

}  // namespace jwtbatch::cli
