#!/usr/bin/env bash
# install-deps.sh [--tsan]: installs every Debian 12 package that jwtbatch's build,
# tests, benchmarks and fuzzers need, and fetches the one library the project builds
# itself: BoringSSL, from Debian's source package android-platform-external-boringssl
# (version pinned below), unpacked with Debian's patches into build/deps/boringssl.
# cmake/BoringSSL.cmake compiles it static, with full assembly and hidden symbols.
# Idempotent: when everything is already there it does nothing (and needs no network).
# With --tsan it also fetches Debian's source package of the installed oneTBB into
# build/tsan/onetbb/src, for `scripts/build.sh tsan` to build with ThreadSanitizer
# (Debian's libtbb is not instrumented; see CMakeLists.txt).
#
# Source packages come from the mirrors this machine's apt already uses, through a
# private deb-src list: apt checks every file against the signed Sources index, and
# the machine's own apt setup is left unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

# The BoringSSL jwtbatch is built and tested with. A new version is a reviewed change:
# edit it here; the next run of this script (scripts/test.sh runs it) unpacks it, and the
# next build reconfigures and recompiles every BoringSSL object (cmake/BoringSSL.cmake).
# Debian's archive serves a stable package only at its current version: when bookworm
# updates it, this pin must follow (the fetch below says so).
boringssl_version="13.0.0+r24-2"

tsan=0
if [ "${1:-}" = "--tsan" ]; then tsan=1; fi

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config python3
  clang-14 libclang-rt-14-dev   # libFuzzer, ASan/UBSan/TSan runtimes (fuzz and TSan builds)
  clang-format clang-tidy
  clang-tidy-14                 # scripts/tidy.sh runs this version by name (test.sh --tidy)
  dpkg-dev xz-utils             # dpkg-source: unpacks and patches Debian source packages
  # libraries (BoringSSL comes as source: see above)
  libsimdjson-dev               # JSON (On-Demand)
  libtbb-dev                    # oneTBB: batches and pipelines
  libcli11-dev libfmt-dev       # the CLI
  zlib1g-dev libzstd-dev        # the CLI reads gzip and zstd input
  gzip zstd                     # compressed inputs in the CLI tests
  man-db groff-base             # the install test renders the man page (man -l)
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  rsyslog                       # the rsyslog integration test (a private rsyslogd)
  libivykis0 libnet1 libwrap0   # syslog-ng-core's libraries: the syslog-ng round-trip
  libjson-c5 libglib2.0-0       # test runs a private syslog-ng unpacked from Debian's
  libpcre3 libcap2              # .deb (see fetch_syslog_ng below)
  android-libboringssl          # Debian's prebuilt BoringSSL: boringssl_bench measures the
                                # project's build against it, in one process (dlopen)
  libssl-dev                    # OpenSSL 3: host programs that share a process with
                                # libjwtbatch.so (tests/coexist)
  libcurl4-openssl-dev          # HTTPS client of remote JWK Sets (--jwks-url, --oidc-issuer)
  openssl                       # tests/keys: the test CA and server certificate
  librdkafka-dev                # Kafka client (jwtbatch consume) and its mock cluster
  kcat                          # produces and reads topics in the Kafka tests
  python3-confluent-kafka       # tests/kafka/consume_test.py: its producer and read_committed reader
  python3-dev pybind11-dev      # the Python module (python/, JWTBATCH_BUILD_PYTHON)
  python3-pytest                # its tests (tests/python)
  python3-pandas                # tests/python/test_pandas.py: the README's DataFrames
  python3-jwt python3-cryptography  # PyJWT (with its RSA/EC/EdDSA backend):
                                # bench/python/verify_bench.py measures against it
)

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

