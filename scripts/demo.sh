#!/usr/bin/env bash
# demo.sh: installs what is missing, builds jwtbatch, and runs it on a generated access
# log: keygen makes an issuer's keys, gen writes ~200k combined-log lines carrying
# tokens (each repeated, with expired, forged and malformed ones mixed in), and scan
# finds and verifies every token as of its own line's time, printing the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh release jwtbatch >/dev/null

jwtbatch=build/release/bin/jwtbatch
dir=build/demo
mkdir -p "$dir"
set -x
"$jwtbatch" keygen --alg RS256,ES256,EdDSA --force --out "$dir/issuer-private.jwks" \
  --public-out "$dir/issuer-public.jwks"
"$jwtbatch" gen --jwks "$dir/issuer-private.jwks" --count 200000 --repeat 20 \
  --mix valid=90,expired=5,forged=3,malformed=2 --format access-log \
  --base-time 2024-03-01T08:00:00Z --seed 2024 --out "$dir/access.log"
head -c 300 "$dir/access.log"; echo " ..."
status=0
"$jwtbatch" scan --jwks "$dir/issuer-public.jwks" --iss https://issuer.example \
  --aud api.example --at-log-time --format summary "$dir/access.log" || status=$?
{ set +x; } 2>/dev/null
# Exit 1 is expected (the log holds expired, forged and malformed tokens on purpose);
# 2 would be a usage or key error.
echo "scan exit code: $status (1 = some tokens did not verify, as generated)"
[ "$status" -le 1 ]
