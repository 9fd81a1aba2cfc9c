// End-to-end tests of `jwtbatch keys list`, `jwtbatch keys convert` and `jwtbatch sign
// --key`, run as a user would run them. The keys are the RFC example keys (RFC 7515
// App. A.3, RFC 8037 App. A, RFC 7520 §3.4); their PEM forms, SPKI blocks and RFC 7638
// thumbprints were written by Python's `cryptography` and hashlib, not by jwtbatch.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli_support.hpp"

namespace jwtbatch {
namespace {

using test::file_mode;
using test::read_file;
using test::run;
using test::run_result;

// ---- fixed keys -------------------------------------------------------------------------

// RFC 7515 App. A.3 (P-256) as SEC 1 and PKCS#8, its SPKI, and a self-signed certificate.
constexpr const char* k_ec_sec1 =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEII6bEJ5xkJi/mASH3x9dd+nLKWBuvtImO19XwhPfhPSyoAoGCCqGSM49\n"
    "AwEHoUQDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEXH8UTNG72b\n"
    "focs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END EC PRIVATE KEY-----\n";
constexpr const char* k_ec_pkcs8 =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff\n"
    "H1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp\n"
    "7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* k_ec_spki =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* k_ec_cert =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBFjCBvaADAgECAgEBMAoGCCqGSM49BAMCMBUxEzARBgNVBAMMCnJmYzc1MTUg\n"
    "YTMwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjAVMRMwEQYDVQQDDApy\n"
    "ZmM3NTE1IGEzMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vu\n"
    "b9tLe1gHMzV76e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMo\n"
    "hYjlrTAKBggqhkjOPQQDAgNIADBFAiEA+wBvALwvn4+hi3hrYOKNuHt6TPEdSNwd\n"
    "mkWwKpO6WQ4CIG4Few07zP0TBUC6Pfh854gGUs8Pn3amUOJNyDb+LMb7\n"
    "-----END CERTIFICATE-----\n";
constexpr const char* k_ec_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* k_ec_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* k_ec_d = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr const char* k_ec_thumbprint = "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U";

// RFC 8037 App. A (Ed25519) as PKCS#8 and SPKI.
constexpr const char* k_ed_pkcs8 =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* k_ed_spki =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* k_ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* k_ed_thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

// RFC 7520 §3.4 (RSA 2048) as PKCS#1 and SPKI.
constexpr const char* k_rsa_pkcs1 =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAn4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8/KuKPEHLd4\n"
    "rHVTeT+O+XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz/AJmSCpMaJMRBSFKrKb2wqVwG\n"
    "U/NsYOYL+QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj+oBHqFEHYpP\n"
    "e7Tpe+OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzw\n"
    "OHrtIQbS0FVbb9k3+tVTU4fg/3L/vniUFAKwuCLqKnS2BYwdq/mzSnbLY7h/qixo\n"
    "R7jig3//kRhuaxwUkRz5iaiQkqgc5gHdrNP5zwIDAQABAoIBAG1lAvQfhBUSKPJK\n"
    "Rn4dGbshj7zDSr2FjbQf4pIh/ZNtHk/jtavyO/HomZKV8V0NFExLNi7DUUvvLiW7\n"
    "0PgNYq5MDEjJCtSd10xoHa4QpLvYEZXWO7DQPwCmRofkOutf+NqyDS0QnvFvp2d+\n"
    "Lov6jn5C5yvUFgw6qWiLAPmzMFlkgxbtjFAWMJB0zBMy2BqjntOJ6KnqtYRMQUxw\n"
    "TgXZDF4rhYVKtQVOpfg6hIlsaoPNrF7dofizJ099OOgDmCaEYqM++bUlEHxgrIVk\n"
    "wZz+bg43dfJCocr9O5YX0iXaz3TOT5cpdtYbBX+C/5hwrqBWru4HbD3xz8cY1TnD\n"
    "qQa0M8ECgYEA3Slxg/DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex/fp7AZ/9\n"
    "nRaO7HX/+SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr/WCsmGpeNqQn\n"
    "ev1T7IyEsnh8UMt+n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0kCgYEAuKE2\n"
    "dh+cTf6ERF4k4e/jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR/cu0Dm1MZwW\n"
    "mtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoB\n"
    "vyY898EXvRD+hdqRxHlSqAZ192zB3pVFJ0s7pFcCgYAHw9W9eS8muPYv4ZhDu/fL\n"
    "2vorDmD1JqFcHCxZTOnX1NWWAj5hXzmrU0hvWvFC0P4ixddHf5Nqd6+5E9G3k4E5\n"
    "2IwZCnylu3bqCWNh8pT8T3Gf5FQsfPT5530T2BcsoPhUaeCnP499D+rb2mTnFYeg\n"
    "mnTT1B/Ue8KGLFFfn16GKQKBgAiw5gxnbocpXPaO6/OKxFFZ+6c0OjxfN2PogWce\n"
    "TU/k6ZzmShdaRKwDFXisxRJeNQ5Rx6qgS0jNFtbDhW8E8WFmQ5urCOqIOYk28EBi\n"
    "At4JySm4v+5P7yYBh8B8YD2l9j57z/s8hJAxEbn/q8uHP2ddQqvQKgtsni+pHSk9\n"
    "XGBfAoGBANz4qr10DdM8DHhPrAb2YItvPVz/VwkBd1Vqj8zCpyIEKe/07oKOvjWQ\n"
    "SgkLDH9x2hBgY01SbP43CvPk0V72invu2TGkI/FXwXWJLLG7tDSgw4YyfhrYrHmg\n"
    "1Vre3XB9HH8MYBVB6UIexaAq4xSeoemRKTBesZro7OKjKT8/GmiO\n"
    "-----END RSA PRIVATE KEY-----\n";
constexpr const char* k_rsa_spki =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn4EPtAOCc9AlkeQHPzHS\n"
    "tgAbgs7bTZLwUBZdR8/KuKPEHLd4rHVTeT+O+XV2jRojdNhxJWTDvNd7nqQ0VEiZ\n"
    "QHz/AJmSCpMaJMRBSFKrKb2wqVwGU/NsYOYL+QtiWN2lbzcEe6XC0dApr5ydQLrH\n"
    "qkHHig3RBordaZ6Aj+oBHqFEHYpPe7Tpe+OfVfHd1E6cS6M1FZcD1NNLYD5lFHpP\n"
    "I9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3+tVTU4fg/3L/vniUFAKw\n"
    "uCLqKnS2BYwdq/mzSnbLY7h/qixoR7jig3//kRhuaxwUkRz5iaiQkqgc5gHdrNP5\n"
    "zwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* k_rsa_n =
    "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_"
    "AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-"
    "oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-"
    "tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw";
constexpr const char* k_rsa_thumbprint = "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

// A 32-byte HMAC secret and its RFC 7638 thumbprint (of {"k":...,"kty":"oct"}).
constexpr const char* k_secret = "0123456789abcdef0123456789abcdef";
constexpr const char* k_secret_k = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";
constexpr const char* k_secret_thumbprint = "XOBEfwKZzZgziWfq7yZzhEKNQfihBMioCzRbNmqUH0Y";

std::string ec_public_jwk(const std::string& kid) {
  return std::string(R"({"alg":"ES256","crv":"P-256",)") +
         (kid.empty() ? "" : R"("kid":")" + kid + R"(",)") + R"("kty":"EC","x":")" + k_ec_x +
         R"(","y":")" + k_ec_y + R"("})";
}

