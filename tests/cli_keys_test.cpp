// End-to-end tests of `jwtbatch keygen`, `jwtbatch sign` and `jwtbatch inspect`, run
// as a user would run them: keys made by the program sign tokens that the program's own
// `verify` accepts, for every algorithm.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

constexpr const char* k_not_verified =
    "jwtbatch inspect: NOT VERIFIED: the signature was not checked\n";

using test::file_mode;
using test::read_file;
using test::run;
using test::run_result;
using test::slurp;

// A path unique to this process (ctest runs the tests of this file in parallel).
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "cli_keys_test_" + std::to_string(::getpid()) + "_" + name;
}

// One shell word: '...' with every ' spelled '\''.
std::string sq(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string write_file(const std::string& name, const std::string& content) {
  const std::string path = temp_path(name);
  test::write_file(path, content);
  return path;
}

// The value of `key` in a JSON object text, minified ("" when absent, "<not JSON>").
std::string field(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return "<not JSON>";
  simdjson::dom::element value;
  if (doc[key].get(value) != simdjson::SUCCESS) return "";
  return simdjson::minify(value);
}

// The keys of a JWK Set, each as minified JSON.
std::vector<std::string> jwks_keys(const std::string& jwks) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::string> keys;
  EXPECT_EQ(parser.parse(jwks).get(doc), simdjson::SUCCESS) << jwks;
  simdjson::dom::array array;
  EXPECT_EQ(doc["keys"].get(array), simdjson::SUCCESS) << jwks;
  for (simdjson::dom::element k : array) keys.push_back(simdjson::minify(k));
  return keys;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// sign, then verify the token with `verify_jwks` as of 1700000100, and check the record.
void expect_sign_verify_round_trip(const std::string& private_jwks, const std::string& verify_jwks,
                                   alg a, const std::string& kid) {
  const std::string name(alg_name(a));
  const std::string claims =
      R"({"iss":"https://issuer.example","sub":"user-)" + name + R"(","scope":["a","b"]})";
  const run_result signed_token = run("sign --jwks " + private_jwks + " --kid " + kid +
                                      " --claims " + sq(claims) + " --iat 1700000000 --exp-in 1h");
  ASSERT_EQ(signed_token.exit_code, 0) << name << "\n" << signed_token.err;
  ASSERT_EQ(signed_token.out.find('\n'), signed_token.out.size() - 1) << signed_token.out;
  const std::string token = signed_token.out.substr(0, signed_token.out.size() - 1);
  const std::string tokens = write_file("token_" + kid + ".txt", signed_token.out);
  const run_result v = run("verify --jwks " + verify_jwks +
                           " --allow-mixed-keys --at 1700000100 --claims scope " + tokens);
  EXPECT_EQ(v.exit_code, 0) << name << "\n" << v.out << v.err;
  const std::string record = v.out.substr(0, v.out.find('\n'));
  EXPECT_EQ(field(record, "status"), R"("ok")") << name << " " << record;
  EXPECT_EQ(field(record, "alg"), "\"" + name + "\"") << record;
  EXPECT_EQ(field(record, "kid"), "\"" + kid + "\"") << record;
  EXPECT_EQ(field(record, "iss"), R"("https://issuer.example")") << record;
  EXPECT_EQ(field(record, "sub"), "\"user-" + name + "\"") << record;
  EXPECT_EQ(field(record, "iat"), "1700000000") << record;
  EXPECT_EQ(field(record, "exp"), "1700003600") << record;
  EXPECT_EQ(field(record, "claims"), R"({"scope":["a","b"]})") << record;

  // What was signed, exactly, as inspect shows it.
  const run_result shown = run("inspect -c " + token);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(field(shown.out, "header"),
            R"({"alg":")" + name + R"(","typ":"JWT","kid":")" + kid + R"("})");
  EXPECT_EQ(field(shown.out, "payload"),
            R"({"iss":"https://issuer.example","sub":"user-)" + name +
                R"(","scope":["a","b"],"iat":1700000000,"exp":1700003600})");
}

TEST(CliKeygen, EveryAlgorithmKeygenSignVerifyRoundTrip) {
  const std::string priv = temp_path("all.jwks");
  const std::string pub = temp_path("all.pub.jwks");
  // Repeated and comma-separated --alg mix.
  const run_result g =
      run("keygen --alg HS256,HS384,HS512 --alg RS256,RS384,RS512 "
          "--alg PS256,PS384,PS512 --alg ES256,ES384,ES512 --alg EdDSA --out " +
          priv + " --public-out " + pub);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_TRUE(g.out.empty()) << g.out;  // keys went to the files
  EXPECT_NE(g.err.find("13 key(s): hs256-1 (HS256), hs384-1 (HS384)"), std::string::npos) << g.err;
  EXPECT_NE(g.err.find("\"hs512-1\" is an HMAC secret: not in the public set"), std::string::npos)
      << g.err;
  EXPECT_EQ(file_mode(priv), 0600U);

  const std::vector<std::string> private_keys = jwks_keys(read_file(priv));
  const std::vector<std::string> public_keys = jwks_keys(read_file(pub));
  ASSERT_EQ(private_keys.size(), 13U);
  ASSERT_EQ(public_keys.size(), 10U);
  for (std::size_t i = 0; i < all_algs().size(); ++i) {
    const alg a = all_algs()[i];
    const std::string kid = lower(alg_name(a)) + "-1";
    EXPECT_EQ(field(private_keys[i], "kid"), "\"" + kid + "\"");
    const std::string name(alg_name(a));
    EXPECT_EQ(field(private_keys[i], "alg"), "\"" + name + "\"");
    EXPECT_NE(field(private_keys[i], i < 3 ? "k" : "d"), "") << private_keys[i];
  }
  for (std::size_t i = 0; i < public_keys.size(); ++i) {
    EXPECT_EQ(field(public_keys[i], "d"), "") << public_keys[i];
    EXPECT_EQ(field(public_keys[i], "k"), "") << public_keys[i];
    EXPECT_NE(field(public_keys[i], "kty"), R"("oct")") << public_keys[i];
    EXPECT_EQ(field(public_keys[i], "kid"), field(private_keys[i + 3], "kid"));
    EXPECT_EQ(field(public_keys[i], "use"), R"("sig")");
  }

  for (const alg a : all_algs()) {
    const bool hmac = a == alg::hs256 || a == alg::hs384 || a == alg::hs512;
    expect_sign_verify_round_trip(priv, hmac ? priv : pub, a, lower(alg_name(a)) + "-1");
  }
  // The public set cannot sign.
  const run_result no_private = run("sign --jwks " + pub + " --kid es256-1");
  EXPECT_EQ(no_private.exit_code, 2);
  EXPECT_TRUE(no_private.out.empty());
  EXPECT_NE(no_private.err.find("holds only the public part"), std::string::npos) << no_private.err;
}

TEST(CliKeygen, Rsa3072BitKeyRoundTrip) {
  const std::string priv = temp_path("rsa3072.jwks");
  const std::string pub = temp_path("rsa3072.pub.jwks");
  const run_result g =
      run("keygen --alg PS384 --bits 3072 --kid big --out " + priv + " --public-out " + pub);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const std::vector<std::string> keys = jwks_keys(read_file(pub));
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(field(keys[0], "n").size(), 512U + 2);  // 384 bytes, base64url, quoted
  EXPECT_EQ(field(keys[0], "e"), R"("AQAB")");
  expect_sign_verify_round_trip(priv, pub, alg::ps384, "big");
}

TEST(CliKeygen, KidsArePerAlgorithmOrDefaultToAlgAndCount) {
  const run_result defaults = run("keygen --alg ES256,ES256,EdDSA");
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  const std::vector<std::string> keys = jwks_keys(defaults.out);  // private set on stdout
  ASSERT_EQ(keys.size(), 3U);
  EXPECT_EQ(field(keys[0], "kid"), R"("es256-1")");
  EXPECT_EQ(field(keys[1], "kid"), R"("es256-2")");
  EXPECT_EQ(field(keys[2], "kid"), R"("eddsa-1")");
  EXPECT_NE(field(keys[0], "x"), field(keys[1], "x"));  // two different keys

  const run_result given = run("keygen --alg ES384 --alg HS256 --kid signer,mac");
  ASSERT_EQ(given.exit_code, 0) << given.err;
  const std::vector<std::string> named = jwks_keys(given.out);
  ASSERT_EQ(named.size(), 2U);
  EXPECT_EQ(field(named[0], "kid"), R"("signer")");
  EXPECT_EQ(field(named[0], "crv"), R"("P-384")");
  EXPECT_EQ(field(named[1], "kid"), R"("mac")");
  EXPECT_EQ(field(named[1], "kty"), R"("oct")");
}

TEST(CliKeygen, PublicSetNeverHoldsHmacSecrets) {
  const std::string priv = temp_path("hs.jwks");
  const std::string pub = temp_path("hs.pub.jwks");
  const run_result g = run("keygen --alg HS512 --kid mac --out " + priv + " --public-out " + pub);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(read_file(pub), "{\"keys\":[]}\n");
  EXPECT_EQ(jwks_keys(read_file(priv)).size(), 1U);
  EXPECT_NE(g.err.find("\"mac\" is an HMAC secret: not in the public set"), std::string::npos)
      << g.err;
  // Public set on stdout, private set in a file.
  // Replacing the set written above is explicit (--force).
  const run_result split = run("keygen --alg EdDSA --force --out " + priv + " --public-out -");
  ASSERT_EQ(split.exit_code, 0) << split.err;
  const std::vector<std::string> keys = jwks_keys(split.out);
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(field(keys[0], "d"), "");
  EXPECT_EQ(field(keys[0], "x"), field(jwks_keys(read_file(priv))[0], "x"));
}

// A private set with one key of each kind used by the sign and inspect tests.
struct sign_fixture {
  std::string priv = temp_path("sign.jwks");
  std::string pub = temp_path("sign.pub.jwks");
  sign_fixture() {
    const run_result g =
        run("keygen --alg EdDSA,HS256 --kid ed,mac --force --out " + priv + " --public-out " + pub);
    EXPECT_EQ(g.exit_code, 0) << g.err;
  }
  // The payload of a token that `sign <args>` prints, via inspect.
  [[nodiscard]] std::string payload(const std::string& args) const {
    const run_result s = run("sign --jwks " + priv + " " + args);
    EXPECT_EQ(s.exit_code, 0) << args << "\n" << s.err;
    const run_result shown = run("inspect -c " + s.out.substr(0, s.out.find('\n')));
    EXPECT_EQ(shown.exit_code, 0) << shown.out << shown.err;
    // The payload's bytes as inspect printed them (not re-serialised by a parser).
    const std::size_t begin = shown.out.find(R"("payload":)") + 10;
    return shown.out.substr(begin, shown.out.rfind(R"(,"signature_bytes")") - begin);
  }
};

TEST(CliSign, ExpInIsIatPlusTheDuration) {
  const sign_fixture fx;
  const auto before = static_cast<std::int64_t>(std::time(nullptr));
  const std::string now = fx.payload("--kid ed --exp-in 1h");
  const auto after = static_cast<std::int64_t>(std::time(nullptr));
  const std::int64_t iat = std::stoll(field(now, "iat"));
  EXPECT_GE(iat, before);
  EXPECT_LE(iat, after);
  EXPECT_EQ(std::stoll(field(now, "exp")), iat + 3600) << now;

  EXPECT_EQ(fx.payload("--kid ed --iat 1000 --exp-in 90s"), R"({"iat":1000,"exp":1090})");
  EXPECT_EQ(fx.payload("--kid ed --iat 1000 --exp-in 30m"), R"({"iat":1000,"exp":2800})");
  EXPECT_EQ(fx.payload("--kid ed --iat 1000 --exp-in 2d"), R"({"iat":1000,"exp":173800})");
  EXPECT_EQ(fx.payload("--kid ed --iat 1000 --exp-in 45"), R"({"iat":1000,"exp":1045})");
  EXPECT_EQ(fx.payload("--kid ed --iat 2023-11-14T22:13:20Z"), R"({"iat":1700000000})");
  // The claims' own iat is the base and is kept.
  EXPECT_EQ(fx.payload("--kid ed --claims '{\"sub\":\"s\",\"iat\":5000}' --exp-in 1m"),
            R"({"sub":"s","iat":5000,"exp":5060})");
  // No flags: the claims exactly, minified; no claims: {}.
  EXPECT_EQ(fx.payload("--kid ed --claims '{ \"a\" : [1, 2.50, \"x y\"] }'"),
            R"({"a":[1,2.50,"x y"]})");
  EXPECT_EQ(fx.payload("--kid mac"), "{}");
}

TEST(CliSign, AlgComesFromTheKeyHeaderMergesAndClaimsFromFiles) {
  const sign_fixture fx;
  const std::string claims_file = write_file("claims.json", "{\"sub\":\"from-file\"}\n");
  const run_result s = run("sign --jwks " + fx.priv + " --kid ed --claims @" + claims_file +
                           " --header '{\"typ\":\"at+jwt\",\"x5t\":\"abc\"}'");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const run_result shown = run("inspect -c " + s.out.substr(0, s.out.size() - 1));
  EXPECT_EQ(shown.out, R"({"header":{"alg":"EdDSA","kid":"ed","typ":"at+jwt","x5t":"abc"},)"
                       R"("payload":{"sub":"from-file"},"signature_bytes":64})"
                       "\n");
  const std::string tokens = write_file("merged.txt", s.out);
  const run_result v = run("verify --jwks " + fx.pub + " --typ at+jwt " + tokens);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // --claims @- reads standard input; --alg given explicitly.
  const run_result from_stdin =
      run("sign --jwks " + fx.priv + " --kid mac --alg HS256 --claims @- < " + claims_file);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  const run_result mac = run("inspect -c " + from_stdin.out.substr(0, from_stdin.out.size() - 1));
  EXPECT_EQ(mac.out, R"({"header":{"alg":"HS256","typ":"JWT","kid":"mac"},)"
                     R"("payload":{"sub":"from-file"},"signature_bytes":32})"
                     "\n");
}

TEST(CliInspect, PrintsTheExactHeaderAndPayloadAndSaysNotVerified) {
  const generated_key k = generate_key(alg::hs256, "k1");
  key_set_builder b;
  b.add_jwks(k.private_jwk, "test");
  const auto keys = b.build();
  const std::string token =
      sign_compact(*keys, "k1", alg::hs256, R"({"sub":"alice","n":[1,{"x":null}],"e":{}})",
                   std::string_view(R"({"alg":"HS256","kid":"k1"})"));
  const std::string compact = R"({"header":{"alg":"HS256","kid":"k1"},)"
                              R"("payload":{"sub":"alice","n":[1,{"x":null}],"e":{}},)"
                              R"("signature_bytes":32})"
                              "\n";
  const run_result c = run("inspect --compact " + token);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, compact);
  EXPECT_EQ(c.err, k_not_verified);

  const run_result pretty = run("inspect " + token);
  EXPECT_EQ(pretty.exit_code, 0);
  EXPECT_EQ(pretty.out,
            "{\n"
            "  \"header\": {\n"
            "    \"alg\": \"HS256\",\n"
            "    \"kid\": \"k1\"\n"
            "  },\n"
            "  \"payload\": {\n"
            "    \"sub\": \"alice\",\n"
            "    \"n\": [\n"
            "      1,\n"
            "      {\n"
            "        \"x\": null\n"
            "      }\n"
            "    ],\n"
            "    \"e\": {}\n"
            "  },\n"
            "  \"signature_bytes\": 32\n"
            "}\n");
  EXPECT_EQ(pretty.err, k_not_verified);

  // Standard input: `-` or no argument; the first line, whitespace trimmed.
  const std::string input = write_file("inspect.txt", "  \t" + token + " \r\nsecond line\n");
  for (const char* args : {"inspect -c - < ", "inspect -c < "}) {
    const run_result r = run(args + input);
    EXPECT_EQ(r.exit_code, 0) << args << r.err;
    EXPECT_EQ(r.out, compact) << args;
    EXPECT_EQ(r.err, k_not_verified);
  }

  // A forged signature changes nothing: inspect never verifies.
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'Q' : 'A';
  const run_result f = run("inspect -c " + forged);
  EXPECT_EQ(f.exit_code, 0);
  EXPECT_EQ(f.out, compact);
  EXPECT_EQ(f.err, k_not_verified);
}

