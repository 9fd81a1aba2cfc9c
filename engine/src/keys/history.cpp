// Key histories (jwtbatch/key_history.hpp): snapshots of published keys, the windows
// they give each key, and the key set of every period.
#include "jwtbatch/key_history.hpp"

#include "jwtbatch/json_text.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include <simdjson.h>

#include "codec/json_out.hpp"
#include "codec/json_walk.hpp"
#include "codec/text_escape.hpp"
#include "keys/key_file.hpp"

namespace jwtbatch {

namespace {

namespace dom = simdjson::dom;

// A history grows by a snapshot per change of a source's keys: years of them stay far
// below these bounds (and the file below max_key_file_bytes).
constexpr detail::json_limits k_history_limits{.max_depth = 8,
                                               .max_members = 256,
                                               .max_elements = 1000000,
                                               .max_string_bytes = std::size_t{64} * 1024};

// 10000-01-01T00:00:00Z: the first instant an RFC 3339 date-time cannot spell.
constexpr double k_end_of_year_9999 = 253402300800.0;

// RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2: the members that carry private key material.
constexpr std::string_view k_private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};

bool is_private_member(std::string_view name) {
  return std::find(std::begin(k_private_members), std::end(k_private_members), name) !=
         std::end(k_private_members);
}

// One stored key: its canonical public JWK text (its identity) and its kid.
struct stored_key {
  std::string jwk;
  std::string kid;
  bool has_kid = false;
  bool operator==(const stored_key& o) const { return jwk == o.jwk; }
  bool operator<(const stored_key& o) const { return jwk < o.jwk; }
};

struct snapshot {
  std::string source;
  double at = 0;
  std::vector<stored_key> keys;  // sorted by text, each once
};

[[noreturn]] void fail(std::string_view origin, const std::string& what) {
  throw config_error(std::string(origin) + ": " + what);
}

// format_at: the shortest decimal that reads back as `at`, never with an exponent
// (1772323200, 1772323200.25).
std::string format_at(double at) {
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, at, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, ptr) : std::string("0");
}

// append_canonical writes `v` without whitespace, object members sorted by their
// unescaped names (byte order), strings escaped by the engine's one JSON writer. The
// get() of each case cannot fail: v.type() chose the case.
void append_canonical(std::string& out, dom::element v, bool drop_private) {
  switch (v.type()) {
    case dom::element_type::OBJECT: {
      dom::object obj;
      if (v.get(obj) != simdjson::SUCCESS) return;
      std::vector<std::pair<std::string_view, dom::element>> members;
      for (dom::key_value_pair m : obj) {
        if (drop_private && is_private_member(m.key)) continue;
        members.emplace_back(m.key, m.value);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i != 0) out += ',';
        detail::append_json_string(out, members[i].first);
        out += ':';
        append_canonical(out, members[i].second, false);
      }
      out += '}';
      return;
    }
    case dom::element_type::ARRAY: {
      dom::array arr;
      if (v.get(arr) != simdjson::SUCCESS) return;
      out += '[';
      bool first = true;
      for (dom::element e : arr) {
        if (!first) out += ',';
        first = false;
        append_canonical(out, e, false);
      }
      out += ']';
      return;
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (v.get(s) != simdjson::SUCCESS) return;
      detail::append_json_string(out, s);
      return;
    }
    case dom::element_type::INT64: {
      std::int64_t n = 0;
      if (v.get(n) != simdjson::SUCCESS) return;
      out += std::to_string(n);
      return;
    }
    case dom::element_type::UINT64: {
      std::uint64_t n = 0;
      if (v.get(n) != simdjson::SUCCESS) return;
      out += std::to_string(n);
      return;
    }
    case dom::element_type::DOUBLE: {
      double d = 0;
      if (v.get(d) != simdjson::SUCCESS) return;
      char buf[64];
      const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, ec == std::errc() ? ptr : buf);
      return;
    }
    case dom::element_type::BOOL: {
      bool b = false;
      if (v.get(b) != simdjson::SUCCESS) return;
      out += b ? "true" : "false";
      return;
    }
    case dom::element_type::NULL_VALUE:
      out += "null";
      return;
  }
}