# apt_mirror SUITE: the mirror this machine's apt uses for SUITE's binaries (deb822 or
# one-line lists), so sources come from the same place; empty when none is found.
apt_mirror() {
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

# fetch_source PACKAGE VERSION DEST: Debian's source package PACKAGE at exactly VERSION,
# unpacked with Debian's patches into DEST (replaced), which then holds a .unpacked
# stamp with the version. Does nothing, and uses no network, when DEST already has it.
apt_private=()
fetch_source() {
  local package="$1" version="$2" dest="$3"
  if [ "$(cat "$dest/.unpacked" 2>/dev/null)" = "$version" ]; then
    echo "install-deps: $package $version source present"
    return 0
  fi
  if [ ${#apt_private[@]} -eq 0 ]; then
    . /etc/os-release
    local mirror security top="$PWD/build/deps/apt"
    mirror="${JWTBATCH_DEBIAN_MIRROR:-$(apt_mirror "$VERSION_CODENAME")}"
    mirror="${mirror:-http://deb.debian.org/debian}"
    security="${JWTBATCH_DEBIAN_SECURITY_MIRROR:-$(apt_mirror "$VERSION_CODENAME-security")}"
    security="${security:-http://deb.debian.org/debian-security}"
    rm -rf "$top"
    mkdir -p "$top/sources" "$top/lists/partial" "$top/cache/archives/partial"
    : >"$top/none.list"
    printf '%s\n' "Types: deb-src" "URIs: $mirror" \
      "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates" "Components: main" \
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
      "Types: deb-src" "URIs: $security" "Suites: $VERSION_CODENAME-security" \
      "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
      >"$top/sources/debian-src.sources"
    apt_private=(-o Dir::Etc::SourceList="$top/none.list" -o Dir::Etc::SourceParts="$top/sources"
                 -o Dir::State::Lists="$top/lists" -o Dir::Cache="$top/cache"
                 -o APT::Sandbox::User="$(id -un)")
    apt-get "${apt_private[@]}" update -qq
  fi
  echo "install-deps: fetching Debian's $package $version source"
  local download="$PWD/build/deps/download"
  rm -rf "$download" "$dest"
  mkdir -p "$download" "$(dirname "$dest")"
  if ! (cd "$download" && apt-get "${apt_private[@]}" source -qq --download-only \
          "$package=$version"); then
    echo "install-deps: Debian's archive does not offer $package $version; it offers:" \
      "$(apt-cache "${apt_private[@]}" showsrc "$package" 2>/dev/null |
         sed -n 's/^Version: //p' | tr '\n' ' ')" >&2
    echo "install-deps: update the pinned version in scripts/install-deps.sh" >&2
    return 1
  fi
  # --no-check: apt has already checked every file against the signed Sources index.
  dpkg-source --no-check -x "$download/${package}_${version#*:}.dsc" "$dest" >/dev/null
  # dpkg-source leaves a link to the upstream tarball beside DEST; only DEST is kept.
  rm -rf "$download" "$(dirname "$dest")/${package}_"*.orig.tar.*
  echo "$version" >"$dest/.unpacked"
}

fetch_source android-platform-external-boringssl "$boringssl_version" build/deps/boringssl

# librdkafka's source, for the Kafka tests only: their mock cluster (tests/kafka) is
# built from it with a project patch that gives the mock Kafka's transactional
# semantics (cmake/KafkaMock.cmake). The product itself links Debian's librdkafka-dev.
# Pinned like BoringSSL; without it the build simply has no Kafka test targets.
librdkafka_version="2.0.2-1"
fetch_source librdkafka "$librdkafka_version" build/deps/librdkafka

# fetch_syslog_ng DEST: Debian's syslog-ng-core (syslog-ng with program(), pipe() and
# json-parser), unpacked into DEST for tests/syslog_ng/syslog_ng_roundtrip.sh. It is not
# installed: syslog-ng-core and rsyslog both provide and conflict with
# system-log-daemon, so apt would remove rsyslog (which the rsyslog test needs) and start
# a system syslog-ng. The .deb is the archive's candidate version, fetched by apt (which
# checks it against the signed index) and unpacked with dpkg-deb; the test points
# syslog-ng at DEST's libraries and modules. DEST holds a .unpacked stamp with the
# version; nothing is fetched when it matches. When syslog-ng-core is installed on the
# machine, the test uses that and nothing is fetched.
fetch_syslog_ng() {
  local dest="$1" version
  if dpkg-query -W -f='${Status}' syslog-ng-core 2>/dev/null | grep -q "install ok installed"; then
    echo "install-deps: syslog-ng-core installed; the syslog-ng test uses it"
    return 0
  fi
  version="$(apt-cache policy syslog-ng-core | sed -n 's/^ *Candidate: //p')"
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "install-deps: apt offers no syslog-ng-core (needed by tests/syslog_ng)" >&2
    return 1
  fi
  if [ "$(cat "$dest/.unpacked" 2>/dev/null)" = "$version" ]; then
    echo "install-deps: syslog-ng-core $version unpacked"
    return 0
  fi
  echo "install-deps: fetching Debian's syslog-ng-core $version (unpacked, not installed)"
  local download="$PWD/build/download-syslog-ng"
  rm -rf "$download" "$dest"
  mkdir -p "$download" "$dest"
  (cd "$download" && apt-get -o APT::Sandbox::User="$(id -un)" download -qq \
     "syslog-ng-core=$version")
  dpkg-deb -x "$download"/syslog-ng-core_*.deb "$dest"
  rm -rf "$download"
  echo "$version" >"$dest/.unpacked"
}

fetch_syslog_ng build/syslog-ng

# oneTBB's source, exactly the version of the installed libtbb-dev, unpacked into
# build/tsan/onetbb/src/onetbb-<version>.
if [ "$tsan" = 1 ]; then
  version="$(dpkg-query -W -f='${source:Version}' libtbb-dev)"
  fetch_source onetbb "$version" "build/tsan/onetbb/src/onetbb-$version"
fi
