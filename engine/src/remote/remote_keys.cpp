#include "jwtbatch/remote_keys.hpp"

#include "jwtbatch/json_text.hpp"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "remote/fetch.hpp"

namespace jwtbatch {

namespace {

using clock = std::chrono::steady_clock;

clock::duration seconds(double s) {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

// One fetched document and when to fetch it again.
struct document {
  remote_jwks spec;
  std::string name;      // spec.name, or the URL
  std::string jwks_url;  // spec.url, or the discovered jwks_uri
  std::string body;      // the last good JWK Set
  std::time_t fetched_at = 0;
  clock::time_point next_refresh{};
};

// The discovery document's jwks_uri, after checking its issuer (OpenID Connect
// Discovery 1.0 §4.3: exactly the URL the configuration names).
std::optional<std::string> discovered_jwks_uri(const std::string& issuer, std::string_view body,
                                               std::string& why) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS) {
    why = "discovery document is not a JSON object";
    return std::nullopt;
  }
  std::optional<std::string> said_issuer;
  std::optional<std::string> jwks_uri;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      why = "discovery document is not valid JSON";
      return std::nullopt;
    }
    if (key != "issuer" && key != "jwks_uri") continue;
    std::string_view value;
    if (field.value().get_string().get(value) != simdjson::SUCCESS) {
      why = "discovery document: \"" + std::string(key) + "\" is not a string";
      return std::nullopt;
    }
    (key == "issuer" ? said_issuer : jwks_uri) = std::string(value);
  }
  if (!said_issuer) {
    why = "discovery document has no \"issuer\"";
    return std::nullopt;
  }
  if (*said_issuer != issuer) {
    why = "discovery document says issuer \"" + *said_issuer + "\", expected \"" + issuer + "\"";
    return std::nullopt;
  }
  if (!jwks_uri) {
    why = "discovery document has no \"jwks_uri\"";
    return std::nullopt;
  }
  if (!detail::is_https_url(*jwks_uri)) {
    why = "discovery document's jwks_uri " + *jwks_uri + " is not an https URL";
    return std::nullopt;
  }
  return jwks_uri;
}

// Fetches the JWK Set of `spec`: through its discovery document first when it is an
// issuer and `rediscover` is set or `known_url` is empty. On success fills `jwks_url`,
// `body` and `max_age`; otherwise returns the failure's phrase. `requests` counts the
// requests made.
std::optional<std::string> fetch_jwks_document(const remote_jwks& spec,
                                               const std::string& known_url, bool rediscover,
                                               const detail::fetch_options& fetch,
                                               std::string& jwks_url, std::string& body,
                                               std::optional<double>& max_age, int& requests) {
  jwks_url = known_url;
  if (spec.discovery && (rediscover || jwks_url.empty())) {
    std::string base = spec.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const detail::fetch_reply r =
        detail::https_get(base + "/.well-known/openid-configuration", fetch);
    ++requests;
    if (!r.ok) return "discovery: " + r.error;
    std::string why;
    const auto uri = discovered_jwks_uri(spec.url, r.body, why);
    if (!uri) return why;
    jwks_url = *uri;
  }
  detail::fetch_reply r = detail::https_get(jwks_url, fetch);
  ++requests;
  if (!r.ok) return spec.discovery ? jwks_url + ": " + r.error : r.error;
  body = std::move(r.body);
  max_age = r.max_age;
  return std::nullopt;
}

}  // namespace

std::string fetch_jwks(const remote_jwks& source, const std::string& ca_file,
                       double timeout_seconds, std::size_t max_body_bytes) {
  const std::string name = source.name.empty() ? source.url : source.name;
  if (!detail::is_https_url(source.url)) {
    throw config_error(name + ": not an https:// URL (keys are fetched over https only)");
  }
  const detail::fetch_options fetch{
      .ca_file = ca_file, .timeout_seconds = timeout_seconds, .max_body_bytes = max_body_bytes};
  std::string url;
  std::string body;
  std::optional<double> max_age;
  int requests = 0;
  if (const auto failure = fetch_jwks_document(source, source.discovery ? "" : source.url, true,
                                               fetch, url, body, max_age, requests)) {
    throw config_error(name + ": " + *failure);
  }
  return body;
}

struct refreshing_key_source::state {
  remote_key_options o;
  detail::fetch_options fetch;
  std::vector<document> docs;  // guarded by fetch_m

  mutable std::mutex keys_m;
  std::shared_ptr<const key_set> keys;

  std::timed_mutex fetch_m;        // one round of fetches at a time
  clock::time_point last_round{};  // when the last round started (guarded by fetch_m)
  bool fetched = false;            // a round has run (guarded by fetch_m)

  std::atomic<std::uint64_t> fetches{0};
  std::atomic<std::uint64_t> fetch_failures{0};
  std::atomic<std::uint64_t> updates{0};

  std::mutex stop_m;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread refresher;

  // Never throws: a log that fails (a full disk under stderr) must not end a refresh
  // thread or a verifying one.
  void log(const std::string& line) const noexcept {
    try {
      if (o.log) o.log(line);
    } catch (...) {
      // Dropped, as documented (remote_key_options::log).
    }
  }