// ---- helpers ----------------------------------------------------------------------------

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "cli_keys_tool_test_" + std::to_string(::getpid()) + "_" + name;
}

std::string write_file(const std::string& name, const std::string& content) {
  const std::string path = temp_path(name);
  test::write_file(path, content);
  return path;
}

// `args` must fail with exit code 2, nothing on stdout, and exactly `message` on stderr
// ("jwtbatch: " + message + newline).
void expect_error(const std::string& args, const std::string& message) {
  const run_result r = run(args);
  EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
  EXPECT_EQ(r.out, "") << args;
  EXPECT_EQ(r.err, "jwtbatch: " + message + "\n") << args;
}

// ---- keys convert -----------------------------------------------------------------------

TEST(CliKeysConvert, PrivatePemToPublicJwk) {
  const std::string sec1 = write_file("ec.sec1.pem", k_ec_sec1);
  const run_result r = run("keys convert --in " + sec1 + " --kid ec-1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ec_public_jwk("ec-1") + "\n");
  EXPECT_EQ(r.err, "jwtbatch keys convert: --in " + sec1 +
                       " holds a private key; only the public key was written (--private writes "
                       "the private JWK)\n");
  // PKCS#8, SPKI and a certificate of the same key give the same JWK; --alg may say so.
  for (const auto& [name, pem] : {std::pair{"ec.pkcs8.pem", k_ec_pkcs8},
                                  {"ec.spki.pem", k_ec_spki},
                                  {"ec.cert.pem", k_ec_cert}}) {
    const std::string path = write_file(name, pem);
    const run_result c = run("keys convert --in " + path + " --kid ec-1 --alg ES256");
    EXPECT_EQ(c.exit_code, 0) << name << "\n" << c.err;
    EXPECT_EQ(c.out, ec_public_jwk("ec-1") + "\n") << name;
  }
  // Without --kid: no "kid"; --to jwks: a set of one, in keygen's layout.
  const run_result set = run("keys convert --in " + sec1 + " --to jwks");
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "{\"keys\":[\n  " + ec_public_jwk("") + "\n]}\n");
}