// A string member of a JSON object, or null when absent or not a string.
std::optional<std::string_view> string_member(dom::object obj, std::string_view name) {
  std::string_view s;
  if (obj.at_key(name).get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

bool has_private_member(dom::object obj) {
  return std::any_of(obj.begin(), obj.end(),
                     [](dom::key_value_pair m) { return is_private_member(m.key); });
}

// to_stored: the JWK object `e` as a history stores it.
stored_key to_stored(dom::element e) {
  stored_key k;
  append_canonical(k.jwk, e, true);
  dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS) return k;
  if (const auto kid = string_member(obj, "kid")) {
    k.kid = std::string(*kid);
    k.has_kid = true;
  }
  return k;
}

void sort_keys(std::vector<stored_key>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

// parse_json parses `json` with `parser` and applies the engine's JSON rules (no member
// name twice, bounded depth and sizes), or throws naming `origin`.
dom::element parse_json(dom::parser& parser, const simdjson::padded_string& text,
                        std::string_view origin) {
  if (detail::has_byte_order_mark(std::string_view(text.data(), text.size()))) {
    fail(origin, "not JSON: starts with a byte-order mark (RFC 8259 §8.1)");
  }
  dom::element root;
  if (const auto e = parser.parse(text).get(root)) {
    fail(origin, std::string("not JSON (") + simdjson::error_message(e) + ")");
  }
  detail::member_set names;
  if (const status st = detail::validate_value(root, 1, k_history_limits, names);
      st != status::ok) {
    fail(origin, st == status::duplicate_member
                     ? std::string("a member name appears twice in one object")
                     : "refused JSON (" + std::string(status_name(st)) + ")");
  }
  return root;
}

// check_loads throws the builder's config_error when the public JWK `jwk` does not load.
void check_loads(const std::string& jwk, const std::string& name) {
  key_set_builder builder;
  builder.add_jwks(jwk, name);
}

// read_document returns the snapshots of a history document, or throws naming `origin`.
std::vector<snapshot> read_document(std::string_view json, std::string_view origin) {
  const simdjson::padded_string text(json);
  dom::parser parser;
  const dom::element root = parse_json(parser, text, origin);
  dom::object top;
  const std::string not_history =
      R"(not a key history (expected a JSON object with "jwtbatch_key_history": 1))";
  if (root.get(top) != simdjson::SUCCESS) fail(origin, not_history);
  bool marked = false;
  bool has_snapshots = false;
  dom::array list;
  for (dom::key_value_pair m : top) {
    if (m.key == "jwtbatch_key_history") {
      std::int64_t version = 0;
      if (m.value.get(version) != simdjson::SUCCESS || version != 1) {
        fail(origin, "\"jwtbatch_key_history\" is " + simdjson::minify(m.value) +
                         "; this jwtbatch reads version 1");
      }
      marked = true;
    } else if (m.key == "snapshots") {
      if (m.value.get(list) != simdjson::SUCCESS) fail(origin, "\"snapshots\" is not an array");
      has_snapshots = true;
    } else {
      fail(origin, "unknown member " + detail::escape_text(m.key, true));
    }
  }
  if (!marked) fail(origin, not_history);
  if (!has_snapshots) fail(origin, "no \"snapshots\" array");

  std::vector<snapshot> out;
  std::set<std::string> loaded;  // JWK texts already checked
  std::size_t index = 0;
  for (dom::element element : list) {
    const std::string where = "snapshot " + std::to_string(index++);
    dom::object obj;
    if (element.get(obj) != simdjson::SUCCESS) fail(origin, where + ": not an object");
    snapshot s;
    bool has_source = false;
    bool has_at = false;
    dom::array keys;
    bool has_keys = false;
    for (dom::key_value_pair m : obj) {
      if (m.key == "source") {
        std::string_view v;
        if (m.value.get(v) != simdjson::SUCCESS || v.empty()) {
          fail(origin, where + ": \"source\" must be a non-empty string");
        }
        s.source = std::string(v);
        has_source = true;
      } else if (m.key == "at") {
        if (m.value.get(s.at) != simdjson::SUCCESS || !(s.at >= 0 && s.at < k_end_of_year_9999)) {
          fail(origin, where + ": \"at\" must be Unix seconds from 1970 to 9999");
        }
        has_at = true;
      } else if (m.key == "time") {
        // Informational: "at" decides.
        if (!m.value.is_string()) fail(origin, where + ": \"time\" must be a string");
      } else if (m.key == "keys") {
        if (m.value.get(keys) != simdjson::SUCCESS) {
          fail(origin, where + ": \"keys\" must be an array of JWKs");
        }
        has_keys = true;
      } else {
        fail(origin, where + ": unknown member " + detail::escape_text(m.key, true));
      }
    }
    if (!has_source) fail(origin, where + ": no \"source\"");
    if (!has_at) fail(origin, where + ": no \"at\" (the snapshot's time, Unix seconds)");
    if (!has_keys) fail(origin, where + ": no \"keys\"");
    const std::string named = where + " (" + s.source + " at " + rfc3339_utc(s.at) + ")";
    std::size_t key_index = 0;
    for (dom::element k : keys) {
      const std::string key_where = named + ": key " + std::to_string(key_index++);
      dom::object jwk;
      if (k.get(jwk) != simdjson::SUCCESS) fail(origin, key_where + ": not a JWK object");
      if (string_member(jwk, "kty") == std::optional<std::string_view>("oct")) {
        fail(origin, key_where + R"(: an HMAC secret ("kty": "oct"); a key history holds public )"
                                 "keys only");
      }
      if (has_private_member(jwk)) {
        fail(origin, key_where +
                         ": holds private key members; a key history holds public "
                         "keys only");
      }
      stored_key stored = to_stored(k);
      if (loaded.insert(stored.jwk).second) {
        check_loads(stored.jwk,
                    std::string(origin) + " (" + s.source + " at " + rfc3339_utc(s.at) + ")");
      }
      s.keys.push_back(std::move(stored));
    }
    sort_keys(s.keys);
    out.push_back(std::move(s));
  }
  // One source, one instant, one list: two would contradict each other.
  std::vector<std::pair<std::string_view, double>> seen;
  seen.reserve(out.size());
  for (const snapshot& s : out) seen.emplace_back(s.source, s.at);
  std::sort(seen.begin(), seen.end());
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (seen[i] == seen[i - 1]) {
      fail(origin,
           "two snapshots of " + std::string(seen[i].first) + " at " + rfc3339_utc(seen[i].second));
    }
  }
  return out;
}

// normalize sorts the snapshots of each source by time and drops every snapshot that
// lists the same keys as the previous one of its source (it says nothing new), then
// orders them all by time, then source: the order of the document.
void normalize(std::vector<snapshot>& snaps) {
  std::stable_sort(snaps.begin(), snaps.end(), [](const snapshot& a, const snapshot& b) {
    return std::tie(a.source, a.at) < std::tie(b.source, b.at);
  });
  std::vector<snapshot> kept;
  kept.reserve(snaps.size());
  for (snapshot& s : snaps) {
    if (!kept.empty() && kept.back().source == s.source && kept.back().keys == s.keys) continue;
    kept.push_back(std::move(s));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const snapshot& a, const snapshot& b) {
    return std::tie(a.at, a.source) < std::tie(b.at, b.source);
  });
  snaps = std::move(kept);
}

