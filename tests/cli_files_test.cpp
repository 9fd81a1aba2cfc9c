// End-to-end tests of the files the program reads and writes for keys: keygen's
// outputs (never over a FIFO, symlink or directory, never one file twice, never an
// existing set without --force, the umask kept), key files (regular files only,
// bounded, strerror), secrets that are public-key material, the warnings and errors
// of key loading, and the numeric and empty values of keygen and sign.
//
// Fault tests use a temporary directory (FIFOs, symlinks, sparse files): nothing here
// ever points a file-writing command at a device node. /dev/zero is only ever READ.
#include <gtest/gtest.h>
#include <openssl/bytestring.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "codec/base64url.hpp"

namespace jwtbatch {
namespace {

using test::read_file;
using test::run;
using test::run_result;
using test::slurp;
using test::write_file;

// A fresh directory for one test (ctest runs tests in parallel processes).
class temp_dir {
 public:
  explicit temp_dir(const std::string& name) {
    std::string tmpl = ::testing::TempDir() + "cli_files_" + name + "_XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr) << tmpl;
    path_ = tmpl;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() { static_cast<void>(std::system(("rm -rf '" + path_ + "'").c_str())); }
  [[nodiscard]] std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Seconds after which a run is killed: a FIFO that blocks the program must fail the
// test, not hang it.
constexpr int k_bound = 20;

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

std::string b64url(const std::string& bytes) {
  return detail::base64url_encode(bytes);
}

// A P-256 key pair: its public key as PEM (SPKI), DER (SPKI), the raw point, and a JWK.
struct ec_public_key {
  std::string pem, der, point, jwk;
  ec_public_key() {
    bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
    EXPECT_EQ(EC_KEY_generate_key(ec.get()), 1);
    bssl::UniquePtr<EVP_PKEY> pkey(EVP_PKEY_new());
    EVP_PKEY_set1_EC_KEY(pkey.get(), ec.get());
    bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), pkey.get());
    const std::uint8_t* data = nullptr;
    std::size_t len = 0;
    BIO_mem_contents(bio.get(), &data, &len);
    pem.assign(reinterpret_cast<const char*>(data), len);
    CBB cbb;
    std::uint8_t* out = nullptr;
    CBB_init(&cbb, 0);
    EVP_marshal_public_key(&cbb, pkey.get());
    CBB_finish(&cbb, &out, &len);
    der.assign(reinterpret_cast<const char*>(out), len);
    OPENSSL_free(out);
    std::uint8_t buf[65];
    len = EC_POINT_point2oct(EC_KEY_get0_group(ec.get()), EC_KEY_get0_public_key(ec.get()),
                             POINT_CONVERSION_UNCOMPRESSED, buf, sizeof buf, nullptr);
    point.assign(reinterpret_cast<const char*>(buf), len);
    jwk = R"({"kty":"EC","crv":"P-256","kid":"pub","x":")" + b64url(point.substr(1, 32)) +
          R"(","y":")" + b64url(point.substr(33, 32)) + R"("})";
  }
};

// An HS256 token with `payload`, MACed with `secret`: what an attacker who read the
// issuer's public key file would make.
std::string hs256_token(const std::string& secret, const std::string& payload) {
  const std::string signing_input =
      b64url(R"({"alg":"HS256","typ":"JWT"})") + "." + b64url(payload);
  std::uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), secret.size(),
       reinterpret_cast<const std::uint8_t*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  return signing_input + "." + b64url(std::string(reinterpret_cast<const char*>(mac), mac_len));
}

// ---- 1. keygen's outputs ----------------------------------------------------------------