  // Fetches `d`, counting the requests.
  std::optional<std::string> fetch_document(const document& d, bool rediscover,
                                            std::string& jwks_url, std::string& body,
                                            std::optional<double>& max_age) {
    int requests = 0;
    auto failure = fetch_jwks_document(d.spec, d.jwks_url, rediscover, fetch, jwks_url, body,
                                       max_age, requests);
    fetches += static_cast<std::uint64_t>(requests);
    if (failure) ++fetch_failures;
    return failure;
  }

  clock::time_point next_refresh_after(clock::time_point now, std::optional<double> max_age) const {
    double wait = o.refresh_seconds;
    // Cache-Control max-age is honoured when it asks for sooner, never below the cooldown.
    if (max_age) wait = std::min(wait, std::max(*max_age, o.cooldown_seconds));
    return now + seconds(std::max(wait, min_background_wait_seconds));
  }

  // The set of the local keys and the given documents (bodies[i] for docs[i]).
  std::shared_ptr<const key_set> build(const std::vector<std::string>& urls,
                                       const std::vector<std::string>& bodies) const {
    key_set_builder b;
    b.allow_mixed_key_types(o.allow_mixed_key_types);
    if (o.local_keys) o.local_keys(b);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      try {
        b.add_jwks(bodies[i], urls[i]);
      } catch (const config_error& e) {
        // The loader's message starts with the source (the URL): name it as configured.
        const std::string_view what = e.what();
        const std::string prefix = urls[i] + ": ";
        throw config_error(
            docs[i].name + ": " +
            std::string(what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what));
      }
    }
    return b.build();  // mixed_key_set_error passes through: callers word its remedy
  }

  // A round of fetches of the documents `due` says (all of them when it is empty),
  // keeping the last good keys when one fails. Caller holds fetch_m.
  void refresh_round(const std::vector<bool>& due, std::string_view why,
                     refreshing_key_source& self) {
    const clock::time_point now = clock::now();
    last_round = now;
    fetched = true;
    bool changed = false;
    std::vector<std::string> urls(docs.size());
    std::vector<std::string> bodies(docs.size());
    std::vector<std::string> changed_names;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      document& d = docs[i];
      urls[i] = d.jwks_url;
      bodies[i] = d.body;
      if (!due.empty() && !due[i]) continue;
      std::string url;
      std::string body;
      std::optional<double> max_age;
      if (const auto failure = fetch_document(d, false, url, body, max_age)) {
        // Tried again after the cooldown (not at once), or at the next regular refresh
        // when that comes sooner.
        d.next_refresh = now + seconds(std::max(std::min(o.cooldown_seconds, o.refresh_seconds),
                                                min_background_wait_seconds));
        log("warning: " + d.name + ": refresh failed, keeping the keys fetched at " +
            rfc3339_utc(static_cast<double>(d.fetched_at)) + ": " + *failure);
        continue;
      }
      d.fetched_at = std::time(nullptr);
      d.next_refresh = next_refresh_after(now, max_age);
      if (body != d.body) {
        changed = true;
        changed_names.push_back(d.name);
        urls[i] = url;
        bodies[i] = std::move(body);
      }
    }
    if (!changed) return;
    try {
      std::shared_ptr<const key_set> fresh = build(urls, bodies);
      for (std::size_t i = 0; i < docs.size(); ++i) {
        docs[i].jwks_url = urls[i];
        docs[i].body = std::move(bodies[i]);
      }
      std::string names;
      for (const std::string& n : changed_names) names += (names.empty() ? "" : ", ") + n;
      const std::size_t size = fresh->size();
      for (const std::string& w : fresh->warnings()) log("warning: " + w);
      self.publish(std::move(fresh));
      ++updates;
      log("keys updated from " + names + ": " + std::to_string(size) + " keys (" +
          std::string(why) + ")");
    } catch (const std::exception& e) {
      ++fetch_failures;
      log("warning: new keys not used, keeping the previous ones: " + std::string(e.what()));
    }
  }

  // Every document fetched again, discovery included; then the whole set built. All or
  // nothing: throws config_error naming the failing source.
  std::shared_ptr<const key_set> fetch_everything() {
    const clock::time_point now = clock::now();
    last_round = now;
    fetched = true;
    std::vector<std::string> urls(docs.size());
    std::vector<std::string> bodies(docs.size());
    std::vector<std::optional<double>> ages(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) {
      if (const auto failure = fetch_document(docs[i], true, urls[i], bodies[i], ages[i])) {
        throw config_error(docs[i].name + ": " + *failure);
      }
    }
    std::shared_ptr<const key_set> fresh = build(urls, bodies);
    const std::time_t wall = std::time(nullptr);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      docs[i].jwks_url = std::move(urls[i]);
      docs[i].body = std::move(bodies[i]);
      docs[i].fetched_at = wall;
      docs[i].next_refresh = next_refresh_after(now, ages[i]);
    }
    return fresh;
  }

  void run_refresher(refreshing_key_source& self) {
    std::unique_lock stop_lock(stop_m);
    for (;;) {
      clock::time_point due = clock::time_point::max();
      {
        const std::lock_guard fetch_lock(fetch_m);
        for (const document& d : docs) due = std::min(due, d.next_refresh);
      }
      stop_cv.wait_until(stop_lock, due, [&] { return stopping; });
      if (stopping) return;
      stop_lock.unlock();
      {
        const std::lock_guard fetch_lock(fetch_m);
        const clock::time_point now = clock::now();
        std::vector<bool> which(docs.size());
        bool any = false;
        for (std::size_t i = 0; i < docs.size(); ++i) {
          which[i] = docs[i].next_refresh <= now;
          any = any || which[i];
        }
        try {
          if (any) refresh_round(which, "refresh", self);
        } catch (...) {
          // Out of memory, most likely: the keys in use stay; the next round tries again.
          for (std::size_t i = 0; i < docs.size(); ++i) {
            if (which[i]) docs[i].next_refresh = now + seconds(min_background_wait_seconds);
          }
          log("warning: refresh failed, keeping the keys in use");
        }
      }
      stop_lock.lock();
    }
  }
};

