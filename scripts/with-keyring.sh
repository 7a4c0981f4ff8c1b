#!/usr/bin/env bash
# Runs a command with a private, unlocked Secret Service: a fresh D-Bus session bus and a
# gnome-keyring-daemon whose data lives in a temporary HOME, so tests never see the user's
# real keyring.
#
#   scripts/with-keyring.sh CMD [ARGS...]
#
# Inside, LANYARD_TEST_KEYRING=1 tells the tests that a real keyring is there.
set -euo pipefail

if [ "${LANYARD_IN_KEYRING_SESSION:-}" != "1" ]; then
    command -v dbus-run-session >/dev/null || { echo "with-keyring: dbus-run-session missing (apt-get install dbus)" >&2; exit 1; }
    command -v gnome-keyring-daemon >/dev/null || { echo "with-keyring: gnome-keyring-daemon missing (apt-get install gnome-keyring)" >&2; exit 1; }
    KEYRING_HOME="$(mktemp -d)"
    trap 'rm -rf "$KEYRING_HOME"' EXIT
    mkdir -p "$KEYRING_HOME/runtime" && chmod 700 "$KEYRING_HOME/runtime"
    status=0
    LANYARD_IN_KEYRING_SESSION=1 KEYRING_HOME="$KEYRING_HOME" \
        dbus-run-session -- "$0" "$@" || status=$?
    exit "$status"
fi

# Inside the session bus. gnome-keyring keeps its files under $HOME/.local/share/keyrings
# and its sockets under $XDG_RUNTIME_DIR: both point into the temporary folder.
REAL_HOME="$HOME"
export XDG_RUNTIME_DIR="$KEYRING_HOME/runtime"
export XDG_DATA_HOME="$KEYRING_HOME/data"
mkdir -p "$XDG_DATA_HOME"
# A non-empty password: with an empty one no `login` collection is created and writes fail.
printf 'lanyard-test-keyring' | HOME="$KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
        break
    fi
    sleep 0.05
done
export HOME="$REAL_HOME" LANYARD_TEST_KEYRING=1
unset XDG_DATA_HOME
"$@"