TEST(CliKeygenFiles, NeverReplacesAFifoASymlinkOrADirectory) {
  const temp_dir dir("special");
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string victim = dir / "victim.txt";
  write_file(victim, "keep me\n");
  const std::string link = dir / "link";
  ASSERT_EQ(::symlink(victim.c_str(), link.c_str()), 0);
  const std::string sub = dir / "sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      {"--out " + fifo, "--out " + fifo + ": exists and is a FIFO"},
      {"--out " + dir / "k.jwks --public-out " + fifo,
       "--public-out " + fifo + ": exists and is a FIFO"},
      {"--out " + link, "--out " + link + ": exists and is a symbolic link"},
      {"--out " + link + " --force", "--out " + link + ": exists and is a symbolic link"},
      {"--out " + dir / "k.jwks --public-out " + link + " --force",
       "--public-out " + link + ": exists and is a symbolic link"},
      {"--out " + sub + " --force", "--out " + sub + ": exists and is a directory"},
  };
  for (const auto& c : cases) {
    const run_result r = run("keygen --alg ES256 " + c.args, k_bound);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_EQ(r.err, "jwtbatch: " + c.message +
                         "; keygen only writes regular files, never replaces anything else\n")
        << c.args;
  }
  EXPECT_TRUE(S_ISFIFO(lstat_of(fifo).st_mode));
  EXPECT_TRUE(S_ISLNK(lstat_of(link).st_mode));
  EXPECT_TRUE(S_ISDIR(lstat_of(sub).st_mode));
  EXPECT_EQ(read_file(victim), "keep me\n");
  EXPECT_EQ(read_file(dir / "k.jwks"), "<missing>");  // refused before anything was written
}

TEST(CliKeygenFiles, RefusesTwoOutputsThatAreOneFile) {
  const temp_dir dir("same");
  const std::string priv = dir / "k.jwks";
  // Spelled differently, one file: a name, ./name, sub/../name.
  ASSERT_EQ(::mkdir((dir / "sub").c_str(), 0700), 0);
  for (const std::string& other :
       {dir.path() + "/./k.jwks", dir.path() + "/sub/../k.jwks", dir.path() + "//k.jwks"}) {
    const run_result r = run("keygen --alg ES256 --out " + priv + " --public-out " + other);
    EXPECT_EQ(r.exit_code, 2) << other;
    EXPECT_EQ(r.err, "jwtbatch: --public-out " + other + ": the same file as --out " + priv +
                         "; the public set would replace the private one\n");
    EXPECT_EQ(read_file(priv), "<missing>");
  }
  // Existing files: a hard link is the same file under another name, --force or not.
  write_file(priv, "old private set\n");
  const std::string hard = dir / "hard.jwks";
  ASSERT_EQ(::link(priv.c_str(), hard.c_str()), 0);
  const run_result r = run("keygen --alg ES256 --force --out " + priv + " --public-out " + hard);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "jwtbatch: --public-out " + hard + ": the same file as --out " + priv +
                       "; the public set would replace the private one\n");
  EXPECT_EQ(read_file(priv), "old private set\n");
}

TEST(CliKeygenFiles, AnExistingSetIsReplacedOnlyWithForce) {
  const temp_dir dir("force");
  const std::string priv = dir / "k.jwks";
  const std::string pub = dir / "pub.jwks";
  write_file(priv, "old private set\n");
  const run_result refused = run("keygen --alg ES256 --out " + priv);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "jwtbatch: --out " + priv +
                             ": exists; give --force to replace it (its keys are then lost)\n");
  EXPECT_EQ(read_file(priv), "old private set\n");
  write_file(pub, "old public set\n");
  const run_result refused_public =
      run("keygen --alg ES256 --out " + dir / "new.jwks" + " --public-out " + pub);
  EXPECT_EQ(refused_public.exit_code, 2);
  EXPECT_EQ(refused_public.err, "jwtbatch: --public-out " + pub +
                                    ": exists; give --force to replace it (its keys are then "
                                    "lost)\n");
  EXPECT_EQ(read_file(dir / "new.jwks"), "<missing>");

  ASSERT_EQ(::chmod(priv.c_str(), 0644), 0);
  const run_result forced =
      run("keygen --alg ES256 --force --out " + priv + " --public-out " + pub);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_file(priv).rfind("{\"keys\":[", 0), 0U) << read_file(priv);
  EXPECT_EQ(read_file(pub).rfind("{\"keys\":[", 0), 0U) << read_file(pub);
  EXPECT_EQ(lstat_of(priv).st_mode & 0777U, 0600U);  // a replaced set is 0600 too
}