TEST(CliKeysConvert, PrivateJwkOnlyWithPrivateAndMode0600) {
  const std::string sec1 = write_file("ec-private.pem", k_ec_sec1);
  const std::string expected = std::string(R"({"alg":"ES256","crv":"P-256","d":")") + k_ec_d +
                               R"(","kid":"ec-1","kty":"EC","x":")" + k_ec_x + R"(","y":")" +
                               k_ec_y + "\"}\n";
  const run_result r = run("keys convert --in " + sec1 + " --kid ec-1 --private");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected);
  EXPECT_EQ(r.err, "");

  const std::string out = temp_path("ec-private.jwk");
  std::remove(out.c_str());
  const run_result f = run("keys convert --in " + sec1 + " --kid ec-1 --private --out " + out);
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.out, "");
  EXPECT_EQ(f.err, "jwtbatch keys convert: 1 key(s) written to " + out + " (mode 0600)\n");
  EXPECT_EQ(read_file(out), expected);
  EXPECT_EQ(file_mode(out), 0600U);
  // An existing file is replaced only with --force.
  expect_error("keys convert --in " + sec1 + " --kid ec-1 --out " + out,
               "--out " + out + ": exists; give --force to replace it");
  const run_result forced = run("keys convert --in " + sec1 + " --kid ec-1 --force --out " + out);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_file(out), ec_public_jwk("ec-1") + "\n");
}

TEST(CliKeysConvert, PemToJwkToPemGivesTheSameSpki) {
  struct one {
    const char* name;
    const char* pem;
    const char* alg;
    const char* spki;
  };
  for (const one& k :
       {one{"ec", k_ec_sec1, "ES256", k_ec_spki}, one{"ed", k_ed_pkcs8, "EdDSA", k_ed_spki},
        one{"rsa", k_rsa_pkcs1, "PS256", k_rsa_spki}}) {
    SCOPED_TRACE(k.name);
    const std::string pem = write_file(std::string(k.name) + ".pem", k.pem);
    const std::string jwk = temp_path(std::string(k.name) + ".jwk");
    std::remove(jwk.c_str());
    const run_result to_jwk =
        run("keys convert --in " + pem + " --kid " + k.name + " --alg " + k.alg + " --out " + jwk);
    ASSERT_EQ(to_jwk.exit_code, 0) << to_jwk.err;
    // Back to PEM: the default for a JWK input.
    const run_result back = run("keys convert --in " + jwk);
    EXPECT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(back.out, k.spki);
    // The private PEM straight to PEM: its public key.
    const run_result direct = run("keys convert --in " + pem + " --to pem");
    EXPECT_EQ(direct.exit_code, 0) << direct.err;
    EXPECT_EQ(direct.out, k.spki);
  }
  const run_result ed = run("keys convert --in " + write_file("ed2.pem", k_ed_spki));
  EXPECT_EQ(ed.out,
            std::string(R"({"alg":"EdDSA","crv":"Ed25519","kty":"OKP","x":")") + k_ed_x + "\"}\n");
}

