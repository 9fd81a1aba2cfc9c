#!/usr/bin/env bash
# install-deps.sh [--tsan]: installs every Debian 12 package that jwtbatch's build,
# tests, benchmarks and fuzzers need. Idempotent: when everything is already installed
# it does nothing (and needs no network).
# With --tsan it also installs dpkg-dev and fetches Debian's source package of the
# installed oneTBB into build/tsan/onetbb/src, for `scripts/build.sh tsan` to build
# with ThreadSanitizer (Debian's libtbb is not instrumented; see CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

tsan=0
if [ "${1:-}" = "--tsan" ]; then tsan=1; fi

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config python3
  clang-14 libclang-rt-14-dev   # libFuzzer, ASan/UBSan/TSan runtimes (fuzz and TSan builds)
  clang-format clang-tidy
  # libraries
  android-libboringssl-dev      # BoringSSL: /usr/include/android, .../android/libcrypto.so
  libsimdjson-dev               # JSON (On-Demand)
  libtbb-dev                    # oneTBB: batches and pipelines
  libcli11-dev libfmt-dev       # the CLI
  zlib1g-dev libzstd-dev        # the CLI reads gzip and zstd input
  gzip zstd                     # compressed inputs in the CLI tests
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  rsyslog                       # the rsyslog integration test (a private rsyslogd)
  libssl-dev                    # OpenSSL 3: the C ABI's library-clash test hosts (tests/clash)
)
if [ "$tsan" = 1 ]; then
  packages+=(dpkg-dev)          # dpkg-source: unpacks and patches oneTBB's source package
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  echo "install-deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
if [ "$tsan" = 0 ]; then exit 0; fi

# oneTBB's source, exactly the version of the installed libtbb-dev, from Debian's
# archive (apt checks it against the signed Sources index), unpacked with Debian's
# patches into build/tsan/onetbb/src/onetbb-<version>. The deb-src list and apt's
# state for it stay under build/tsan/onetbb/apt: the machine's apt setup is unchanged.
version="$(dpkg-query -W -f='${source:Version}' libtbb-dev)"
top="$PWD/build/tsan/onetbb"
src="$top/src/onetbb-$version"
if [ -f "$src/.unpacked" ]; then
  echo "install-deps: oneTBB $version source present"
  exit 0
fi
. /etc/os-release
# The mirrors this machine's apt already uses for binaries (deb822 or one-line lists),
# so the sources come from the same place; deb.debian.org when none is found.
apt_mirror() {  # apt_mirror SUITE
  python3 - "$1" /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list.d/*.list <<'PY'
import re, sys
suite = sys.argv[1]
for path in sys.argv[2:]:
    try:
        text = open(path).read()
    except OSError:
        continue
    if path.endswith(".sources"):
        for stanza in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
            if "deb" in fields.get("Types", "").split() and suite in fields.get("Suites", "").split():
                print(fields["URIs"].split()[0]); sys.exit(0)
    else:
        for line in text.splitlines():
            words = re.sub(r"\[[^]]*\]", "", line).split()
            if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
                print(words[1]); sys.exit(0)
PY
}
mirror="${JWTBATCH_DEBIAN_MIRROR:-$(apt_mirror "$VERSION_CODENAME")}"
mirror="${mirror:-http://deb.debian.org/debian}"
security="${JWTBATCH_DEBIAN_SECURITY_MIRROR:-$(apt_mirror "$VERSION_CODENAME-security")}"
security="${security:-http://deb.debian.org/debian-security}"
rm -rf "$top/apt" "$top/src"
mkdir -p "$top/apt/sources" "$top/apt/lists/partial" "$top/apt/cache/archives/partial" "$top/src"
: >"$top/apt/none.list"
printf '%s\n' "Types: deb-src" "URIs: $mirror" \
  "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates" "Components: main" \
  "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
  "Types: deb-src" "URIs: $security" "Suites: $VERSION_CODENAME-security" "Components: main" \
  "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >"$top/apt/sources/debian-src.sources"
apt_private=(-o Dir::Etc::SourceList="$top/apt/none.list" -o Dir::Etc::SourceParts="$top/apt/sources"
             -o Dir::State::Lists="$top/apt/lists" -o Dir::Cache="$top/apt/cache"
             -o APT::Sandbox::User="$(id -un)")
echo "install-deps: fetching Debian's oneTBB $version source"
apt-get "${apt_private[@]}" update -qq
(cd "$top/src" && apt-get "${apt_private[@]}" source -qq --download-only "onetbb=$version")
# --no-check: apt has already checked every file against the signed Sources index.
dpkg-source --no-check -x "$top/src/onetbb_${version#*:}.dsc" "$src" >/dev/null
touch "$src/.unpacked"