struct window_with_kid {
  key_window window;
  bool has_kid = false;
};

// windows_of: each key's windows, per source, from normalized snapshots. Sorted by
// source, from, kid, JWK text.
std::vector<window_with_kid> windows_of(const std::vector<snapshot>& snaps) {
  std::map<std::string_view, std::vector<const snapshot*>> by_source;
  for (const snapshot& s : snaps) by_source[s.source].push_back(&s);
  std::vector<window_with_kid> out;
  for (auto& per_source : by_source) {
    const std::string_view source = per_source.first;
    std::vector<const snapshot*>& list = per_source.second;
    std::stable_sort(list.begin(), list.end(),
                     [](const snapshot* a, const snapshot* b) { return a->at < b->at; });
    std::map<std::string_view, std::pair<const stored_key*, double>> open;  // by JWK text
    const auto close = [&](const stored_key& k, double from, std::optional<double> until) {
      out.push_back({key_window{std::string(source), k.kid, k.jwk, from, until}, k.has_kid});
    };
    for (const snapshot* s : list) {
      for (auto it = open.begin(); it != open.end();) {
        const stored_key probe{std::string(it->first), {}, false};
        if (!std::binary_search(s->keys.begin(), s->keys.end(), probe)) {
          close(*it->second.first, it->second.second, s->at);
          it = open.erase(it);
        } else {
          ++it;
        }
      }
      for (const stored_key& k : s->keys) open.try_emplace(k.jwk, &k, s->at);
    }
    for (const auto& [text, entry] : open) close(*entry.first, entry.second, std::nullopt);
  }
  std::sort(out.begin(), out.end(), [](const window_with_kid& a, const window_with_kid& b) {
    return std::tie(a.window.source, a.window.from, a.window.kid, a.window.jwk) <
           std::tie(b.window.source, b.window.from, b.window.kid, b.window.jwk);
  });
  return out;
}