TEST(CliInspect, BadSegmentsAreReportedAndExitOne) {
  // Header {"a":1}, payload "not json", signature "AB" (non-zero unused bits).
  const run_result not_json = run("inspect -c eyJhIjoxfQ.bm90IGpzb24.AB");
  EXPECT_EQ(not_json.exit_code, 1);
  EXPECT_EQ(not_json.out,
            R"j({"header":{"a":1},"payload":"not json","signature_bytes":null,"errors":[)j"
            R"j("payload: not JSON (Problem while parsing an atom starting with the letter 'n')",)j"
            R"j("signature: not strict base64url: the last character has non-zero unused bits )j"
            R"j((a second spelling of the same bytes)"]})j"
            "\n");
  EXPECT_EQ(not_json.err, k_not_verified);

  const run_result padded = run("inspect -c eyJhIjoxfQ==.e30.");
  EXPECT_EQ(padded.exit_code, 1);
  EXPECT_EQ(
      padded.out,
      R"j({"header":null,"payload":{},"signature_bytes":0,"errors":[)j"
      R"j("header: not strict base64url: '=' padding at offset 10 (JWS base64url has none)"]})j"
      "\n");

  const run_result two = run("inspect -c eyJhIjoxfQ.e30");
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_NE(two.out.find(R"j("errors":["token: 2 segment(s); a compact JWS has 3)j"),
            std::string::npos)
      << two.out;
  EXPECT_EQ(two.err, k_not_verified);

  // {"a":1,"a":2} as payload: JSON the engine refuses, shown as a string.
  const run_result dup = run("inspect -c e30.eyJhIjoxLCJhIjoyfQ.");
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(field(dup.out, "payload"), R"j("{\"a\":1,\"a\":2}")j") << dup.out;
  EXPECT_NE(dup.out.find("payload: a member name appears twice"), std::string::npos) << dup.out;

  const run_result array = run("inspect -c e30.WzFd.");  // payload [1]
  EXPECT_EQ(array.exit_code, 1);
  EXPECT_EQ(array.out, R"j({"header":{},"payload":[1],"signature_bytes":0,"errors":[)j"
                       R"j("payload: JSON, but not an object"]})j"
                       "\n");

  const run_result empty = run("inspect");  // run() gives an empty standard input
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_TRUE(empty.out.empty());
  // Every command's configuration error has the program's one prefix (main.cpp).
  EXPECT_EQ(empty.err,
            std::string(k_not_verified) + "jwtbatch: standard input: no token on the first line\n");
}