TEST(CliKeysConvert, JwkSetToPemBlocksInOrder) {
  const std::string jwks = write_file(
      "set.jwks", "{\"keys\":[" + ec_public_jwk("a") +
                      R"(,{"kty":"OKP","crv":"Ed25519","kid":"b","x":")" + k_ed_x + "\"}]}");
  const run_result r = run("keys convert --in " + jwks);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(k_ec_spki) + k_ed_spki);
  const run_result set = run("keys convert --in " + jwks + " --to jwks");
  EXPECT_EQ(set.out, "{\"keys\":[\n  " + ec_public_jwk("a") + ",\n  " +
                         R"({"alg":"EdDSA","crv":"Ed25519","kid":"b","kty":"OKP","x":")" + k_ed_x +
                         "\"}\n]}\n");
  expect_error("keys convert --in " + jwks + " --to jwk",
               "--to jwk: --in " + jwks +
                   " holds 2 keys; give --to jwks for a JWK Set of them, or --to pem");
}

TEST(CliKeysConvert, RsaWithoutAlgIsSaidAndGetsNoAlg) {
  const std::string pem = write_file("rsa-unbound.pem", k_rsa_pkcs1);
  const run_result r = run("keys convert --in " + pem + " --kid r");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(R"({"e":"AQAB","kid":"r","kty":"RSA","n":")") + k_rsa_n + "\"}\n");
  EXPECT_EQ(r.err, "jwtbatch keys convert: warning: --in " + pem +
                       " (kid \"r\"): this RSA key verifies RS256, RS384, RS512, PS256, PS384 "
                       "and PS512 alike; bind it to one algorithm\n"
                       "jwtbatch keys convert: --in " +
                       pem +
                       " holds a private key; only the public key was written (--private writes "
                       "the private JWK)\n");
}

TEST(CliKeysConvert, Errors) {
  const std::string missing = temp_path("missing.pem");
  expect_error("keys convert --in " + missing,
               "--in " + missing + ": cannot open key file: No such file or directory");
  expect_error("keys convert --in " + ::testing::TempDir(),
               "--in " + ::testing::TempDir() +
                   ": not a regular file (a directory); a key file must be one");
  const std::string ec = write_file("err-ec.pem", k_ec_sec1);
  expect_error("keys convert --in " + ec + " --to der", "--to \"der\": expected jwk, jwks or pem");
  expect_error("keys convert --in " + ec + " --private --to pem",
               "--private: PEM output holds public keys only (SubjectPublicKeyInfo); give --to "
               "jwk or --to jwks for the private JWK");
  expect_error("keys convert --in " + ec + " --alg ES384",
               "--in " + ec + ": EC key on this curve serves ES256, not ES384");
  expect_error("keys convert --in " + ec + " --alg none",
               "--alg: \"none\" is never accepted (unsigned tokens)");
  const std::string spki = write_file("err-spki.pem", k_ec_spki);
  expect_error("keys convert --in " + spki + " --private",
               "--private: --in " + spki + " holds no private key (only public keys)");
  const std::string jwk = write_file("err.jwk", ec_public_jwk("a"));
  expect_error("keys convert --in " + jwk + " --kid x",
               "--kid: --in " + jwk +
                   " is a JWK or JWK Set, whose keys carry their own kid and alg; --kid and "
                   "--alg are for a PEM input");
  const std::string oct = write_file(
      "err-oct.jwks",
      std::string(R"({"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":")") + k_secret_k + "\"}]}");
  expect_error("keys convert --in " + oct,
               "--in " + oct +
                   ": key 0 (kid \"h\"): an HMAC secret (kty oct) has no public key to "
                   "write; PEM holds public keys only");
  expect_error("keys convert --in " + oct + " --to jwks",
               "--in " + oct +
                   ": key 0 (kid \"h\"): an HMAC secret (kty oct) has no public key to "
                   "write; its JWK is the secret itself, written only with --private");
  const run_result with_private = run("keys convert --in " + oct + " --to jwk --private");
  EXPECT_EQ(with_private.exit_code, 0) << with_private.err;
  EXPECT_EQ(with_private.out, std::string(R"({"alg":"HS256","k":")") + k_secret_k +
                                  R"(","kid":"h","kty":"oct"})" + "\n");
  const std::string text = write_file("err-text.txt", "hello\n");
  expect_error("keys convert --in " + text,
               "--in " + text + ": not a JSON object (expected a JWK or a JWK Set)");
  const std::string other = write_file("err-other.pem",
                                       "-----BEGIN DH PARAMETERS-----\nAA==\n"
                                       "-----END DH PARAMETERS-----\n");
  expect_error("keys convert --in " + other,
               "--in " + other + ": unsupported PEM block \"DH PARAMETERS\"");
}

