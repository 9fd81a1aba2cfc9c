// fetch.hpp: one HTTPS GET of a small document (a JWK Set, a discovery document), with
// the rules of remote key sets: https only, redirects followed only to https, a total
// timeout, a body cap, the given CA bundle or the system's. Not the hot path.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace jwtbatch::detail {

struct fetch_options {
  std::string ca_file;  // empty: the system's CA store
  double timeout_seconds = 10;
  std::size_t max_body_bytes = std::size_t{1} << 20;
};

struct fetch_reply {
  bool ok = false;
  std::string body;               // the document (ok)
  std::optional<double> max_age;  // Cache-Control max-age (no-cache / no-store: 0)
  std::string error;              // why not (!ok): a phrase, without the URL
};

// https_get fetches `url`. Never throws for a network or protocol failure: the reply
// says what went wrong ("HTTP 404", "timed out after 10 s", "TLS: ...certificate...",
// "response larger than 1 MiB", "redirect to http://... refused: only https is
// followed"). Thread-safe (one libcurl handle per call).
[[nodiscard]] fetch_reply https_get(const std::string& url, const fetch_options& options);

// is_https_url: `url` starts with "https://" (scheme case-insensitive) and names a host.
[[nodiscard]] bool is_https_url(const std::string& url) noexcept;

// cache_max_age reads a Cache-Control header's value: max-age=N as N seconds,
// no-cache or no-store as 0, nothing usable as nullopt.
[[nodiscard]] std::optional<double> cache_max_age(const std::string& value) noexcept;

}  // namespace jwtbatch::detail
