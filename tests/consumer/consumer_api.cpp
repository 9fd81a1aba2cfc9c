// consumer_api.cpp: a C++20 program built against an installed jwtbatch (find_package or
// pkg-config) that uses the C++ API beyond the README's example: a key made and tokens
// signed in-process (sign.hpp), a batch on two threads (batch.hpp), and a stream
// (pipeline.hpp) read from this program's own byte_source and handed to its own
// line_consumer, so the library calls virtual functions of classes defined here; and a
// config_error thrown inside the library is caught here. Exit status 0 when every
// verdict is right.
#include <jwtbatch/batch.hpp>
#include <jwtbatch/pipeline.hpp>
#include <jwtbatch/sign.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// Hands its text out at most 7 bytes per read, so lines cross reads.
class trickle_source final : public jwtbatch::byte_source {
 public:
  explicit trickle_source(std::string text) : text_(std::move(text)) {}
  std::ptrdiff_t read(char* buf, std::size_t n) override {
    const std::size_t k = std::min({n, std::size_t{7}, text_.size() - at_});
    std::memcpy(buf, text_.data() + at_, k);
    at_ += k;
    return static_cast<std::ptrdiff_t>(k);
  }

 private:
  std::string text_;
  std::size_t at_ = 0;
};

// Collects "<line> <status>" for every verdict, in order.
class verdicts final : public jwtbatch::line_consumer {
 public:
  void consume(const jwtbatch::line_result& line, std::string_view /*prepared*/,
               bool /*flush*/) override {
    for (const jwtbatch::result& r : line.results) {
      seen.push_back(std::to_string(line.number) + " " +
                     std::string(jwtbatch::status_name(r.code)));
    }
  }
  std::vector<std::string> seen;
};

}  // namespace

int main() {
  const jwtbatch::generated_key k = jwtbatch::generate_key(jwtbatch::alg::es256, "es256-1");
  jwtbatch::key_set_builder signing;
  signing.expect_private_keys().add_jwks(R"({"keys":[)" + k.private_jwk + "]}", "generated");
  const std::shared_ptr<const jwtbatch::key_set> signing_keys = signing.build();
  jwtbatch::key_set_builder verifying;
  verifying.add_jwks(R"({"keys":[)" + k.public_jwk + "]}", "generated");

  // exp 1700003600: valid before it, expired from it on.
  const std::string token =
      jwtbatch::sign_compact(*signing_keys, "es256-1", jwtbatch::alg::es256,
                             R"({"iss":"https://issuer.example","exp":1700003600})");
  std::string forged = token;
  forged[forged.size() - 20] = forged[forged.size() - 20] == 'A' ? 'B' : 'A';

  bool caught = false;
  try {
    (void)jwtbatch::sign_compact(*signing_keys, "no-such-kid", jwtbatch::alg::es256, "{}");
  } catch (const jwtbatch::config_error&) {
    caught = true;
  }

  jwtbatch::policy policy;
  policy.issuers = {"https://issuer.example"};
  const jwtbatch::batch_verifier batch(
      std::make_shared<const jwtbatch::verifier>(verifying.build(), policy),
      jwtbatch::batch_options{.threads = 2});
  const std::array<std::string_view, 3> tokens = {token, token, forged};
  const std::array<double, 3> times = {1700000000, 1700003600, 1700000000};
  std::array<jwtbatch::result, 3> results;
  batch.verify_batch_at(tokens, times, results);
  std::string batch_text;
  for (const jwtbatch::result& r : results) {
    batch_text += std::string(jwtbatch::status_name(r.code)) + " ";
  }

  trickle_source source(forged + "\n" + token + "\n");
  verdicts out;
  const jwtbatch::whole_line_extractor lines;
  const jwtbatch::pipeline_stats stats = jwtbatch::verify_stream(batch, source, lines, out);
  std::string stream_text;
  for (const std::string& s : out.seen) {
    stream_text += s + "; ";
  }

  std::printf("consumer_api: batch: %s| stream: %s%llu lines | config_error caught: %s\n",
              batch_text.c_str(), stream_text.c_str(), static_cast<unsigned long long>(stats.lines),
              caught ? "yes" : "no");
  // The stream judges at the current time, long after exp.
  return batch_text == "ok expired bad_signature " &&
                 stream_text == "1 bad_signature; 2 expired; " && stats.lines == 2 && caught
             ? 0
             : 1;
}