std::string write_document(const std::vector<snapshot>& snaps) {
  std::string out = "{\n  \"jwtbatch_key_history\": 1,\n  \"snapshots\": [";
  for (std::size_t i = 0; i < snaps.size(); ++i) {
    const snapshot& s = snaps[i];
    out += i == 0 ? "\n" : ",\n";
    out += "    {\n      \"source\": ";
    detail::append_json_string(out, s.source);
    out += ",\n      \"at\": " + format_at(s.at) + ",\n      \"time\": \"" + rfc3339_utc(s.at) +
           "\",\n      \"keys\": [";
    for (std::size_t j = 0; j < s.keys.size(); ++j) {
      out += j == 0 ? "\n        " : ",\n        ";
      out += s.keys[j].jwk;
    }
    out += s.keys.empty() ? "]\n    }" : "\n      ]\n    }";
  }
  out += snaps.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

// read_jwks_snapshot: the keys of `jwks_json` a history may record (see record_snapshot).
snapshot read_jwks_snapshot(std::string_view jwks_json, std::string_view source, double at,
                            std::vector<std::string>& warnings) {
  // The builder judges the document and every key, with its messages.
  key_set_builder builder;
  builder.add_jwks(jwks_json, source);
  const simdjson::padded_string text(jwks_json);
  dom::parser parser;
  const dom::element root = parse_json(parser, text, source);
  dom::object top;
  if (root.get(top) != simdjson::SUCCESS) fail(source, "not a JSON object");
  // The elements the builder read as keys: a JWK Set's "keys", or the one JWK.
  std::vector<dom::element> elements;
  dom::array keys;
  if (top.at_key("keys").get(keys) == simdjson::SUCCESS) {
    for (dom::element e : keys) elements.push_back(e);
  } else {
    elements.push_back(root);
  }
  const auto describe = [&](std::size_t i, dom::object obj) {
    std::string name = std::string(source) + ": key " + std::to_string(i);
    if (const auto kid = string_member(obj, "kid")) {
      name += " (kid " + detail::escape_text(*kid, true) + ")";
    }
    return name;
  };
  for (std::size_t i = 0; i < elements.size(); ++i) {
    dom::object obj;
    if (elements[i].get(obj) == simdjson::SUCCESS &&
        string_member(obj, "kty") == std::optional<std::string_view>("oct")) {
      fail(describe(i, obj),
           R"(an HMAC secret ("kty": "oct"); a key history holds public keys only)");
    }
  }
  // Which keys the builder kept: each element alone, as a one-key set, loads as it did
  // in the document; a usable key whose kid a skipped key claims was refused there too
  // (keys/jwk.cpp: ambiguous).
  std::vector<bool> usable(elements.size(), false);
  std::set<std::string, std::less<>> skipped_kids;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    dom::object obj;
    if (elements[i].get(obj) != simdjson::SUCCESS) continue;
    try {
      key_set_builder one;
      one.add_jwks("{\"keys\":[" + simdjson::minify(elements[i]) + "]}", source);
      usable[i] = true;
    } catch (const config_error&) {
      if (const auto kid = string_member(obj, "kid")) skipped_kids.emplace(*kid);
    }
  }
  snapshot s{std::string(source), at, {}};
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (!usable[i]) continue;
    stored_key k = to_stored(elements[i]);
    if (k.has_kid && skipped_kids.contains(k.kid)) continue;
    s.keys.push_back(std::move(k));
  }
  sort_keys(s.keys);
  if (s.keys.empty()) fail(source, "no key to record");
  warnings.insert(warnings.end(), builder.warnings().begin(), builder.warnings().end());
  // Recorded as published, but a key set refuses every key of a kid used twice.
  std::map<std::string_view, std::size_t> kid_count;
  for (const stored_key& k : s.keys) {
    if (k.has_kid) ++kid_count[k.kid];
  }
  for (const auto& [kid, count] : kid_count) {
    if (count > 1) {
      warnings.push_back(std::string(source) + ": kid " + detail::escape_text(kid, true) +
                         " is used by " + std::to_string(count) +
                         " keys: recorded, but refused (ambiguous) where they are valid");
    }
  }
  return s;
}

}  // namespace

