#!/usr/bin/env bash
# installed_program.sh PREFIX SCRATCH: checks the program, man page and bash completion
# an install put under PREFIX (run by run.cmake, test c_api_consumer). The installed
# program's own help is the reference: `jwtbatch --help` lists the commands and
# `jwtbatch <command> --help` each command's flags.
#  - bin/jwtbatch runs from PREFIX (every library it needs is found) and --version
#    names it with the package's version;
#  - `man -l` renders the man page with no warning, naming every command and every flag;
#  - the completion file defines the completion of jwtbatch, completes the commands, each
#    command's flags (exactly those of its --help), file names after a file-taking flag,
#    nothing after a flag whose value is not a file, and command names after `help`.
set -euo pipefail
prefix=$(cd "$1" && pwd)
scratch=$2
program="$prefix/bin/jwtbatch"
man_page="$prefix/share/man/man1/jwtbatch.1"
completion="$prefix/share/bash-completion/completions/jwtbatch"
mkdir -p "$scratch"
fail() {
  echo "installed_program: $*" >&2
  exit 1
}

for f in "$program" "$man_page" "$completion"; do
  [ -f "$f" ] || fail "not installed: $f"
done
[ -x "$program" ] || fail "not executable: $program"
if ldd "$program" | grep -q "not found"; then
  fail "$program misses libraries: $(ldd "$program" | grep "not found")"
fi
version=$(PKG_CONFIG_PATH="$PKG_CONFIG_PATH" pkg-config --modversion jwtbatch)
first=$("$program" --version | head -n 1)
[[ $first == "jwtbatch $version ("* ]] || fail "--version says '$first', not jwtbatch $version"

# The commands, and each command's flags, as the installed program's help lists them.
mapfile -t commands < <("$program" --help |
  awk '/^Subcommands:$/ {s = 1; next} /^$/ {s = 0} s && /^  [a-z]/ {print $1}')
[ ${#commands[@]} -ge 8 ] || fail "jwtbatch --help lists ${#commands[@]} commands"
flags_of() {
  "$program" "$1" --help |
    awk '/^Options:$/ {s = 1; next} /^$/ {s = 0} s && /^  -/ {print $1}' | tr ',' '\n' | sort
}

# The man page: rendered with groff's warnings on, nothing on stderr.
rendered="$scratch/jwtbatch.1.txt"
MANWIDTH=80 man --warnings -l "$man_page" >"$rendered" 2>"$scratch/man.err" ||
  fail "man -l failed: $(cat "$scratch/man.err")"
[ ! -s "$scratch/man.err" ] || fail "man -l warns: $(cat "$scratch/man.err")"
grep -q '^JWTBATCH(1) ' "$rendered" || fail "the man page has no JWTBATCH(1) header"
for cmd in "${commands[@]}"; do
  grep -q "^   jwtbatch $cmd\$" "$rendered" || fail "the man page has no section for $cmd"
  while read -r flag; do
    grep -q -- "$flag" "$rendered" || fail "the man page does not name $cmd $flag"
  done < <(flags_of "$cmd")
done

# The completion, in a fresh shell; complete QUERY... prints the words offered.
complete_words() {
  (
    cd "$scratch"
    # shellcheck disable=SC1090
    source "$completion"
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _jwtbatch
    printf '%s\n' "${COMPREPLY[@]}" | sort
  )
}
expect() {  # expect "WORDS" QUERY...
  local want=$1 got
  shift
  got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || fail "completing '$*' gives '$got', not '$want'"
}
defined=$(bash -c "source '$completion' && complete -p jwtbatch" 2>&1) ||
  fail "the completion defines none for jwtbatch: $defined"
[ "$defined" = "complete -F _jwtbatch jwtbatch" ] || fail "complete -p jwtbatch: '$defined'"
all_commands=$(printf '%s\n' "${commands[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
expect "$all_commands" jwtbatch ""
expect "$all_commands" jwtbatch help ""
expect "verify" jwtbatch ve
for cmd in "${commands[@]}"; do
  expect "$(flags_of "$cmd" | tr '\n' ' ' | sed 's/ $//')" jwtbatch "$cmd" -
done
mkdir -p "$scratch/files"
touch "$scratch/files/issuer.jwks" "$scratch/files/issuer.pem"
expect "files/issuer.jwks files/issuer.pem" jwtbatch verify --jwks files/issuer
expect "files/issuer.jwks" jwtbatch scan --jwks = files/issuer.j
expect "files/issuer.jwks files/issuer.pem" jwtbatch verify files/issuer
expect "@files/issuer.jwks" jwtbatch sign --claims @files/issuer.j
expect "" jwtbatch verify --iss files/
echo "installed_program: $program --version, man page (${#commands[@]} commands, every flag)" \
  "and bash completion checked"