TEST(CliKeygenFiles, ThePublicSetHonoursTheUmaskThePrivateSetStays0600) {
  const temp_dir dir("umask");
  for (const mode_t mask : {mode_t{022}, mode_t{027}, mode_t{077}}) {
    const std::string tag = std::to_string(mask);
    const mode_t old = ::umask(mask);
    const run_result r =
        run("keygen --alg ES256 --out " + dir / ("k" + tag) + " --public-out " + dir / ("p" + tag));
    ::umask(old);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(lstat_of(dir / ("k" + tag)).st_mode & 0777U, 0600U) << tag;
    EXPECT_EQ(lstat_of(dir / ("p" + tag)).st_mode & 0777U, 0666U & ~mask) << tag;
  }
}

// ---- 2. key files -----------------------------------------------------------------------

TEST(CliKeyFiles, OnlyRegularFilesBoundedWithTheSystemsReason) {
  const temp_dir dir("keyfiles");
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string big = dir / "big.jwks";
  ASSERT_EQ(::truncate((write_file(big, "{"), big).c_str(), 64 * 1024 * 1024 + 1), 0);
  const std::string tokens = dir / "tokens.txt";
  write_file(tokens, "a.b.c\n");
  const std::string notdir = tokens + "/keys.jwks";
  const std::string missing = dir / "missing.jwks";
  const std::string verify = "verify " + tokens + " ";
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      // Read as input only: /dev/zero would be read until memory ran out.
      {verify + "--jwks /dev/zero",
       "--jwks /dev/zero: not a regular file (a character device); a key file must be one"},
      {verify + "--jwks " + fifo, "--jwks " + fifo + ": not a regular file (a FIFO)"},
      {verify + "--key " + fifo + " --kid k --alg ES256",
       "--key " + fifo + ": not a regular file (a FIFO)"},
      {verify + "--secret-file " + fifo, "--secret-file " + fifo + ": not a regular file (a FIFO)"},
      {verify + "--secret-file /dev/zero",
       "--secret-file /dev/zero: not a regular file (a character device)"},
      {verify + "--jwks " + dir.path(),
       "--jwks " + dir.path() + ": not a regular file (a directory)"},
      {verify + "--jwks " + big, "--jwks " + big + ": larger than the 64 MiB a key file may have"},
      {verify + "--jwks " + missing,
       "--jwks " + missing + ": cannot open key file: No such file or directory"},
      {verify + "--secret-file " + notdir,
       "--secret-file " + notdir + ": cannot open key file: Not a directory"},
      {"sign --kid k --jwks " + fifo, "--jwks " + fifo + ": not a regular file (a FIFO)"},
      // sign's @FILE values are read with the same care.
      {"sign --kid k --jwks " + missing + " --claims @" + fifo,
       "--claims @" + fifo + ": not a regular file (a FIFO)"},
      {"sign --kid k --jwks " + missing + " --header @/dev/zero",
       "--header @/dev/zero: not a regular file (a character device)"},
      {"sign --kid k --jwks " + missing + " --claims @" + missing,
       "--claims @" + missing + ": cannot open: No such file or directory"},
  };
  for (const auto& c : cases) {
    const run_result r = run(c.args, k_bound);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("jwtbatch", 0), 0U) << r.err;
  }
  // Standard input is bounded too: no JSON longer than a token can hold.
  const run_result r = test::run("sign --kid k --jwks " + missing + " --claims @- </dev/zero");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "jwtbatch: --claims @-: longer than 16 MiB, more than a token may hold\n");
}

// ---- 3. secrets that are public-key material ---------------------------------------------

