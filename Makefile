# Two targets:
#   make app    install build tools if missing (Debian/Ubuntu), build the CLI in release
#               mode, install it with `cargo install` (~/.cargo/bin), then run `lanyard list`
#   make test   everything CI runs: scripts/test.sh

SHELL := /bin/bash
CARGO_BIN := $(or $(CARGO_INSTALL_ROOT),$(CARGO_HOME),$(HOME)/.cargo)/bin

.PHONY: app test

app:
	@missing=""; for p in build-essential pkg-config; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  echo "apt-get install$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq$$missing; \
	fi
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
	# One build of the `cli` profile (fat LTO takes minutes), with packed relocations only
	# where this machine's linker and C library support them.
	RUSTFLAGS="$$(bash scripts/cli-rustflags.sh)" cargo install --path . --locked --profile cli --target-dir target
	"$(CARGO_BIN)/lanyard" list

test:
	bash scripts/test.sh
