// Determinism over the whole shared catalogue: every attack vector and every
// Wycheproof JWS/JWK token, shuffled together with repeated copies, gives the same
// result, field for field, whether verified one by one, as a batch on 1, 2 or 8
// threads with any grain, or streamed as lines (docs/SECURITY.md R2/R3: order and
// neighbours change nothing).
//
// The attack vectors share one policy and key set (attack_vectors.json), the
// Wycheproof groups each bring their own key set. Every verifier below gets the whole
// mixed batch: its own tokens verify, the others are refused on the way (unknown kid,
// algorithm, key type...), so each run mixes accepted tokens with every kind of
// rejection.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/pipeline.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"
#include "vector_sets.hpp"

namespace jwtbatch {
namespace {

namespace dom = simdjson::dom;

constexpr double k_now = 1700000000;  // attack_vectors.json's "now"
constexpr std::size_t k_copies = 5;   // each vector this many times in the batch

// Custom claims every verifier returns, so the comparison covers custom_claims too:
// "k0" and "k1" are in payload-many-members, "x" in another attack vector.
const std::vector<std::string> k_returned = {"k0", "x", "k1", "absent"};

struct named_verifier {
  std::string name;
  std::shared_ptr<const verifier> rules;
};

struct catalogue {
  std::vector<std::string> ids;     // unique vectors: "attack <id>", "<file> tcId <n>"
  std::vector<std::string> tokens;  // the same order
  std::size_t attack_count = 0;
  std::size_t attack_valid = 0;           // attack vectors whose "expect" is "valid"
  std::vector<named_verifier> verifiers;  // attack policy first, then each Wycheproof key set
  // The batch: every vector k_copies times, shuffled with a fixed seed.
  std::vector<std::size_t> order;  // index into ids/tokens
  std::vector<std::string_view> batch;
};

void add_wycheproof(dom::parser& parser, const std::string& file, catalogue& c,
                    std::map<std::string, std::size_t>& key_sets) {
  dom::element root;
  ASSERT_EQ(parser.load(test::vector_path("wycheproof/" + file)).get(root), simdjson::SUCCESS)
      << file;
  dom::array groups;
  ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
  std::size_t group_index = 0;
  for (dom::element g : groups) {
    ++group_index;
    // Groups sharing one JWK set share one verifier.
    dom::element keys;
    if (g["public"].get(keys) == simdjson::SUCCESS || g["private"].get(keys) == simdjson::SUCCESS) {
      const std::string text = simdjson::minify(keys);
      std::string why;
      if (!key_sets.contains(text)) {
        if (auto set = test::wycheproof_group_keys(g, &why)) {
          policy p;
          p.fixed_time = k_now;
          p.returned_claims = k_returned;
          key_sets[text] = c.verifiers.size();
          c.verifiers.push_back(
              {file + " group " + std::to_string(group_index), std::make_shared<verifier>(set, p)});
        }
      }
    }
    dom::array tests;
    ASSERT_EQ(g["tests"].get_array().get(tests), simdjson::SUCCESS);
    for (dom::element t : tests) {
      std::int64_t id = 0;
      ASSERT_EQ(t["tcId"].get_int64().get(id), simdjson::SUCCESS);
      c.ids.push_back(file + " tcId " + std::to_string(id));
      c.tokens.push_back(test::wycheproof_token(t));
    }
  }
}

catalogue load_catalogue() {
  catalogue c;
  dom::parser parser;
  dom::element root;
  EXPECT_EQ(parser.load(test::vector_path("attack_vectors.json")).get(root), simdjson::SUCCESS);
  policy p = test::attack_policy();
  p.returned_claims = k_returned;
  c.verifiers.push_back({"attack_vectors.json policy",
                         std::make_shared<verifier>(test::attack_policy_keys(root), p)});
  dom::array vectors;
  EXPECT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  for (dom::element v : vectors) {
    c.ids.push_back("attack " + test::json_string(v["id"]));
    c.tokens.push_back(test::json_string(v["token"]));
    c.attack_valid += test::json_string(v["expect"]) == "valid" ? 1U : 0U;
  }
  c.attack_count = c.ids.size();
  std::map<std::string, std::size_t> key_sets;
  add_wycheproof(parser, "json_web_signature_test.json", c, key_sets);
  add_wycheproof(parser, "json_web_key_test.json", c, key_sets);

  for (std::size_t copy = 0; copy < k_copies; ++copy) {
    for (std::size_t i = 0; i < c.tokens.size(); ++i) c.order.push_back(i);
  }
  std::mt19937 rng(20240517);
  std::shuffle(c.order.begin(), c.order.end(), rng);
  for (std::size_t i : c.order) c.batch.emplace_back(c.tokens[i]);
  return c;
}

const catalogue& shared_catalogue() {
  static const catalogue c = load_catalogue();
  return c;
}

// printable: a byte string with everything outside printable ASCII escaped.
std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x20U && u < 0x7FU && ch != '\\') {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

std::string opt(const std::optional<std::string_view>& v) {
  return v ? "\"" + printable(*v) + "\"" : "-";
}
std::string opt(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", *v);
  return buf;
}

// describe: every field of a result, so that two results are the same exactly when
// their descriptions are equal (and a mismatch prints both in full).
std::string describe(const result& r) {
  std::ostringstream s;
  s << "code=" << status_name(r.code) << " label=" << label_name(r.label)
    << " signature_verified=" << r.signature_verified
    << " alg=" << (r.algorithm ? std::string(alg_name(*r.algorithm)) : "-") << " kid=" << opt(r.kid)
    << " iss=" << opt(r.iss) << " sub=" << opt(r.sub) << " jti=" << opt(r.jti)
    << " has_aud=" << r.has_aud << " aud=[";
  for (std::string_view a : r.aud) s << '"' << printable(a) << "\",";
  s << "] exp=" << opt(r.exp) << " nbf=" << opt(r.nbf) << " iat=" << opt(r.iat) << " custom={";
  for (const auto& [name, value] : r.custom_claims) {
    s << '"' << printable(name) << "\":" << printable(value) << ',';
  }
  s << "} fingerprint=" << r.fingerprint_hex();
  return s.str();
}

// one_by_one: the reference, every token verified alone into a fresh result.
std::vector<std::string> one_by_one(const verifier& v, const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const std::string& t : tokens) {
    result r;
    v.verify_at(t, k_now, r);
    out.push_back(describe(r));
  }
  return out;
}

// Compares got[i] with the reference of the vector at batch position i; reports the
// first few differences in full and the total.
void expect_batch_matches(const catalogue& c, const std::vector<std::string>& reference,
                          const std::vector<result>& got, const std::string& where) {
  ASSERT_EQ(got.size(), c.order.size()) << where;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::string have = describe(got[i]);
    const std::string& want = reference[c.order[i]];
    if (have == want) continue;
    if (++mismatches <= 5) {
      ADD_FAILURE() << where << ", batch slot " << i << " (" << c.ids[c.order[i]] << ")\n  got  "
                    << have << "\n  want " << want;
    }
  }
  EXPECT_EQ(mismatches, 0U) << where;
}

