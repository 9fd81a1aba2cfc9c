// node_verify.mjs: the "against the peers" verifiers from npm, jose and fast-jwt. Each
// verifies every line of a token file with the same checks as the other peers: the
// pinned algorithm and the signature, exp and nbf at a fixed evaluation time, iss and
// aud. Each is used as its documentation recommends for a hot loop: the key is
// imported once (jose: a CryptoKey; fast-jwt: one createVerifier), never per token.
//
//   usage: node node_verify.mjs LIB ALG KEYFILE ISS AUD AT TOKENFILE
//   LIB      jose, fast-jwt, or fast-jwt-cache (fast-jwt's own verified-token cache,
//            off by default, turned on with its default size)
//   KEYFILE  raw HMAC secret bytes (HS*), or a PEM public key
//   AT       evaluation time, Unix seconds
//
// Prints "verified=N rejected=M loop_s=S" on stdout (S: the verify loop alone, without
// Node's start-up and module loading). Exit 0 when the counts are printed, 2 on a usage
// or file error.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { performance } from "node:perf_hooks";
import { importSPKI, jwtVerify } from "jose";
import { createVerifier } from "fast-jwt";

function fail(message) {
  console.error(`node_verify: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length !== 7) fail("usage: node node_verify.mjs LIB ALG KEYFILE ISS AUD AT TOKENFILE");
const [lib, alg, keyFile, iss, aud, atText, tokenFile] = args;
if (!/^\d+$/.test(atText)) fail(`AT must be Unix seconds, not ${atText}`);
const at = Number(atText);
const hmac = alg.startsWith("HS");

let key, tokens;
try {
  key = readFileSync(keyFile);
  tokens = readFileSync(tokenFile, "latin1").split("\n");
} catch (e) {
  fail(e.message);
}
if (tokens.at(-1) === "") tokens.pop();  // the last line's newline ends no token

// Counts the tokens that verify. jose's API is async: one token at a time, each awaited,
// a single verification in flight as in a sequential reader. fast-jwt's verifier is
// synchronous and gets a plain loop (an await per token would cost it a microtask).
async function makeCounter() {
  if (lib === "jose") {
    const cryptoKey = hmac
      ? await webcrypto.subtle.importKey(
          "raw", key, { name: "HMAC", hash: `SHA-${alg.slice(2)}` }, false, ["verify"])
      : await importSPKI(key.toString("latin1"), alg);
    // currentDate is jose's evaluation time; exp and nbf are checked by default.
    const options = { algorithms: [alg], issuer: iss, audience: aud, currentDate: new Date(at * 1000) };
    return async () => {
      let n = 0;
      for (const token of tokens) {
        try {
          await jwtVerify(token, cryptoKey, options);
          ++n;
        } catch {}
      }
      return n;
    };
  }
  if (lib === "fast-jwt" || lib === "fast-jwt-cache") {
    const verifier = createVerifier({
      key: hmac ? key : key.toString("latin1"),
      algorithms: [alg],
      allowedIss: iss,
      allowedAud: aud,
      clockTimestamp: at * 1000,  // milliseconds; exp and nbf are checked by default
      cache: lib === "fast-jwt-cache",
    });
    return async () => {
      let n = 0;
      for (const token of tokens) {
        try {
          verifier(token);
          ++n;
        } catch {}
      }
      return n;
    };
  }
  fail(`unknown LIB ${lib} (jose, fast-jwt, fast-jwt-cache)`);
}

const count = await makeCounter();
const t0 = performance.now();
const verified = await count();
const seconds = (performance.now() - t0) / 1000;
console.log(`verified=${verified} rejected=${tokens.length - verified} loop_s=${seconds.toFixed(6)}`);
