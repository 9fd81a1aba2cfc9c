// rsyslog.hpp: the pure core of `jwtbatch scan --rsyslog`, an rsyslog mmexternal
// message modification plugin (rsyslog's plugins/external/INTERFACE.md): reading the
// message rsyslog hands over, and writing the one-line JSON reply that sets `$!jwt`.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "jwtbatch/result.hpp"

namespace jwtbatch::cli {

// What mmexternal's interface.input setting makes rsyslog write, one message per line:
// "msg" (the MSG part as is) or "fulljson" (the whole message object as JSON, which
// keeps multi-line messages on one line).
enum class rsyslog_input { msg, fulljson };

// fulljson_reader takes one "fulljson" line apart. Reused from message to message.
class fulljson_reader {
 public:
  // read: true when `line` is a JSON object with a string member "msg"; then msg() is
  // its decoded text (a decoded "\n" is kept: tokens never contain one) and time() the
  // decoded "timegenerated" string ("" when absent or not a string): when rsyslog
  // received the message, which the sender cannot choose, unlike "timereported" (the
  // sender's header) or any text of the message. False otherwise, and the caller scans
  // the raw line instead. Throws only std::bad_alloc.
  bool read(std::string_view line);
  [[nodiscard]] std::string_view msg() const noexcept { return msg_; }
  [[nodiscard]] std::string_view time() const noexcept { return time_; }

 private:
  simdjson::ondemand::parser parser_;
  std::string padded_;
  std::string msg_;
  std::string time_;
};

// append_rsyslog_reply appends the reply for one message and its "\n":
//   {"$!":{"jwt":{"count":N,"ok":K, <first token's verdict>[,"tokens":[...]][,"cut":true]}}}
// `count` tokens were found and `ok` of them verified with every check passed. The
// first token's verdict ("status", "class", "alg", "kid", "iss", "sub", "exp", "fp",
// "label"; claims only when its signature verified, as in every other output) sits
// beside them, so a rule can test $!jwt!status; with more than one token, "tokens"
// lists every token's verdict in line order. A message without a token gets
// {"count":0,"ok":0}. "cut" marks a line too long to be read whole (its head was
// scanned). Every string is escaped: the reply is one line of valid JSON whatever the
// message held.
void append_rsyslog_reply(std::string& out, std::span<const result> tokens, bool cut);

}  // namespace jwtbatch::cli