TEST(Determinism, CatalogueIsLoadedWhole) {
  const catalogue& c = shared_catalogue();
  // 171 attack vectors + 401 JWS + 26 JWK Wycheproof tests.
  EXPECT_EQ(c.attack_count, 171U);
  EXPECT_EQ(c.tokens.size(), 171U + 401U + 26U);
  EXPECT_EQ(c.batch.size(), k_copies * c.tokens.size());
  // The attack policy, and the 20 distinct Wycheproof key sets the engine accepts (the
  // others are refused at load, as wycheproof_test expects).
  EXPECT_EQ(c.verifiers.size(), 1U + 20U);
  EXPECT_EQ(c.attack_valid, 18U);
}

TEST(Determinism, ReferenceVerdictsAreTheExpectedOnes) {
  // The reference is itself right: under the attack policy, exactly the attack vectors
  // marked "valid" (plus the one "valid-or-reject" that is signed by a trusted key) are
  // ok, no Wycheproof token is, and the reference shows a wide spread of outcomes.
  const catalogue& c = shared_catalogue();
  const verifier& v = *c.verifiers.front().rules;
  std::size_t ok = 0;
  std::size_t with_custom = 0;
  std::vector<bool> statuses(status_count);
  for (std::size_t i = 0; i < c.tokens.size(); ++i) {
    result r;
    v.verify_at(c.tokens[i], k_now, r);
    statuses[static_cast<std::size_t>(r.code)] = true;
    if (r.code == status::ok) {
      ++ok;
      EXPECT_LT(i, c.attack_count) << c.ids[i];
    }
    with_custom += r.custom_claims.empty() ? 0U : 1U;
    if (c.ids[i] == "attack payload-many-members") {
      EXPECT_EQ(r.code, status::ok);
      ASSERT_EQ(r.custom_claims.size(), 2U);
      EXPECT_EQ(r.custom_claims[0].first, "k0");
      EXPECT_EQ(r.custom_claims[1].first, "k1");
    }
  }
  EXPECT_EQ(ok, c.attack_valid + 1);
  EXPECT_GE(with_custom, 1U);
  EXPECT_GE(std::count(statuses.begin(), statuses.end(), true), 25);
  // Each Wycheproof key set verifies some of its own tokens' signatures, except the two
  // RFC 7520 keys bound to PS256 whose only token is signed PS384 (wycheproof_test
  // overrides tcIds 346 and 350): 75 signatures verified over all key sets. (Tokens whose
  // payload is not strict base64url are refused before their signature is checked.)
  std::size_t total_verified = 0;
  std::size_t sets_verifying = 0;
  for (std::size_t k = 1; k < c.verifiers.size(); ++k) {
    std::size_t verified = 0;
    for (const std::string& t : c.tokens) {
      result r;
      c.verifiers[k].rules->verify_at(t, k_now, r);
      verified += r.signature_verified ? 1U : 0U;
    }
    total_verified += verified;
    sets_verifying += verified != 0 ? 1U : 0U;
  }
  EXPECT_EQ(sets_verifying, c.verifiers.size() - 1 - 2);
  EXPECT_EQ(total_verified, 75U);
}