refreshing_key_source::refreshing_key_source(remote_key_options options)
    : state_(std::make_unique<state>()) {
  state& s = *state_;
  s.o = std::move(options);
  const auto within = [](double v, double low, double high, bool low_included) {
    return (low_included ? v >= low : v > low) && v <= high;  // false for NaN
  };
  if (!within(s.o.refresh_seconds, 0, max_refresh_seconds, false) ||
      !within(s.o.cooldown_seconds, 0, max_refresh_seconds, true) ||
      !within(s.o.timeout_seconds, 0, max_fetch_timeout_seconds, false)) {
    throw config_error(
        "remote keys: refresh must be in (0, 604800] seconds, cooldown in [0, 604800], "
        "timeout in (0, 600]");
  }
  s.fetch = {.ca_file = s.o.ca_file,
             .timeout_seconds = s.o.timeout_seconds,
             .max_body_bytes = s.o.max_body_bytes};
  for (const remote_jwks& r : s.o.sources) {
    document d;
    d.spec = r;
    d.name = r.name.empty() ? r.url : r.name;
    if (!detail::is_https_url(r.url)) {
      throw config_error(d.name + ": not an https:// URL (keys are fetched over https only)");
    }
    if (!r.discovery) d.jwks_url = r.url;
    s.docs.push_back(std::move(d));
  }
  {
    const std::lock_guard lock(s.fetch_m);
    publish(s.fetch_everything());
  }
  if (s.o.refresh_in_background && !s.docs.empty()) {
    s.refresher = std::thread([this] { state_->run_refresher(*this); });
  }
}

refreshing_key_source::~refreshing_key_source() {
  {
    const std::lock_guard lock(state_->stop_m);
    state_->stopping = true;
  }
  state_->stop_cv.notify_all();
  if (state_->refresher.joinable()) state_->refresher.join();
}

void refreshing_key_source::publish(std::shared_ptr<const key_set> keys) {
  {
    const std::lock_guard lock(state_->keys_m);
    state_->keys = std::move(keys);
  }
  advance_generation();
}

std::shared_ptr<const key_set> refreshing_key_source::keys() const {
  const std::lock_guard lock(state_->keys_m);
  return state_->keys;
}

bool refreshing_key_source::refresh_for_unknown_kid(std::uint64_t seen) noexcept {
  state& s = *state_;
  if (generation() != seen) return true;
  if (s.docs.empty()) return false;
  try {
    // Wait for a round in flight (bounded), or start one when the cooldown allows.
    std::unique_lock lock(s.fetch_m, std::defer_lock);
    if (!lock.try_lock_for(seconds(s.o.timeout_seconds))) return generation() != seen;
    if (generation() != seen) return true;
    if (s.fetched && clock::now() - s.last_round < seconds(s.o.cooldown_seconds)) return false;
    s.refresh_round({}, "unknown kid", *this);
    return generation() != seen;
  } catch (...) {
    return generation() != seen;
  }
}

void refreshing_key_source::reload() {
  const std::lock_guard lock(state_->fetch_m);
  publish(state_->fetch_everything());
  ++state_->updates;
}

key_source_stats refreshing_key_source::stats() const {
  return {.fetches = state_->fetches.load(),
          .fetch_failures = state_->fetch_failures.load(),
          .updates = state_->updates.load()};
}

std::shared_ptr<refreshing_key_source> make_local_key_source(
    std::function<void(key_set_builder&)> local_keys, bool allow_mixed_key_types,
    std::function<void(std::string_view)> log) {
  remote_key_options o;
  o.local_keys = std::move(local_keys);
  o.allow_mixed_key_types = allow_mixed_key_types;
  o.log = std::move(log);
  o.refresh_in_background = false;
  return std::make_shared<refreshing_key_source>(std::move(o));
}

}  // namespace jwtbatch
