// jwtbatch/key_history.hpp: which public keys an issuer published when, so that a log
// of March is judged with March's keys.
//
// A key history is a JSON document of snapshots: the keys one source (a JWKS URL, a
// file) listed at one time. A key's window runs from the first snapshot of its source
// that lists it to the first later snapshot of that source that does not. The time
// line cut at every snapshot time of every source gives the periods; each period has
// the key set of every key whose window covers it.
//
// Document (written by record_snapshot, read by key_history::parse):
//   {
//     "jwtbatch_key_history": 1,
//     "snapshots": [
//       {
//         "source": "https://issuer.example/jwks.json",
//         "at": 1772323200,
//         "time": "2026-03-01T00:00:00Z",
//         "keys": [
//           {"alg":"ES256","crv":"P-256","kid":"a","kty":"EC","use":"sig","x":"...","y":"..."}
//         ]
//       }
//     ]
//   }
// "at" (Unix seconds, integer or decimal, 1970..9999) is authoritative; "time" is the
// same instant in RFC 3339 UTC, for people, and is not read back. Each key is its
// canonical public JWK: members sorted by name (bytes of the unescaped name), no
// whitespace, the private members (d, p, q, dp, dq, qi, oth) dropped; a key's identity
// is this text. Snapshots are sorted by time, then source; the keys of a snapshot by
// their text. A snapshot listing the same keys as the previous snapshot of its source
// says nothing new and is dropped, so recording is idempotent.
//
// HMAC secrets (oct JWKs) and private members are never stored: a history holds public
// keys only.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/error.hpp"
#include "jwtbatch/key_set.hpp"

namespace jwtbatch {

// key_window: one key's validity window as the history tells it.
struct key_window {
  std::string source;           // what was snapshotted (URL or file name)
  std::string kid;              // empty when the JWK has none
  std::string jwk;              // the stored public JWK (canonical JSON text)
  double from = 0;              // Unix seconds: first snapshot listing it
  std::optional<double> until;  // first later snapshot (same source) not listing it;
                                // nullopt = still listed
  bool operator==(const key_window&) const = default;
};

// key_history: a parsed history, its windows and its periods with their key sets.
// Immutable after parse/load and thread-safe; share it as
// std::shared_ptr<const key_history>. The key sets of the periods are owned by it (and
// by whoever keeps a copy of their shared_ptr).
class key_history {
 public:
  // period: [from, until) and the keys valid in it. `keys` is null when no window covers
  // the period, or when its keys do not build a set (a warning then says why).
  struct period {
    double from = 0;
    double until = std::numeric_limits<double>::infinity();  // +inf for the last
    std::shared_ptr<const key_set> keys;
    // The kids of every window covering the period, sorted, unique: also those `keys`
    // refused (a kid two keys share), so "published then" is told from "not then".
    std::vector<std::string> kids;
  };

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // parse reads a history document (the format above). `origin` names it in messages.
  // Throws config_error "<origin>: <what is wrong>": not JSON, a member name twice, the
  // wrong format marker or version, an unknown member, a snapshot without "source" or
  // "at", an "at" out of 1970..9999, two snapshots of one source at one time, a stored
  // JWK with private members or an HMAC secret, or one that does not load (the
  // builder's message, naming the origin, the source and the time). A key's set is
  // built with allow_mixed_key_types(allow_mixed_key_types); as HMAC secrets are
  // refused, no set can mix kinds today.
  [[nodiscard]] static std::shared_ptr<const key_history> parse(std::string_view json,
                                                                std::string_view origin,
                                                                bool allow_mixed_key_types = false);

  // load reads `path` with key_set_builder::add_file's checks (a regular file, at most
  // max_key_file_bytes; config_error "<path>: <why>" otherwise) and parses it with
  // `path` as the origin.
  [[nodiscard]] static std::shared_ptr<const key_history> load(const std::string& path,
                                                               bool allow_mixed_key_types = false);

  // periods: in time order, the first starting at the earliest snapshot. Empty when the
  // history has no snapshot. The reference lives as long as this object.
  [[nodiscard]] const std::vector<period>& periods() const noexcept { return periods_; }

  // period_at: the index of the period with from <= t < until, or npos when t is before
  // the first snapshot, is NaN, or there is no period. O(log n), no allocation: runs per
  // token.
  [[nodiscard]] std::size_t period_at(double t) const noexcept;

  // knows_kid: whether any window of any source has a JWK whose "kid" is exactly these
  // bytes (after unescaping). For telling "key unknown" from "key not valid then" per
  // failing token: no allocation.
  [[nodiscard]] bool knows_kid(std::string_view kid) const noexcept;
  // published_in: whether a window covering period `i` has a JWK with this kid, usable
  // or not; false for npos (before the first snapshot). O(log n), no allocation.
  [[nodiscard]] bool published_in(std::size_t i, std::string_view kid) const noexcept;

  // windows: every key window, sorted by source, then from, then kid, then JWK text.
  [[nodiscard]] std::vector<key_window> windows() const { return windows_; }

  // warnings: what building the periods' key sets said, each message once (a kid that
  // two different keys share in one period: both refused there, as key_set_builder
  // does; an RSA key bound to no algorithm; a period whose keys build no set). The
  // reference lives as long as this object.
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

  key_history(const key_history&) = delete;
  key_history& operator=(const key_history&) = delete;
  ~key_history();

 private:
  struct parts;  // what parse() hands the constructor (history.cpp)
  explicit key_history(parts&& p);

  std::vector<key_window> windows_;
  std::vector<period> periods_;
  std::vector<double> starts_;  // periods_[i].from, for the binary search of period_at
  std::set<std::string, std::less<>> kids_;
  std::vector<std::string> warnings_;
};

// record_snapshot returns the history document `history_json` (empty: a new history)
// with one more snapshot: the keys of the JWK Set (or single JWK) `jwks_json` that
// `source` listed at `at` (Unix seconds, 1970..9999).
//  - The document is validated with key_set_builder::add_jwks (its config_error when it
//    is not JSON, not a JWK/JWKS, or has no usable key). A key the builder skips is not
//    recorded, nor a usable key sharing its kid (the builder refuses that one too); the
//    builder's message for each is appended to `warnings`. Two recorded keys sharing a
//    kid are recorded as published, with a warning: a period's key set refuses both.
//  - An HMAC secret ("kty":"oct") anywhere in it throws config_error: a history holds
//    public keys only. Private members are dropped before storing.
//  - A snapshot of `source` at the same `at` is replaced. Snapshots may be recorded out
//    of time order.
//  - `changed` is set to whether the windows changed. When they did not (the same keys
//    again at any time between two snapshots of the source, the same snapshot twice),
//    `history_json` comes back byte-identical; otherwise the whole document is written
//    anew in the normal form above.
// Throws config_error naming "key history" for a bad `history_json` (see parse), or
// naming `source` for a bad `jwks_json` or `at`.
[[nodiscard]] std::string record_snapshot(std::string_view history_json, std::string_view jwks_json,
                                          std::string_view source, double at, bool& changed,
                                          std::vector<std::string>& warnings);

// read_key_file_text returns the contents of `path`, read with key_set_builder::add_file's
// checks (a regular file, at most max_key_file_bytes; config_error "<path>: <why>"), for
// programs that hand a JWK Set or a history to record_snapshot.
[[nodiscard]] std::string read_key_file_text(const std::string& path);

}  // namespace jwtbatch