// ---- sign --key ---------------------------------------------------------------------------

TEST(CliSignKey, PrivatePemSignsWhatTheConvertedJwkVerifies) {
  struct one {
    const char* name;
    const char* pem;
    const char* alg;
  };
  for (const one& k : {one{"ec-sec1", k_ec_sec1, "ES256"}, one{"ec-pkcs8", k_ec_pkcs8, "ES256"},
                       one{"ed-pkcs8", k_ed_pkcs8, "EdDSA"}, one{"rsa-pkcs1", k_rsa_pkcs1, "RS256"},
                       one{"rsa-pkcs1-ps", k_rsa_pkcs1, "PS384"}}) {
    SCOPED_TRACE(k.name);
    const std::string pem = write_file(std::string(k.name) + "-sign.pem", k.pem);
    const run_result token = run("sign --key " + pem + " --kid " + k.name + " --alg " + k.alg +
                                 " --claims '{\"sub\":\"a\"}' --iat 1700000000 --exp-in 1h");
    ASSERT_EQ(token.exit_code, 0) << token.err;
    EXPECT_EQ(token.err, "");
    const std::string jwk = temp_path(std::string(k.name) + "-sign.jwk");
    std::remove(jwk.c_str());
    ASSERT_EQ(
        run("keys convert --in " + pem + " --kid " + k.name + " --alg " + k.alg + " --out " + jwk)
            .exit_code,
        0);
    const std::string tokens = write_file(std::string(k.name) + "-tokens.txt", token.out);
    const run_result v = run("verify --jwks " + jwk + " --at 1700000100 " + tokens);
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_NE(v.out.find(R"("status":"ok")"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find(std::string(R"("kid":")") + k.name + "\""), std::string::npos) << v.out;
  }
}

TEST(CliSignKey, Errors) {
  const std::string ec = write_file("sign-ec.pem", k_ec_sec1);
  const std::string spki = write_file("sign-spki.pem", k_ec_spki);
  const std::string jwks = write_file("sign.jwks", "{\"keys\":[" + ec_public_jwk("a") + "]}");
  expect_error("sign --kid a",
               "no key: give --jwks FILE (a private JWK Set) or --key FILE (a "
               "private PEM key, with --alg)");
  expect_error("sign --jwks " + jwks + " --key " + ec + " --kid a --alg ES256",
               "--jwks and --key: give one of them (--key takes --kid and --alg)");
  expect_error("sign --key " + ec + " --kid a",
               "--key " + ec + ": give --alg, the algorithm to sign with (a PEM key names none)");
  expect_error("sign --key " + ec + " --kid a --alg ES384",
               "--key " + ec + ": EC key on this curve serves ES256, not ES384");
  expect_error("sign --key " + spki + " --kid a --alg ES256",
               "--key " + spki +
                   ": a public key; signing needs the private key (a PKCS#8 \"PRIVATE KEY\", "
                   "PKCS#1 \"RSA PRIVATE KEY\" or SEC 1 \"EC PRIVATE KEY\" PEM)");
  expect_error("sign --key " + jwks + " --kid a --alg ES256",
               "--key " + jwks +
                   ": no PEM block (-----BEGIN ...-----); a kid or an algorithm is given only "
                   "with a PEM key (a JWK carries its own)");
}

// ---- keys list ----------------------------------------------------------------------------

// One NDJSON line of keys list --json: `kid` is JSON already ("null" or a quoted string),
// `source` is plain text (its quotes escaped here).
std::string list_json(const std::string& kid, const std::string& alg, const std::string& kty,
                      unsigned bits, const std::string& thumbprint, const std::string& source) {
  std::string escaped;
  for (const char c : source) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
  return "{\"kid\":" + kid + ",\"algs\":[\"" + alg + "\"],\"kty\":\"" + kty +
         "\",\"bits\":" + std::to_string(bits) + ",\"thumbprint\":\"" + thumbprint +
         "\",\"window\":null,\"source\":\"" + escaped + "\"}\n";
}

TEST(CliKeysList, TableAndNdjson) {
  const std::string jwks =
      write_file("list.jwks", "{\"keys\":[" + ec_public_jwk("ec") +
                                  R"(,{"kty":"OKP","crv":"Ed25519","kid":"ed","x":")" + k_ed_x +
                                  R"("},{"kty":"RSA","kid":"rsa","alg":"RS256","e":"AQAB","n":")" +
                                  k_rsa_n + "\"}]}");
  const run_result r = run("keys list --jwks " + jwks);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            std::string("KID  ALGS   KTY  BITS  THUMBPRINT                                   "
                        "WINDOW  SOURCE\n") +
                "ec   ES256  EC   256   " + k_ec_thumbprint + "  -       " + jwks +
                ": key 0 (kid \"ec\")\n" + "ed   EdDSA  OKP  256   " + k_ed_thumbprint +
                "  -       " + jwks + ": key 1 (kid \"ed\")\n" + "rsa  RS256  RSA  2048  " +
                k_rsa_thumbprint + "  -       " + jwks + ": key 2 (kid \"rsa\")\n");
  const run_result j = run("keys list --json --jwks " + jwks);
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(
      j.out,
      list_json("\"ec\"", "ES256", "EC", 256, k_ec_thumbprint, jwks + ": key 0 (kid \"ec\")") +
          list_json("\"ed\"", "EdDSA", "OKP", 256, k_ed_thumbprint, jwks + ": key 1 (kid \"ed\")") +
          list_json("\"rsa\"", "RS256", "RSA", 2048, k_rsa_thumbprint,
                    jwks + ": key 2 (kid \"rsa\")"));
}