// What parse() computes and the constructor takes over.
struct key_history::parts {
  std::vector<key_window> windows;
  std::vector<period> periods;
  std::set<std::string, std::less<>> kids;
  std::vector<std::string> warnings;
};

key_history::key_history(parts&& p)
    : windows_(std::move(p.windows)),
      periods_(std::move(p.periods)),
      kids_(std::move(p.kids)),
      warnings_(std::move(p.warnings)) {
  starts_.reserve(periods_.size());
  for (const period& q : periods_) starts_.push_back(q.from);
}

key_history::~key_history() = default;

std::shared_ptr<const key_history> key_history::parse(std::string_view json,
                                                      std::string_view origin,
                                                      bool allow_mixed_key_types) {
  std::vector<snapshot> snaps = read_document(json, origin);
  normalize(snaps);
  const std::vector<window_with_kid> windows = windows_of(snaps);

  parts p;
  for (const window_with_kid& w : windows) {
    if (w.has_kid) p.kids.insert(w.window.kid);
    p.windows.push_back(w.window);
  }
  std::set<std::string> said;
  const auto warn = [&](const std::string& message) {
    if (said.insert(message).second) p.warnings.push_back(message);
  };

  // The cuts: every snapshot time of every source. Windows start and end only at cuts,
  // so a window covers a period whole or not at all.
  std::vector<double> cuts;
  cuts.reserve(snaps.size());
  for (const snapshot& s : snaps) cuts.push_back(s.at);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  std::set<std::string_view> previous;  // JWK texts of the previous period's set
  std::shared_ptr<const key_set> previous_set;
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    period q;
    q.from = cuts[i];
    if (i + 1 < cuts.size()) q.until = cuts[i + 1];
    // One key published by two sources is one key: added once (under the first
    // window's name), so it is not refused as a duplicate kid.
    std::set<std::string_view> texts;
    std::vector<const key_window*> covering;
    for (std::size_t j = 0; j < p.windows.size(); ++j) {
      const key_window& w = p.windows[j];
      if (w.from > q.from || (w.until && *w.until <= q.from)) continue;
      // Not reserved: most windows of a long history do not cover a given period.
      if (windows[j].has_kid)
        q.kids.push_back(w.kid);  // NOLINT(performance-inefficient-vector-operation)
      if (texts.insert(w.jwk).second) covering.push_back(&w);
    }
    std::sort(q.kids.begin(), q.kids.end());
    q.kids.erase(std::unique(q.kids.begin(), q.kids.end()), q.kids.end());
    if (!covering.empty() && texts == previous) {
      q.keys = previous_set;
    } else if (!covering.empty()) {
      key_set_builder builder;
      builder.allow_mixed_key_types(allow_mixed_key_types);
      for (const key_window* w : covering) {
        builder.add_jwks(
            w->jwk, std::string(origin) + " (" + w->source + " from " + rfc3339_utc(w->from) + ")");
      }
      try {
        q.keys = builder.build();
        for (const std::string& m : q.keys->warnings()) warn(m);
      } catch (const config_error& e) {
        for (const std::string& m : builder.warnings()) warn(m);
        warn(std::string(origin) + ": no key set from " + rfc3339_utc(q.from) +
             (i + 1 < cuts.size() ? " until " + rfc3339_utc(q.until) : std::string()) + ": " +
             e.what());
      }
    }
    previous = std::move(texts);
    previous_set = q.keys;
    p.periods.push_back(std::move(q));
  }
  return std::shared_ptr<const key_history>(new key_history(std::move(p)));
}

