#include "remote/fetch.hpp"

#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <string_view>

namespace jwtbatch::detail {
namespace {

// Redirects followed at most; each one is checked here (https only), not by libcurl.
constexpr int k_max_redirects = 5;

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string size_text(std::size_t bytes) {
  if (bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (std::size_t{1} << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string seconds_text(double s) {
  const double whole = std::floor(s);
  if (whole == s) return std::to_string(static_cast<long long>(whole)) + " s";
  std::string t = std::to_string(s);
  while (!t.empty() && t.back() == '0') t.pop_back();
  return t + " s";
}

// libcurl's process-wide setup, once, before the first handle (thread-safe since
// curl 7.84; call_once keeps it to one call either way).
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct easy_deleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};

struct transfer {
  std::string body;
  std::size_t cap = 0;
  bool too_big = false;
  std::optional<double> max_age;
};

extern "C" std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  const std::size_t bytes = size * n;
  if (t->body.size() + bytes > t->cap) {
    t->too_big = true;
    return 0;  // CURLE_WRITE_ERROR: the transfer stops here
  }
  t->body.append(data, bytes);
  return bytes;
}

extern "C" std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  const std::string_view line(data, size * n);
  constexpr std::string_view name = "cache-control:";
  if (starts_with_nocase(line, name)) {
    std::string value(line.substr(name.size()));
    if (const auto age = cache_max_age(value)) t->max_age = age;
  }
  return size * n;
}

// One request, no redirect followed, given `ms` milliseconds (what is left of the
// whole fetch's timeout). Returns the curl code; fills `status` and `location` (a
// redirect's target).
CURLcode get_once(const std::string& url, const fetch_options& o, long ms, transfer& t,
                  long& status, std::string& location, char (&error)[CURL_ERROR_SIZE]) {
  const std::unique_ptr<CURL, easy_deleter> h(curl_easy_init());
  if (!h) return CURLE_OUT_OF_MEMORY;
  CURL* c = h.get();
  error[0] = '\0';
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) {
    // Instead of the system's store, not beside it: libcurl also has a compiled-in CA
    // directory (Debian's: /etc/ssl/certs), which would still be trusted.
    curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  }
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_body_bytes));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING,
                   "");  // gzip and friends; the cap is on decoded bytes
  curl_easy_setopt(c, CURLOPT_USERAGENT, "jwtbatch");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  const CURLcode rc = curl_easy_perform(c);
  status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  char* target = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &target) == CURLE_OK && target != nullptr) {
    location = target;
  }
  return rc;
}

std::string curl_failure(CURLcode rc, const char* detail, const fetch_options& o,
                         const transfer& t) {
  const std::string more = detail[0] != '\0' ? std::string(" (") + detail + ")" : "";
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out after " + seconds_text(o.timeout_seconds);
    case CURLE_FILESIZE_EXCEEDED:
      return "response larger than " + size_text(o.max_body_bytes);
    case CURLE_WRITE_ERROR:
      if (t.too_big) return "response larger than " + size_text(o.max_body_bytes);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS: the server's certificate is not trusted" + more;
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS: cannot use the CA file " + o.ca_file + more;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS: handshake failed" + more;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve the host" + more;
    case CURLE_COULDNT_CONNECT:
      return "cannot connect" + more;
    default:
      break;
  }
  return std::string(curl_easy_strerror(rc)) + more;
}

}  // namespace

bool is_https_url(const std::string& url) noexcept {
  constexpr std::string_view scheme = "https://";
  return starts_with_nocase(url, scheme) && url.size() > scheme.size() && url[scheme.size()] != '/';
}

std::optional<double> cache_max_age(const std::string& value) noexcept {
  std::optional<double> out;
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t end = value.find(',', i);
    if (end == std::string::npos) end = value.size();
    std::string_view d = std::string_view(value).substr(i, end - i);
    while (!d.empty() && (d.front() == ' ' || d.front() == '\t')) d.remove_prefix(1);
    while (!d.empty() &&
           (d.back() == ' ' || d.back() == '\t' || d.back() == '\r' || d.back() == '\n')) {
      d.remove_suffix(1);
    }
    if (starts_with_nocase(d, "no-store") || starts_with_nocase(d, "no-cache")) return 0.0;
    if (starts_with_nocase(d, "max-age=")) {
      const std::string_view digits = d.substr(8);
      double v = 0;
      bool good = !digits.empty() && digits.size() <= 12;
      for (const char ch : digits) {
        if (ch < '0' || ch > '9') {
          good = false;
          break;
        }
        v = v * 10 + (ch - '0');
      }
      if (good) out = v;
    }
    i = end + 1;
  }
  return out;
}

fetch_reply https_get(const std::string& url, const fetch_options& options) {
  global_init();
  fetch_reply reply;
  // The timeout bounds the whole fetch, redirects included: each hop gets what is left.
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                           std::chrono::duration<double>(options.timeout_seconds));
  std::string at = url;
  for (int hop = 0;; ++hop) {
    if (!is_https_url(at)) {
      reply.error = "redirect to " + at + " refused: only https is followed";
      return reply;
    }
    transfer t;
    t.cap = options.max_body_bytes;
    long status = 0;
    std::string location;
    char error[CURL_ERROR_SIZE];
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      reply.error = curl_failure(CURLE_OPERATION_TIMEDOUT, "", options, t);
      return reply;
    }
    const CURLcode rc =
        get_once(at, options, static_cast<long>(left.count()), t, status, location, error);
    if (rc != CURLE_OK) {
      reply.error = curl_failure(rc, error, options, t);
      return reply;
    }
    if (status >= 300 && status < 400 && !location.empty()) {
      if (hop == k_max_redirects) {
        reply.error = "more than " + std::to_string(k_max_redirects) + " redirects";
        return reply;
      }
      at = location;
      continue;
    }
    if (status != 200) {
      reply.error = "HTTP " + std::to_string(status);
      return reply;
    }
    reply.ok = true;
    reply.body = std::move(t.body);
    reply.max_age = t.max_age;
    return reply;
  }
}

}  // namespace jwtbatch::detail