TEST(Determinism, BatchEqualsOneByOneForAnyThreadsAndGrain) {
  const catalogue& c = shared_catalogue();
  for (const named_verifier& nv : c.verifiers) {
    const auto reference = one_by_one(*nv.rules, c.tokens);
    for (int threads : {1, 2, 8}) {
      for (std::size_t grain : {std::size_t{1}, batch_options{}.grain}) {
        const std::string where =
            nv.name + ", threads " + std::to_string(threads) + ", grain " + std::to_string(grain);
        const batch_verifier engine(nv.rules, batch_options{.threads = threads, .grain = grain});
        std::vector<result> got(c.batch.size());
        // First fill every slot with another token's verdict (the batch reversed), so
        // a field a verification forgot to reset would show.
        std::vector<std::string_view> reversed(c.batch.rbegin(), c.batch.rend());
        engine.verify_batch(reversed, got);
        engine.verify_batch(c.batch, got);
        expect_batch_matches(c, reference, got, where);
      }
    }
  }
}

// stream_records: the batch as lines, one token per line, and where each line came
// from. A token holding '\n' cannot be one line (the line reader would cut it in two:
// attack vectors b64-newline-in-payload and token-trailing-newline), and one ending in
// '\r' would lose that byte as a CRLF; both are left out of the stream.
struct stream_input {
  std::string content;
  std::vector<std::size_t> vector_of_line;  // index into ids/tokens
  std::size_t skipped = 0;                  // batch entries left out
};

stream_input stream_lines(const catalogue& c) {
  stream_input in;
  for (std::size_t i : c.order) {
    const std::string& t = c.tokens[i];
    if (t.find('\n') != std::string::npos || (!t.empty() && t.back() == '\r')) {
      ++in.skipped;
      continue;
    }
    in.content += t;
    in.content += '\n';
    in.vector_of_line.push_back(i);
  }
  return in;
}

TEST(Determinism, StreamEqualsOneByOneForAnyThreadsAndChunks) {
  const catalogue& c = shared_catalogue();
  const stream_input in = stream_lines(c);
  EXPECT_EQ(in.skipped, 2U * k_copies);  // the two attack vectors holding '\n'
  const std::string path =
      ::testing::TempDir() + "determinism_test_stream_" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary) << in.content;
  for (const named_verifier& nv : c.verifiers) {
    const auto reference = one_by_one(*nv.rules, c.tokens);
    const std::size_t limit = nv.rules->policy().limits.max_token_bytes;
    for (int threads : {1, 2, 8}) {
      for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
        const std::string where =
            nv.name + ", threads " + std::to_string(threads) + ", chunk " + std::to_string(chunk);
        const batch_verifier engine(nv.rules, batch_options{.threads = threads});
        const int fd = ::open(path.c_str(), O_RDONLY);
        ASSERT_GE(fd, 0);
        std::size_t n = 0;
        std::size_t mismatches = 0;
        std::size_t oversize = 0;
        verify_stream(
            engine, fd,
            [&](std::uint64_t line, std::string_view token, const result& r) {
              ASSERT_LT(n, in.vector_of_line.size()) << where;
              const std::size_t v = in.vector_of_line[n++];
              EXPECT_EQ(line, n) << where;
              const std::string& want = reference[v];
              std::string have = describe(r);
              if (c.tokens[v].size() > limit) {
                // An oversize line is judged without being kept (pipeline.hpp): no
                // token and an all-'0' fingerprint, where verify_at, which holds the
                // token, hashes it. Everything else is compared.
                ++oversize;
                EXPECT_EQ(r.code, status::token_too_large) << where << " " << c.ids[v];
                EXPECT_TRUE(token.empty()) << where << " " << c.ids[v];
                EXPECT_EQ(r.fingerprint_hex(), std::string(32, '0')) << where << " " << c.ids[v];
                const auto cut = [](const std::string& d) { return d.substr(0, d.rfind(' ')); };
                if (cut(have) != cut(want) && ++mismatches <= 5) {
                  ADD_FAILURE() << where << ", line " << line << " (" << c.ids[v] << ")\n  got  "
                                << have << "\n  want " << want;
                }
                return;
              }
              EXPECT_EQ(token, c.tokens[v]) << where << " " << c.ids[v];
              if (have != want && ++mismatches <= 5) {
                ADD_FAILURE() << where << ", line " << line << " (" << c.ids[v] << ")\n  got  "
                              << have << "\n  want " << want;
              }
            },
            pipeline_options{.chunk_bytes = chunk});
        ::close(fd);
        EXPECT_EQ(n, in.vector_of_line.size()) << where;
        EXPECT_EQ(mismatches, 0U) << where;
        // struct-many-dots, hdr-alg-huge-string and payload-large-100k.
        EXPECT_EQ(oversize, 3U * k_copies) << where;
      }
    }
  }
  (void)std::remove(path.c_str());
}

}  // namespace
}  // namespace jwtbatch
