// export_keys.mjs: turns the private JWK Set that `jwtbatch keygen` writes into the key
// files every verifier in bench/peers can read, one per algorithm:
//   <alg>.secret  the raw bytes of an HMAC secret ("k" decoded), e.g. hs256.secret
//   <alg>.pem     the SPKI public key in PEM, e.g. rs256.pem, es256.pem, eddsa.pem
// jwtbatch reads the same files (--secret-file / --key), so every verifier uses
// exactly the same key material. Node's own JWK import does the conversion, so no
// private part is ever written out.
//
//   usage: node export_keys.mjs PRIVATE_JWKS OUT_DIR
// Prints one "kid alg file" line per key on stdout.
import { createPublicKey, createSecretKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [jwksPath, outDir] = process.argv.slice(2);
if (!jwksPath || !outDir) {
  console.error("usage: node export_keys.mjs PRIVATE_JWKS OUT_DIR");
  process.exit(2);
}

const { keys } = JSON.parse(readFileSync(jwksPath, "utf8"));
for (const jwk of keys) {
  const base = join(outDir, jwk.alg.toLowerCase());
  let file;
  if (jwk.kty === "oct") {
    file = `${base}.secret`;
    const secret = createSecretKey(Buffer.from(jwk.k, "base64url"));
    writeFileSync(file, secret.export(), { mode: 0o600 });
  } else {
    file = `${base}.pem`;
    // createPublicKey() of a private JWK derives its public key.
    const pem = createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" });
    writeFileSync(file, pem);
  }
  console.log(`${jwk.kid} ${jwk.alg} ${file}`);
}
