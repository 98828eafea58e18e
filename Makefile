# Syncer's two commands:
#   make run    set up what is missing, build the UI, launch the desktop app
#   make test   set up what is missing, then run every check and test (what CI runs)
# Both are idempotent and quiet when nothing is missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Debian/Ubuntu packages: Tauri's Linux build (WebKitGTK, tray, SVG), and what the end-to-end
# tests drive the window with (Xvfb, D-Bus, WebKitWebDriver; xdotool and python3 close it as a
# window manager does, for tests/e2e_tray.rs and scripts/bench-tray.sh).
APT_PACKAGES := build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev \
	libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libxdo-dev xvfb dbus \
	dbus-x11 webkit2gtk-driver librsvg2-bin gnome-keyring libsecret-tools libdbus-1-dev xdg-utils desktop-file-utils libglib2.0-bin \
	xdotool python3
UI := ui
UI_STAMP := $(UI)/node_modules/.syncer-installed
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup system-deps rust-deps ui-deps ui-build run test test-rust test-contract test-ui lint \
	fmt e2e bindings-check icons bundle appimage package-check clean

help:
	@echo "make run     set up and launch Syncer (demo library, local data, no account)"
	@echo "make test    set up and run every check and test (fmt, clippy, cargo tests, UI, e2e)"
	@echo "make bundle  build the installable packages, offline: Syncer (.deb, .rpm) and syncer-cloud (.deb)"
	@echo "make appimage  build an AppImage (downloads its tools on first use; see README)"
	@echo "make package-check  build the .debs, install them, check them, remove them (needs root)"
	@echo "make icons   regenerate every icon size from icons/*.svg"

setup: system-deps rust-deps ui-deps

# Installs only what is missing, so a second run prints nothing.
system-deps:
	@if ! command -v dpkg-query >/dev/null; then \
		echo "setup: not a Debian/Ubuntu system; install the equivalents of: $(APT_PACKAGES)"; \
		exit 0; fi; \
	missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "setup: installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
			|| { echo "setup: apt-get failed; install these by hand:$$missing"; exit 1; }; \
	fi

rust-deps:
	@command -v $(CARGO) >/dev/null || { echo "setup: Rust is missing: install it from https://rustup.rs (stable), then run make again"; exit 1; }
	@if command -v rustup >/dev/null; then \
		for c in rustfmt clippy; do rustup component list --installed 2>/dev/null | grep -q "^$$c" || rustup component add $$c >/dev/null; done; fi
	@command -v node >/dev/null || { echo "setup: Node.js 20.19+ is missing: install it (e.g. from NodeSource or nvm), then run make again"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
		|| { echo "setup: Node.js $$(node --version) is too old; Syncer's UI needs 20.19 or newer"; exit 1; }

ui-deps: $(UI_STAMP)
$(UI_STAMP): $(UI)/package.json $(UI)/package-lock.json
	@echo "setup: installing the UI's npm packages"
	@cd $(UI) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ui-build: ui-deps
	@cd $(UI) && npm run --silent build -- --logLevel warn

run: setup ui-build
	$(CARGO) run --quiet --bin syncer-desktop

# ---- tests -----------------------------------------------------------------------------------

test: setup ui-build lint test-ui test-rust test-contract bindings-check
	@echo "make test: all checks passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

test-ui: ui-deps
	cd $(UI) && npm run --silent lint && npm run --silent typecheck && npm run --silent test

# The end-to-end smoke test (tests/e2e_smoke.rs) is one of the root package's integration
# tests: it needs tauri-driver, which cargo installs once.
# The cloud's tests run on SQLite and on PostgreSQL: scripts/postgres-for-tests.sh installs
# PostgreSQL from Debian's packages when missing and starts a throwaway cluster on loopback
# (an already exported SYNCER_TEST_POSTGRES_URL is used as it is).
test-rust: tauri-driver
	@SYNCER_TEST_POSTGRES_URL="$${SYNCER_TEST_POSTGRES_URL:-$$(scripts/postgres-for-tests.sh)}"; \
	export SYNCER_TEST_POSTGRES_URL; \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --no-fail-fast; \
	else \
		$(CARGO) test --workspace --no-fail-fast; \
	fi
	$(CARGO) test --workspace --doc --quiet

# The cloud's contract: Schemathesis fuzzes the OpenAPI document the server serves (every check,
# the stateful phase, a bounded number of examples) on SQLite and PostgreSQL; 0 failures.
test-contract:
	@SYNCER_TEST_POSTGRES_URL="$${SYNCER_TEST_POSTGRES_URL:-$$(scripts/postgres-for-tests.sh)}"; \
	export SYNCER_TEST_POSTGRES_URL; \
	scripts/schemathesis.sh

e2e: setup ui-build tauri-driver
	$(CARGO) test --test e2e_smoke -- --nocapture

.PHONY: tauri-driver
tauri-driver:
	@command -v tauri-driver >/dev/null || { echo "setup: installing tauri-driver"; $(CARGO) install tauri-driver --locked --quiet; }

# Types shared with the UI are generated from Rust by ts-rs during the tests; a stale copy in
# the repository is an error.
bindings-check:
	@if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- $(UI)/src/bindings; then \
		echo "ui/src/bindings is out of date with the Rust types: commit the regenerated files"; \
		git diff --stat -- $(UI)/src/bindings; exit 1; fi
	@if grep -rln 'from "\.\./' $(UI)/src/bindings; then \
		echo "a binding imports from outside ui/src/bindings: every #[ts(export)] must use the shared TS_RS_EXPORT_DIR (.cargo/config.toml), not export_to"; exit 1; fi

fmt:
	$(CARGO) fmt --all
	cd $(UI) && npm run --silent format

# ---- assets and bundles ----------------------------------------------------------------------

icons: ui-deps
	icons/generate.sh

# Run from the root, where tauri.conf.json is; the CLI builds the UI itself (beforeBuildCommand
# runs in ui/), then, before packaging, scripts/stage-bundle-assets.sh builds the `syncer`
# command and writes its completions and man pages (crates/xtask) into target/dist/, which
# tauri.conf.json maps into the packages. Nothing here downloads anything but crates and npm
# packages (cargo --offline works once they are fetched). The packages land in
# $(CARGO_TARGET_DIR or target)/release/bundle/{deb,rpm}/.
bundle: setup ui-deps
	$(UI)/node_modules/.bin/tauri build --bundles deb,rpm
	scripts/package-cloud.sh
	@d="$${CARGO_TARGET_DIR:-target}/release/bundle"; echo "bundle: built"; ls -1 "$$d"/deb/*.deb "$$d"/rpm/*.rpm | sed 's/^/  /'

# Opt-in, not part of `make bundle`: Tauri's AppImage step runs linuxdeploy, which it downloads
# on first use (with AppRun and the linuxdeploy GTK, GStreamer and appimage plugins, from
# GitHub) into ~/.cache/tauri. Offline, put those files there first (README, "Packages").
appimage: setup ui-deps
	$(UI)/node_modules/.bin/tauri build --bundles appimage

# Installs the packages on this machine, checks them and removes them (needs root or sudo):
# scripts/package-check.sh. PACKAGE_CHECK_FLAGS=--release checks release builds.
package-check: setup ui-deps
	scripts/package-check.sh $(PACKAGE_CHECK_FLAGS)

clean:
	$(CARGO) clean
	rm -rf $(UI)/dist $(UI)/node_modules