TEST(CliSecretFile, AnHs256TokenMacedWithThePublicKeyPemIsRefusedAtConfiguration) {
  const temp_dir dir("confusion");
  const ec_public_key issuer;
  const std::string pem = dir / "issuer.pem";
  write_file(pem, issuer.pem);
  const std::string tokens = dir / "tokens.txt";
  write_file(tokens, hs256_token(issuer.pem, R"({"sub":"admin"})") + "\n");
  const run_result r = run("verify --secret-file " + pem + " --alg HS256 " + tokens);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "jwtbatch: --secret-file " + pem +
                       ": refused as an HMAC secret: it is a PEM block (-----BEGIN ...): key "
                       "material in text form, not a secret; a secret must be secret random "
                       "bytes, and with public-key material anyone could MAC tokens that verify "
                       "(RFC 8725 §2.1)\n");
}

TEST(CliSecretFile, EveryPublicKeyEncodingIsRefusedARandomSecretIsNot) {
  const temp_dir dir("encodings");
  const ec_public_key issuer;
  std::string body;  // the PEM's base64 lines, without the armour
  for (const std::string& line : test::lines(issuer.pem)) {
    if (line.rfind("-----", 0) != 0) body += line + "\n";
  }
  const struct {
    std::string name;
    std::string secret;
    std::string what;
  } cases[] = {
      {"jwk", issuer.jwk, "a JSON document (a JWK or JWK Set's text"},
      {"jwks", "{\"keys\":[" + issuer.jwk + "]}\n", "a JSON document"},
      {"der", issuer.der, "a DER SubjectPublicKeyInfo (a public key)"},
      {"point", issuer.point, "an EC point on prime256v1 (a public key)"},
      {"body", body, "the base64 text of a DER SubjectPublicKeyInfo"},
      {"b64url", b64url(issuer.der), "the base64 text of a DER SubjectPublicKeyInfo"},
  };
  for (const auto& c : cases) {
    const std::string path = dir / c.name;
    write_file(path, c.secret);
    const run_result r = run("verify --secret-file " + path + " --alg HS256 " + path);
    EXPECT_EQ(r.exit_code, 2) << c.name;
    EXPECT_EQ(
        r.err.rfind(
            "jwtbatch: --secret-file " + path + ": refused as an HMAC secret: it is " + c.what, 0),
        0U)
        << c.name << "\n"
        << r.err;
  }
  // 32 random-looking bytes and a long passphrase are still secrets.
  const std::string random = dir / "random";
  write_file(random, std::string("\x04\x9f\x11\x80\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd"
                                 "\xee\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e",
                                 32));
  const std::string tokens = dir / "tokens.txt";
  write_file(tokens, hs256_token(read_file(random), R"({"sub":"s"})") + "\n");
  const run_result ok = run("verify --secret-file " + random + " --alg HS256 " + tokens);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find(R"("status":"ok")"), std::string::npos) << ok.out;
}

// ---- 4. JWKS binding warnings -------------------------------------------------------------

TEST(CliKeyWarnings, RsaWithoutAlgAndPrivateKeysAreSaidNonStringKidIsRefused) {
  const temp_dir dir("warnings");
  const std::string priv = dir / "k.jwks";
  ASSERT_EQ(run("keygen --alg RS256 --kid r --out " + priv).exit_code, 0);
  // The same key without its "alg".
  std::string unbound = read_file(priv);
  const std::size_t at = unbound.find(R"(,"alg":"RS256")");
  ASSERT_NE(at, std::string::npos) << unbound;
  unbound.erase(at, 14);
  const std::string path = dir / "unbound.jwks";
  write_file(path, unbound);
  const std::string tokens = dir / "tokens.txt";
  write_file(tokens, "");
  const run_result r = run("verify --jwks " + path + " " + tokens);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.substr(0, r.err.find("\n", r.err.find("\n") + 1) + 1),
            "jwtbatch: warning: " + path +
                R"(: key 0 (kid "r"): no "alg": this RSA key verifies )" +
                "RS256, RS384, RS512, PS256, PS384 and PS512 alike; give it an \"alg\" (RFC 7517 "
                "§4.4) to bind it to one\n" +
                "jwtbatch: warning: " + path +
                R"(: key 0 (kid "r"): holds a private key; verifying needs only the public key )" +
                "(keep private keys out of a verifier's configuration)\n");

  const std::string numeric = dir / "numeric.jwks";
  write_file(numeric, R"({"keys":[{"kty":"oct","kid":5,"alg":"HS256","k":")" +
                          b64url(std::string(32, 'k')) + R"("}]})");
  const run_result n = run("verify --jwks " + numeric + " " + tokens);
  EXPECT_EQ(n.exit_code, 2);
  EXPECT_EQ(n.err, "jwtbatch: --jwks " + numeric + ": no usable key\n  " + numeric +
                       ": key 0: skipped: \"kid\" is not a string (RFC 7517 §4)\n");
}

