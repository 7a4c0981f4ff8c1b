#!/usr/bin/env bash
# Prints the RUSTFLAGS for the installed command line (`make app`): the linker's packed
# relative relocations (DT_RELR), which shorten every start, where this machine can both link
# them (binutils >= 2.38, or lld) and run them (glibc >= 2.36); nothing elsewhere, so that the
# build never fails or makes a binary that cannot start.
set -euo pipefail
[ "$(uname -s)" = Linux ] || exit 0
[ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || exit 0
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}') || exit 0
[ -n "$glibc" ] || exit 0
newer() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }
newer "$glibc" 2.36 || exit 0
# Older linkers accept an unknown -z option with a warning: link a test program and treat any
# warning as "not supported".
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int main(void){return 0;}\n' >"$probe/t.c"
cc "$probe/t.c" -o "$probe/t" -Wl,-z,pack-relative-relocs -Wl,--fatal-warnings >/dev/null 2>&1 || exit 0
"$probe/t" || exit 0
printf '%s' "-C link-arg=-Wl,-z,pack-relative-relocs"
