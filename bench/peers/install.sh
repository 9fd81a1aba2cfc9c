#!/usr/bin/env bash
# bench/peers/install.sh: installs what bench/peers/run.sh needs beside jwtbatch's own
# build (scripts/install-deps.sh), then the npm peers from the committed lock file.
# Idempotent: with everything present it installs nothing (npm ci still re-creates
# node_modules from package-lock.json, offline from npm's cache when it can).
#
# From a fresh clone:
#   bash scripts/install-deps.sh && bash scripts/build.sh release && bash bench/peers/install.sh
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  libjwt-dev       # libjwt 1.10 (C, OpenSSL): the libjwt peer
  libcpp-jwt-dev   # cpp-jwt 1.4 (header-only C++, OpenSSL): the cpp-jwt peer
  libssl-dev       # OpenSSL 3 headers and libcrypto, which both of them use
  libjansson-dev   # jansson: libjwt_verify reads an array-valued aud with it
  pkg-config make gcc g++
  util-linux       # taskset: the one-thread runs are pinned to one core
)
# Node.js 20 or later (fast-jwt 6 and jose 6 need it). Machines of this project's
# kind come with Node 20 and npm; Debian 12's own nodejs is 18, so it is installed
# only where there is no node at all, and then the version check below says so.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "peers/install: all ${#packages[@]} packages present"
else
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  echo "peers/install: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "peers/install: Node.js $(node --version) is too old: fast-jwt 6 and jose 6 need 20 or later" >&2
  exit 1
fi

# Exactly the versions in package-lock.json; node_modules stays out of git.
npm ci --no-audit --no-fund --loglevel=error
versions="$(node -p 'const v = (p) => require(`./node_modules/${p}/package.json`).version;
  `jose ${v("jose")}, fast-jwt ${v("fast-jwt")}, Node ${process.version}`')"
echo "peers/install: $versions"

# The two OpenSSL-based peers (run.sh rebuilds them too, when their sources change).
make -s -C . all
echo "peers/install: done; now: bash bench/peers/run.sh"
