#!/usr/bin/env bash
# demo.sh: installs what is missing, builds jwtbatch and runs its built-in demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release jwtbatch
exec build/release/bin/jwtbatch demo