std::shared_ptr<const key_history> key_history::load(const std::string& path,
                                                     bool allow_mixed_key_types) {
  detail::file_bytes content;
  detail::read_key_file(path, content);
  return parse(content.text, path, allow_mixed_key_types);
}

std::size_t key_history::period_at(double t) const noexcept {
  // NaN fails this comparison too.
  if (starts_.empty() || !(t >= starts_.front())) return npos;
  const auto it = std::upper_bound(starts_.begin(), starts_.end(), t);
  return static_cast<std::size_t>(it - starts_.begin()) - 1;
}

bool key_history::knows_kid(std::string_view kid) const noexcept {
  return kids_.find(kid) != kids_.end();
}

bool key_history::published_in(std::size_t i, std::string_view kid) const noexcept {
  if (i >= periods_.size()) return false;
  const std::vector<std::string>& kids = periods_[i].kids;
  return std::binary_search(kids.begin(), kids.end(), kid, std::less<>());
}

std::string record_snapshot(std::string_view history_json, std::string_view jwks_json,
                            std::string_view source, double at, bool& changed,
                            std::vector<std::string>& warnings) {
  changed = false;
  if (source.empty()) {
    throw config_error("key history: a snapshot needs a source (a URL or a file name)");
  }
  if (!(at >= 0 && at < k_end_of_year_9999)) {
    fail(source, "snapshot time " + format_at(std::isfinite(at) ? at : 0) +
                     " out of range (Unix seconds from 1970 to 9999)");
  }
  std::vector<snapshot> snaps;
  if (!history_json.empty()) snaps = read_document(history_json, "key history");
  normalize(snaps);
  const std::vector<window_with_kid> before = windows_of(snaps);

  std::vector<std::string> notes;
  snapshot taken = read_jwks_snapshot(jwks_json, source, at, notes);
  // The same source at the same time again: the newer reading replaces the older.
  std::erase_if(snaps, [&](const snapshot& s) { return s.source == taken.source && s.at == at; });
  snaps.push_back(std::move(taken));
  normalize(snaps);
  const std::vector<window_with_kid> after = windows_of(snaps);
  warnings.insert(warnings.end(), notes.begin(), notes.end());

  const auto same = [](const window_with_kid& a, const window_with_kid& b) {
    return a.window == b.window;
  };
  changed = !std::equal(before.begin(), before.end(), after.begin(), after.end(), same);
  if (!changed) return std::string(history_json);
  return write_document(snaps);
}

std::string read_key_file_text(const std::string& path) {
  detail::file_bytes content;
  detail::read_key_file(path, content);
  return content.text;
}

}  // namespace jwtbatch