TEST(CliKeysList, PemKeyAndSecretFile) {
  const std::string pem = write_file("list-ec.pem", k_ec_spki);
  const run_result r = run("keys list --key " + pem + " --kid k1 --alg ES256 --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, list_json("\"k1\"", "ES256", "EC", 256, k_ec_thumbprint, pem + " (kid \"k1\")"));
  const std::string secret = write_file("list.secret", k_secret);
  const run_result s = run("keys list --secret-file " + secret);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.out,
            std::string("KID  ALGS   KTY  BITS  THUMBPRINT                                   "
                        "WINDOW  SOURCE\n") +
                "-    HS256  oct  256   " + k_secret_thumbprint + "  -       " + secret + "\n");
  // The same thumbprint for the same secret as a JWK (RFC 7638 §3.2: of k).
  const std::string oct = write_file(
      "list-oct.jwk", std::string(R"({"kty":"oct","alg":"HS256","k":")") + k_secret_k + "\"}");
  const run_result o = run("keys list --json --jwks " + oct);
  EXPECT_EQ(o.out, list_json("null", "HS256", "oct", 256, k_secret_thumbprint, oct + ": key 0"));
}

TEST(CliKeysList, KeyHistoryWindows) {
  const std::string march =
      write_file("hist-march.jwks", "{\"keys\":[" + ec_public_jwk("ec") + "]}");
  const std::string april = write_file(
      "hist-april.jwks",
      std::string(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed","x":")") + k_ed_x + "\"}]}");
  const std::string history = temp_path("hist.json");
  std::remove(history.c_str());
  const run_result m = run("keys snapshot --jwks " + march + " --source S --key-history " +
                           history + " --at 2026-03-01T00:00:00Z");
  EXPECT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.err, "jwtbatch keys snapshot: S at 2026-03-01T00:00:00Z: 1 key, 1 new, 0 retired\n");
  const run_result a = run("keys snapshot --jwks " + april + " --source S --key-history " +
                           history + " --at 2026-04-01T00:00:00Z");
  EXPECT_EQ(a.exit_code, 0) << a.err;
  const run_result j = run("keys list --json --key-history " + history);
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(
      j.out,
      "{\"kid\":\"ec\",\"algs\":[\"ES256\"],\"kty\":\"EC\",\"bits\":256,\"thumbprint\":\"" +
          std::string(k_ec_thumbprint) +
          "\",\"window\":{\"from\":1772323200,\"until\":1775001600},\"source\":\"S: key 0 "
          "(kid \\\"ec\\\")\"}\n"
          "{\"kid\":\"ed\",\"algs\":[\"EdDSA\"],\"kty\":\"OKP\",\"bits\":256,\"thumbprint\":\"" +
          std::string(k_ed_thumbprint) +
          "\",\"window\":{\"from\":1775001600,\"until\":null},\"source\":\"S: key 0 (kid "
          "\\\"ed\\\")\"}\n");
  const run_result t = run("keys list --key-history " + history);
  EXPECT_NE(t.out.find("  2026-03-01T00:00:00Z..2026-04-01T00:00:00Z  S: key 0"), std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("  2026-04-01T00:00:00Z..                      S: key 0"), std::string::npos)
      << t.out;
  expect_error("keys list --key-history " + history + " --jwks " + march,
               "--key-history: give it without other keys (--jwks, --key, --secret-file, "
               "--jwks-url, --oidc-issuer): a history holds the keys of every time");
  expect_error("verify --key-history " + history + " --jwks " + march,
               "--key-history: give it without other keys (--jwks, --key, --secret-file, "
               "--jwks-url, --oidc-issuer): a history holds the keys of every time");
  std::remove(history.c_str());
}

