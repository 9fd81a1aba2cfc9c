#include "gen_formats.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "gen_signers.hpp"

namespace jwtbatch::cli::gen_parts {
namespace {

// A line's time, broken down in UTC with C++20 <chrono> (times are never negative:
// gen.cpp's validate keeps the base time in 1970..9000).
struct civil {
  int year;
  unsigned month, day, hour, minute, second, millis;
};
civil to_civil(std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{ms}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{t - day};
  return {static_cast<int>(ymd.year()),
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          static_cast<unsigned>(tod.hours().count()),
          static_cast<unsigned>(tod.minutes().count()),
          static_cast<unsigned>(tod.seconds().count()),
          static_cast<unsigned>(tod.subseconds().count())};
}

constexpr std::array<std::string_view, 5> k_agents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "okhttp/4.12.0",
    "python-requests/2.31.0"};
constexpr std::array<std::string_view, 4> k_referers = {"-", "https://app.example/dashboard",
                                                        "https://app.example/orders", "-"};

std::string client_ip(std::size_t user) {
  // Documentation ranges (RFC 5737), one address per user.
  constexpr std::array<std::string_view, 3> nets = {"192.0.2.", "198.51.100.", "203.0.113."};
  return std::string(nets[user % 3]) + std::to_string(1 + (user / 3) % 254);
}

}  // namespace

request make_request(prng& rng, bool accepted) {
  request r{};
  char buf[64];
  switch (rng.below(8)) {
    case 0:
      r = {"GET", "/api/v1/orders", {}, 200, 0, {}, {}};
      std::snprintf(buf, sizeof buf, "?page=%u&limit=50", static_cast<unsigned>(rng.below(40) + 1));
      r.query = buf;
      break;
    case 1:
      r = {"GET", "/api/v1/orders/", {}, 200, 0, {}, {}};
      r.query = std::to_string(100000 + rng.below(900000));  // an order id, as a path suffix
      break;
    case 2:
      r = {"POST", "/api/v1/orders", {}, 201, 0, {}, {}};
      break;
    case 3:
      r = {"GET", "/api/v1/users/me", {}, 200, 0, {}, {}};
      break;
    case 4:
      r = {"PUT", "/api/v1/users/me/preferences", {}, 200, 0, {}, {}};
      break;
    case 5:
      r = {"DELETE", "/api/v1/sessions/current", {}, 204, 0, {}, {}};
      break;
    case 6: {
      constexpr std::array<std::string_view, 4> words = {"shoes", "invoice+2024", "blue%20mug",
                                                         "refund"};
      r = {"GET", "/api/v1/search", {}, 200, 0, {}, {}};
      r.query = "?q=" + std::string(rng.pick(words)) + "&sort=recent";
      break;
    }
    default:
      r = {"GET", "/api/v1/reports/daily", {}, 200, 0, {}, {}};
      r.query = "?format=csv";
      break;
  }
  if (!accepted) {
    r.status = 401;
    r.bytes = 60 + rng.below(40);
  } else if (r.status == 200 && r.method == "GET" && rng.below(10) == 0) {
    r.status = 304;
  } else {
    r.bytes = r.status == 204 ? 0 : r.status == 201 ? 120 + rng.below(400) : 200 + rng.below(24000);
  }
  r.referer = rng.pick(k_referers);
  r.agent = rng.pick(k_agents);
  return r;
}

void format_line(std::string& out, gen_format f, std::int64_t ms, const request& r,
                 std::size_t user, std::string_view token) {
  out.clear();
  if (f == gen_format::tokens) {
    out.assign(token);
    return;
  }
  const civil c = to_civil(ms);
  // A "/orders/" path carries its id in `query` (see make_request).
  const bool id_suffix = !r.query.empty() && r.query[0] != '?';
  const std::string path = id_suffix ? std::string(r.path) + r.query : std::string(r.path);
  const std::string query = id_suffix || r.query.empty() ? std::string() : r.query.substr(1);
  char buf[64];
  if (f == gen_format::access_log) {
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(buf, sizeof buf, "%02u/%.3s/%04d:%02u:%02u:%02u +0000", c.day,
                  months[c.month - 1].data(), c.year, c.hour, c.minute, c.second);
    out += client_ip(user) + " - - [" + buf + "] \"" + std::string(r.method) + " " + path +
           (query.empty() ? "" : "?" + query) + " HTTP/1.1\" " + std::to_string(r.status) + " " +
           std::to_string(r.bytes) + " \"" + std::string(r.referer) + "\" \"" +
           std::string(r.agent) + "\" \"Authorization: Bearer " + std::string(token) + "\"";
    return;
  }
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, c.millis);
  out += R"({"time":")" + std::string(buf) + R"(","client":")" + client_ip(user) +
         R"(","method":")" + std::string(r.method) + R"(","path":)" + json_str(path) +
         R"(,"query":)" + json_str(query) + R"(,"status":)" + std::to_string(r.status) +
         R"(,"bytes":)" + std::to_string(r.bytes) + R"(,"referer":)" + json_str(r.referer) +
         R"(,"user_agent":)" + json_str(r.agent) + R"(,"authorization":)" +
         json_str("Bearer " + std::string(token)) + "}";
}

}  // namespace jwtbatch::cli::gen_parts