// ---- 5. error messages that point the right way -------------------------------------------

TEST(CliKeyMessages, TheMixedSetErrorNamesTheFlagAndKeygensHintWorks) {
  const temp_dir dir("mixed");
  const std::string priv = dir / "k.jwks";
  const std::string pub = dir / "pub.jwks";
  const run_result g =
      run("keygen --alg ES256,HS256 --kid ec,mac --out " + priv + " --public-out " + pub);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(test::lines(g.err).back(),
            "jwtbatch keygen: \"mac\" is an HMAC secret: not in the public set; verify its "
            "tokens with --jwks " +
                priv +
                " --allow-mixed-keys (that set also holds key pairs), or make HMAC keys "
                "with a keygen of their own");
  const run_result token = run("sign --jwks " + priv + " --kid mac --iat 1700000000");
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string tokens = dir / "tokens.txt";
  write_file(tokens, token.out);

  const run_result refused = run("verify --jwks " + priv + " --at 1700000100 " + tokens);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "jwtbatch: the key set mixes HMAC secrets (" + priv +
                             R"(: key 1 (kid "mac")) with public keys ()" + priv +
                             R"(: key 0 (kid "ec")): refused by default, since one set serving )"
                             "both kinds is where algorithm confusion starts (RFC 8725 §2.1) and "
                             "usually means a key went to the wrong flag; verify each kind in its "
                             "own run, or give --allow-mixed-keys if one run must accept both "
                             "(every key stays bound to its own algorithms)\n");
  // What the hint says works.
  const run_result hinted =
      run("verify --jwks " + priv + " --allow-mixed-keys --at 1700000100 " + tokens);
  EXPECT_EQ(hinted.exit_code, 0) << hinted.err;
  EXPECT_NE(hinted.out.find(R"("status":"ok")"), std::string::npos) << hinted.out;

  // An HMAC-only set: the private set alone, no mixing.
  const run_result only = run("keygen --alg HS256 --kid mac --out " + dir / "h.jwks" +
                              " --public-out " + dir / "hp.jwks");
  EXPECT_EQ(test::lines(only.err).back(),
            "jwtbatch keygen: \"mac\" is an HMAC secret: not in the public set; verify its "
            "tokens with --jwks " +
                dir / "h.jwks");
}

TEST(CliKeyMessages, AKeyThatIsNotPemIsAProblemOfTheFile) {
  const temp_dir dir("notapem");
  const std::string path = dir / "notapem";
  write_file(path, "hello\n");
  const run_result r = run("verify --key " + path + " --kid x --alg ES256 " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "jwtbatch: --key " + path +
                       ": no PEM block (-----BEGIN ...-----); a kid or an algorithm is given only "
                       "with a PEM key (a JWK carries its own)\n");
}

// ---- 6. numbers and empty values of keygen and sign --------------------------------------

