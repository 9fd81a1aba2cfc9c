#!/usr/bin/env bash
# install-deps.sh: installs every Debian 12 package that jwtbatch's build, tests,
# benchmarks and fuzzers need. Idempotent: when everything is already installed it
# does nothing (and needs no network).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config python3
  clang-14 libclang-rt-14-dev   # libFuzzer, ASan/UBSan runtimes for the fuzz build
  clang-format clang-tidy
  # libraries
  android-libboringssl-dev      # BoringSSL: /usr/include/android, .../android/libcrypto.so
  libsimdjson-dev               # JSON (On-Demand)
  libtbb-dev                    # oneTBB: batches and pipelines
  libcli11-dev libfmt-dev       # the CLI
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