TEST(CliKeys, UsageAndKeyErrorsExitTwoNameTheFlagOrFileAndWriteNothing) {
  const sign_fixture fx;
  const std::string sign = "sign --jwks " + fx.priv + " ";
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      {"keygen --alg HS999", "--alg: unknown algorithm \"HS999\""},
      {"keygen --alg ES256,none", "--alg: \"none\" is not a signing algorithm"},
      {"keygen", "--alg is required"},
      {"keygen --alg RS256 --bits 1024",
       "--bits: \"1024\" is out of range (expected a whole number, 2048..16384)"},
      {"keygen --alg ES256 --bits 3072", "--bits: only RSA keys"},
      {"keygen --alg ES256,ES384 --kid one", "--kid: give one kid per algorithm"},
      {"keygen --alg ES256,ES384 --kid a,a", "--kid \"a\" is given twice"},
      {"keygen --alg ES256 --out /nonexistent/dir/k.jwks",
       "--out /nonexistent/dir/k.jwks: cannot create"},
      {"keygen --alg ES256 --public-out -", "--public-out -: the private set already goes"},
      {sign, "--kid is required"},
      {sign + "--kid ed --claims '{\"sub\":'", "--claims: not JSON"},
      {sign + "--kid ed --claims '[1,2]'", "--claims: must be a JSON object"},
      {sign + "--kid ed --claims '{\"a\":1,\"a\":2}'", "--claims: a member name appears twice"},
      {sign + "--kid ed --claims @/nonexistent/claims.json",
       "--claims @/nonexistent/claims.json: cannot open"},
      {"sign --jwks /nonexistent/keys.jwks --kid ed",
       "--jwks /nonexistent/keys.jwks: cannot open key file"},
      {sign + "--kid nosuch",
       "--kid \"nosuch\": no usable key with this kid in " + fx.priv + " (kids: \"ed\", \"mac\")"},
      {sign + "--kid ed --alg ES256", "--alg ES256: key \"ed\" is for EdDSA"},
      {sign + "--kid ed --alg HS1", "--alg: unknown algorithm \"HS1\""},
      {sign + "--kid ed --exp-in 1y", "--exp-in \"1y\": not a duration"},
      {sign + "--kid ed --exp-in -5m", "--exp-in"},
      {sign + "--kid ed --exp-in 1h --claims '{\"exp\":1}'",
       "--exp-in: the --claims object already has an \"exp\""},
      {sign + "--kid ed --iat tomorrow", "--iat \"tomorrow\""},
      {sign + "--kid ed --iat 1.5", "--iat \"1.5\": must be whole seconds"},
      {sign + "--kid ed --header '{\"alg\":\"none\"}'", "--header: \"alg\" comes from --alg"},
  };
  for (const auto& c : cases) {
    const run_result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args << "\n" << r.out;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  // A failed keygen leaves no file behind.
  const std::string target = temp_path("never.jwks");
  EXPECT_EQ(run("keygen --alg RS256 --bits 100 --out " + target).exit_code, 2);
  EXPECT_NE(::access(target.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace jwtbatch
