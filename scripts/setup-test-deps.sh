#!/usr/bin/env bash
# Install everything Lanyard's tests need on a fresh Debian/Ubuntu machine.
#
# Idempotent: on a machine that already has it all, it only checks and prints
# (well under 2 s). It never touches ~/.aws.
#
#   apt:    gnome-keyring dbus dbus-x11 libsecret-tools zsh fish
#           xvfb xauth xclip awscli (Debian's AWS CLI v2, for the credential-process bench)
#           (a package apt does not know is skipped with a message)
#   python: a project-local venv at .tools/venv with the pins in
#           scripts/requirements-test.txt (awscli v1, botocore, boto3, moto[server])
#   rust:   checks cargo, rustfmt and clippy are there; tests run with plain
#           `cargo test` (cargo-nextest is not needed)
#
# Environment:
#   LANYARD_SETUP_PYTHON   interpreter used to create the venv (default: python3)
#   LANYARD_SKIP_APT=1     do not check or install apt packages
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.tools/venv"
REQS="$ROOT/scripts/requirements-test.txt"
APT_PACKAGES=(gnome-keyring dbus dbus-x11 libsecret-tools zsh fish xvfb xauth xclip awscli)

say() { printf 'setup-test-deps: %s\n' "$*"; }
die() { printf 'setup-test-deps: error: %s\n' "$*" >&2; exit 1; }

START_NS=$(date +%s%N)

# ---------------------------------------------------------------- apt ----
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
fi

APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        "${SUDO[@]}" apt-get update -qq -o DPkg::Lock::Timeout=300
        APT_UPDATED=1
    fi
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_install PKG...: installs the packages apt knows, skips the others with a reason.
apt_install() {
    local want=() pkg
    for pkg in "$@"; do
        is_installed "$pkg" || want+=("$pkg")
    done
    [ "${#want[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "skipping ${want[*]}: apt-get not found (not a Debian/Ubuntu machine); install them by hand"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
        say "skipping ${want[*]}: not root and no sudo; install them by hand"
        return 0
    fi
    apt_update_once
    local avail=()
    for pkg in "${want[@]}"; do
        local cand
        cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
            say "skipping $pkg: apt has no installable candidate for it"
        else
            avail+=("$pkg")
        fi
    done
    [ "${#avail[@]}" -eq 0 ] && return 0
    say "apt-get install ${avail[*]}"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq \
        --no-install-recommends -o DPkg::Lock::Timeout=300 "${avail[@]}" >/dev/null
}

if [ "${LANYARD_SKIP_APT:-0}" = "1" ]; then
    say "apt: skipped (LANYARD_SKIP_APT=1)"
else
    missing=()
    for p in "${APT_PACKAGES[@]}"; do is_installed "$p" || missing+=("$p"); done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "apt: ${APT_PACKAGES[*]} already installed"
    else
        say "apt: missing ${missing[*]}"
        apt_install "${missing[@]}"
    fi
fi

# ---------------------------------------------------------------- rust ---
command -v cargo >/dev/null 2>&1 || die "cargo not found: install a Rust toolchain (rustup) first"
cargo fmt --version >/dev/null 2>&1 || die "rustfmt not found: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 || die "clippy not found: rustup component add clippy"
say "rust: $(cargo --version | cut -d' ' -f1-2), rustfmt and clippy present (plain cargo test, no nextest needed)"

# -------------------------------------------------------------- python ---
PY="${LANYARD_SETUP_PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
    say "python: $PY not found"
    apt_install python3 python3-venv
    command -v "$PY" >/dev/null 2>&1 || die "no Python 3 interpreter ($PY)"
fi

# Prints "ok" when the venv already holds every pin of $REQS (and the extras'
# packages), and the stamp says it was built from this very requirements file.
venv_is_current() {
    [ -x "$VENV/bin/python" ] || return 1
    [ -f "$VENV/.requirements.sha256" ] || return 1
    [ "$(cat "$VENV/.requirements.sha256")" = "$(sha256sum "$REQS" | cut -d' ' -f1)" ] || return 1
    "$VENV/bin/python" - "$REQS" <<'PYEOF' >/dev/null 2>&1
import re, sys
from importlib.metadata import version, requires, PackageNotFoundError
ok = True
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[([A-Za-z0-9_,.-]+)\])?==([^\s;]+)", line)
    if not m:
        sys.exit(1)
    name, extras, want = m.group(1), m.group(2), m.group(3)
    try:
        if version(name) != want:
            ok = False
        for extra in (extras or "").split(","):
            if not extra:
                continue
            for req in requires(name) or []:
                if re.search(r'extra\s*==\s*"%s"' % re.escape(extra), req):
                    version(re.match(r"[A-Za-z0-9_.-]+", req).group(0))
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PYEOF
}

if venv_is_current; then
    say "python: .tools/venv up to date ($(grep -v '^#' "$REQS" | grep . | tr '\n' ' '))"
else
    if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "python: .tools/venv is broken, recreating it"
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "python: creating .tools/venv with $("$PY" --version 2>&1) ($(command -v "$PY"))"
        mkdir -p "$ROOT/.tools"
        if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
            rm -rf "$VENV"
            say "python: '$PY -m venv' failed; installing python3-venv"
            apt_install python3-venv
            "$PY" -m venv "$VENV" || die "could not create a venv with $PY"
        fi
    fi
    say "python: pip install -r scripts/requirements-test.txt into .tools/venv"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input \
        --progress-bar off -q -r "$REQS"
    sha256sum "$REQS" | cut -d' ' -f1 >"$VENV/.requirements.sha256"
    venv_is_current || die "the venv still does not match $REQS after pip install"
    say "python: installed $("$VENV/bin/aws" --version 2>&1)"
fi

END_NS=$(date +%s%N)
say "done in $(( (END_NS - START_NS) / 1000000 )) ms"