TEST(CliKeysList, LoadsAsVerifyDoes) {
  const std::string pem = write_file("list-rsa.pem", k_rsa_spki);
  expect_error("keys list --key " + pem,
               "--key " + pem + ": give exactly one --alg to bind the key to");
  expect_error("keys list",
               "no keys: give --jwks FILE, --key PEM_FILE, --secret-file FILE, --jwks-url URL, "
               "--oidc-issuer URL or --key-history FILE");
  const std::string secret = write_file("list-mixed.secret", k_secret);
  const std::string ec = write_file("list-mixed.pem", k_ec_spki);
  expect_error("keys list --jwks " + ec + " --secret-file " + secret + " --kid h",
               "the key set mixes HMAC secrets (" + secret + ") with public keys (" + ec +
                   "): refused by default, since one set serving both kinds is where algorithm "
                   "confusion starts (RFC 8725 §2.1) and usually means a key went to the wrong "
                   "flag; verify each kind in its own run, or give --allow-mixed-keys if one run "
                   "must accept both (every key stays bound to its own algorithms)");
  const run_result allowed =
      run("keys list --jwks " + ec + " --secret-file " + secret + " --kid h --allow-mixed-keys");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(test::lines(allowed.out).size(), 3U) << allowed.out;
  // Keys sharing a kid are refused as verify refuses them, and said.
  const std::string dup =
      write_file("list-dup.jwks",
                 "{\"keys\":[" + ec_public_jwk("same") +
                     R"(,{"kty":"OKP","crv":"Ed25519","kid":"same","x":")" + k_ed_x +
                     R"("},{"kty":"OKP","crv":"Ed25519","kid":"other","x":")" + k_ed_x + "\"}]}");
  const run_result d = run("keys list --json --jwks " + dup);
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(test::lines(d.out).size(), 1U) << d.out;
  EXPECT_EQ(d.err, "jwtbatch keys list: warning: " + dup +
                       ": key 0 (kid \"same\"): refused: kid \"same\" is used by 2 keys "
                       "(ambiguous)\n"
                       "jwtbatch keys list: warning: " +
                       dup +
                       ": key 1 (kid \"same\"): refused: kid \"same\" is used by 2 keys "
                       "(ambiguous)\n");
}

// ---- the keys command ---------------------------------------------------------------------

TEST(CliKeys, ExactlyOneSubcommand) {
  const run_result help = run("keys --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Subcommands:"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("  list "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("  convert "), std::string::npos) << help.out;
  const run_result none = run("keys");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err,
            "jwtbatch: A subcommand is required\nRun with --help for more information.\n");
  const run_result two = run("keys list convert");
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(two.err,
            "jwtbatch: The following argument was not expected: convert\nRun with --help for more "
            "information.\n");
  const run_result top = run("--help");
  EXPECT_NE(top.out.find("  keys "), std::string::npos) << top.out;
}

}  // namespace
}  // namespace jwtbatch
