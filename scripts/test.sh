#!/usr/bin/env bash
# The one test entry point (`make test`, and CI through .ci/run).
#
#   1. scripts/setup-test-deps.sh   apt packages and the pinned Python peers in .tools/venv
#   2. cargo fmt --all --check
#   3. cargo clippy --workspace --all-targets -- -D warnings
#   4. cargo test --workspace       under scripts/with-keyring.sh (a private Secret Service);
#                                   Rust tests call the peers through $LANYARD_PEER_PYTHON
#   5. Python peer self-tests        tests/peers/test_*.py, plain Python
#
# Works non-interactively (CI=true, no stdin) from a fresh clone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }
T0=$SECONDS

step "setup: scripts/setup-test-deps.sh"
bash scripts/setup-test-deps.sh </dev/null

export PATH="$ROOT/.tools/venv/bin:$PATH"
export LANYARD_PEER_PYTHON="$ROOT/.tools/venv/bin/python"
# Tests must never read or write the real ~/.aws; they set their own paths, and
# nothing from the caller's environment should leak into them.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
      AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN LANYARD_DATA_DIR
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step "cargo fmt --all --check"
cargo fmt --all --check -- --color=never

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace (under a private, unlocked gnome-keyring)"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
bash scripts/with-keyring.sh cargo test --workspace </dev/null 2>&1 | tee "$LOG"

step "no test secret in the test run's output"
# Every secret the tests use contains one of these markers or is one of these values; none
# may reach the log (a leak through stderr, a panic message, a debug print).
if grep -n -F -f scripts/test-secrets.txt "$LOG" | sed 's/\(.\{12\}\).*/\1…/' | head -5 | grep .; then
    echo "a test secret appears in the test output (lines above, cut short)" >&2
    exit 1
fi
echo "none of $(grep -c . scripts/test-secrets.txt) test secrets appear in $(wc -l <"$LOG") lines of output"

echo "(setup and cargo steps took $((SECONDS - T0)) s)"

step "python peer self-tests"
shopt -s nullglob
peer_tests=(tests/peers/test_*.py)
[ "${#peer_tests[@]}" -gt 0 ] || { echo "no tests/peers/test_*.py found" >&2; exit 1; }
for t in "${peer_tests[@]}"; do
    echo "--- $t"
    "$LANYARD_PEER_PYTHON" "$t" </dev/null
done