TEST(CliKeyFlags, BitsIsDecimalInRangeInStepsOf128AndEmptyValuesAreRefused) {
  const temp_dir dir("flags");
  const struct {
    std::string bits;
    std::string why;
  } refused[] = {
      {"0x800", "is not a decimal whole number"},
      {"2048.0", "is not a decimal whole number"},
      {"1e4", "is not a decimal whole number"},
      {"+2048", "is not a decimal whole number"},
      {" 2048", "is not a decimal whole number"},
      {"-2048", "is out of range"},
      {"1024", "is out of range"},
      {"16512", "is out of range"},
      {"99999999999999999999", "is out of range"},
  };
  for (const auto& c : refused) {
    const run_result r = run("keygen --alg RS256 --bits '" + c.bits + "'");
    EXPECT_EQ(r.exit_code, 2) << c.bits;
    EXPECT_EQ(r.out, "") << c.bits;
    EXPECT_EQ(test::lines(r.err).front(), "jwtbatch: --bits: \"" + c.bits + "\" " + c.why +
                                              " (expected a whole number, 2048..16384)")
        << c.bits;
  }
  // In range but not a size BoringSSL makes: it would round down without a word.
  const run_result odd = run("keygen --alg RS256 --bits 3000");
  EXPECT_EQ(odd.exit_code, 2);
  EXPECT_EQ(odd.err,
            "jwtbatch: --bits 3000: not a multiple of 128 (BoringSSL would make a "
            "2944-bit key instead)\n");
  const run_result big = run("keygen --alg RS256 --bits 2176 --out " + dir / "k.jwks");
  EXPECT_EQ(big.exit_code, 0) << big.err;

  const std::string sign = "sign --jwks " + dir / "k.jwks" + " --kid rs256-1 ";
  const struct {
    std::string args;
    std::string flag;
  } empties[] = {
      {"keygen --alg ES256 --bits ''", "--bits"},
      {"keygen --alg ES256 --out ''", "--out"},
      {"keygen --alg ES256 --out " + dir / "x.jwks" + " --public-out ''", "--public-out"},
      {sign + "--iat ''", "--iat"},
      {sign + "--exp-in ''", "--exp-in"},
      {sign + "--alg ''", "--alg"},
      {sign + "--claims ''", "--claims"},
      {sign + "--header ''", "--header"},
      {"sign --jwks " + dir / "k.jwks" + " --kid ''", "--kid"},
      {"sign --jwks '' --kid rs256-1", "--jwks"},
  };
  for (const auto& c : empties) {
    const run_result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_NE(r.err.find(c.flag + ": empty value"), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_EQ(read_file(dir / "x.jwks"), "<missing>");
}

}  // namespace
// A kid in a key file is not the operator's text: the messages that quote it escape it
// (text_escape.hpp), so a key file cannot write terminal controls or a fake line.
TEST(CliKeyMessages, KidsFromKeyFilesAreEscapedInWarningsAndErrors) {
  const temp_dir dir("kid_escape");
  const std::string k = b64url(std::string(32, 'k'));
  const std::string evil = R"(a\u001b[31mX\nok)";  // JSON escapes: ESC and a line feed
  const std::string jwks = dir / "dup.jwks";
  write_file(jwks, R"({"keys":[{"kty":"oct","alg":"HS256","kid":")" + evil + R"(","k":")" + k +
                       R"("},{"kty":"oct","alg":"HS256","kid":")" + evil + R"(","k":")" + k +
                       R"("},{"kty":"oct","alg":"HS256","kid":"good","k":")" + k + R"("}]})");
  const std::string tokens = dir / "tokens.txt";
  write_file(tokens, "");
  const run_result r = run("verify --jwks " + jwks + " " + tokens);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(R"(kid "a\x1b[31mX\nok" is used by 2 keys)"), std::string::npos) << r.err;

  // The same kid in a key that is skipped: the error quotes it escaped too.
  const std::string bad = dir / "bad.jwks";
  write_file(bad, R"({"keys":[{"kty":"oct","alg":"HS256","kid":")" + evil + R"(","k":5}]})");
  const run_result e = run("verify --jwks " + bad + " " + tokens);
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_EQ(e.err.find('\x1b'), std::string::npos) << e.err;
  EXPECT_NE(e.err.find(R"((kid "a\x1b[31mX\nok"))"), std::string::npos) << e.err;
}

}  // namespace jwtbatch
