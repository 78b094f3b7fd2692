# Countersign: build, run and test from a fresh Debian/Ubuntu machine.
#
#   make run    install what is missing, build, open the desktop app
#   make test   install what is missing, run every test: Rust, UI, end-to-end in the real app
#
# Needs beforehand: a Rust toolchain (cargo), Node.js >= 20.19 with npm, and apt (with sudo when
# not root). Everything else is installed by `make deps`, only when missing.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Steps of `test` share one cargo target dir and must run in order.
.NOTPARALLEL:

CARGO_HOME ?= $(HOME)/.cargo
export PATH := $(CARGO_HOME)/bin:$(PATH)

# What Tauri needs to build and what the end-to-end run needs (Xvfb, WebKitWebDriver, a D-Bus
# session, ps for cleanup); xmllint checks exports against the ISO 20022 schema; python3-venv
# runs the independent verifier of the format's test vectors; postgresql gives the tests their own
# throwaway server (initdb and pg_ctl in a temporary directory: no service is used); xwd
# (x11-apps) and netpbm take the end-to-end run's screenshots from Xvfb (tests/e2e/app.mjs).
APT_PACKAGES := libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev \
	librsvg2-dev libxdo-dev pkg-config file xvfb webkit2gtk-driver dbus-x11 procps libxml2-utils \
	postgresql x11-apps netpbm
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

APP_BIN := target/debug/countersign-app
CLI_BIN := target/release/countersign
UI_DEPS := ui/node_modules/.installed
E2E_DEPS := tests/e2e/node_modules/.installed

.PHONY: help deps deps-apt deps-node deps-tauri-driver build build-ui build-app build-cli build-scale \
	lint fuzz bench bench-team perf-app test test-rust test-independent test-ui test-e2e screenshots run demo clean package \
	deps-mutants mutants mutants-diff mutants-store mutants-service

help:
	@echo "make run    build and open the desktop app on a fresh demo workspace"
	@echo "make demo   build the demo workspace in $(DEMO_DIR) (TEST-ONLY keys)"
	@echo "make test   fmt and clippy, Rust tests, UI tests, then end-to-end tests of the built app under Xvfb"
	@echo "make screenshots  the end-to-end run, saving every main screen to docs/screenshots/"
	@echo "make build  ui/dist, $(APP_BIN) (assets embedded) and $(CLI_BIN)"
	@echo "make deps   install missing system packages, npm packages and tauri-driver"
	@echo "make package  release .deb and AppImage in $(BUNDLE_DIR)/ (README: Install)"
	@echo "make fuzz   every parser of untrusted input mutated for FUZZ_SECONDS (600) each"
	@echo "make bench  the payment-run and audit benchmarks; make bench-team: PostgreSQL (docs/performance.md)"
	@echo "make perf-app  the release app on 10,000 cases: start, queue, search, memory (docs/performance.md)"
	@echo "make mutants  mutation testing of the core, figures per module; make mutants-diff: this branch's lines;"
	@echo "             make mutants-store, make mutants-service: their rules on SQLite (docs/testing.md)"
	@echo "make clean  remove everything built or installed into the tree"

## Dependencies: each step does nothing when what it installs is already there.

deps: deps-apt deps-node deps-tauri-driver $(UI_DEPS) $(E2E_DEPS)

deps-apt:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii' || echo "$$p"; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

deps-node:
	@command -v node >/dev/null && command -v npm >/dev/null \
		|| { echo "deps: Node.js >= 20.19 and npm are needed; install them first" >&2; exit 1; }
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
		|| { echo "deps: Node.js >= 20.19 is needed (vite 7), found $$(node --version)" >&2; exit 1; }

deps-tauri-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version '^2'

# Reinstalled when the lockfile changes (npm ci starts from an empty node_modules).
$(UI_DEPS): ui/package.json ui/package-lock.json | deps-node
	cd ui && npm ci --no-audit --no-fund
	touch $@

$(E2E_DEPS): tests/e2e/package.json tests/e2e/package-lock.json | deps-node
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

## Build

build: deps build-ui build-app build-cli

build-ui: $(UI_DEPS)
	cd ui && npm run build

# `custom-protocol` embeds ui/dist in the binary (without it the app waits for a dev server);
# this is what `tauri build` would compile, without needing the Tauri CLI.
build-app: build-ui
	cargo build -p countersign-app --features custom-protocol

build-cli:
	cargo build --release -p countersign --bin countersign

# The generator of a workspace of 10,000 cases for tests/e2e/scale.test.mjs (not the product's).
build-scale:
	cargo build --example scale_workspace

## Test: any failing step stops the run with a non-zero exit.

# A whole run gains nothing from incremental state, and it costs GiBs of disk on a fresh clone.
test: export CARGO_INCREMENTAL = 0
test: deps
	$(MAKE) --no-print-directory lint test-rust test-independent test-ui test-e2e

# The habits a maintainer expects, checked before anything runs: rustfmt's layout (rustfmt.toml)
# and no clippy warning anywhere in the workspace, tests and benches included. (The UI's
# `tsc --noEmit` under `strict` runs in `build-ui`.)
lint:
	@cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1 \
		|| { echo "lint: rustfmt and clippy are needed (rustup component add rustfmt clippy)" >&2; exit 1; }
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

# Every Rust test, with a PostgreSQL server of its own (scripts/test-postgres.sh), stopped and
# removed afterwards whatever happens: the store's contract and the team tests run on both
# backends; then the service's suite again with its workspaces on PostgreSQL.
test-rust:
	pg=$$(mktemp -d /tmp/countersign-pg.XXXXXX); \
	trap 'scripts/test-postgres.sh stop "$$pg"' EXIT; \
	COUNTERSIGN_TEST_POSTGRES=$$(scripts/test-postgres.sh start "$$pg"); \
	export COUNTERSIGN_TEST_POSTGRES COUNTERSIGN_REQUIRE_POSTGRES=1; \
	if [ -f "$$pg/tls-url" ]; then export COUNTERSIGN_TEST_POSTGRES_TLS=$$(cat "$$pg/tls-url"); fi; \
	cargo test --workspace --locked; \
	COUNTERSIGN_TEST_BACKEND=postgres cargo test --locked -p countersign-service

# docs/format.md checked by a verifier written from it alone, in Python, in its own venv.
PY_VENV := target/independent-venv
$(PY_VENV)/.installed: tests/independent/requirements.txt
	python3 -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/independent/requirements.txt
	touch $@

test-independent: $(PY_VENV)/.installed
	$(PY_VENV)/bin/python tests/independent/verify_vectors.py
	$(PY_VENV)/bin/python tests/independent/verify_recovery.py
	$(PY_VENV)/bin/python tests/independent/verify_audit.py
	$(PY_VENV)/bin/python tests/independent/verify_statements.py

test-ui: $(UI_DEPS)
	cd ui && npm test

# Starts and stops its own Xvfb and tauri-driver; no process outlives it.
test-e2e: build-app build-scale $(E2E_DEPS)
	tests/e2e/run.sh

# The end-to-end run again, with the tests saving a PNG of every main screen (see
# docs/screenshots/README.md) over the committed ones.
screenshots: build-app build-cli build-scale $(E2E_DEPS)
	COUNTERSIGN_SCREENSHOTS=docs/screenshots tests/e2e/run.sh

## Benchmarks (not part of `make test`; docs/performance.md)

bench:
	cargo bench --locked --bench receive
	cargo bench --locked --bench audit
	cargo bench --locked --bench screen

# The team benchmarks on a PostgreSQL server of their own (issue 17).
bench-team:
	cargo bench --locked --bench team

# The app's figures of issue 19 (release build, 10,000 cases): cold start, the queue after
# sign-in, search, memory; printed by tests/e2e/perf.mjs, never asserted. Honours CARGO_TARGET_DIR.
PERF_TARGET = $(or $(CARGO_TARGET_DIR),target)
perf-app: deps build-ui build-cli $(E2E_DEPS)
	cargo build --release --locked -p countersign-app --features custom-protocol
	cargo build --release --locked --example scale_workspace
	COUNTERSIGN_APP=$(PERF_TARGET)/release/countersign-app COUNTERSIGN_CLI=$(PERF_TARGET)/release/countersign \
		COUNTERSIGN_SCALE_GENERATOR=$(PERF_TARGET)/release/examples/scale_workspace tests/e2e/run.sh perf.mjs

## Fuzzing (not part of `make test`; docs/fuzzing.md)

# Each target for FUZZ_SECONDS (10 minutes by default); inputs that panic are kept in
# fuzz/crashes/ and replayed by `make test` (tests/fuzz_regressions.rs).
FUZZ_SECONDS ?= 600
fuzz:
	cargo run --release --locked --example fuzz -- --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## Mutation testing (not part of `make test`; docs/testing.md)

# Every mutant of the core tried against the core's own tests (.cargo/mutants.toml), then the
# caught, missed, unviable and timed-out figures per module file (a timeout, a hang, counts as
# caught). MUTANTS_ARGS adds cargo-mutants options; MUTANTS_JOBS builds that many mutants at
# once. The exit status is the tool's: 2 when a mutant was missed, 3 when one timed out.
#
# One module (or a few): MUTANTS_FILE names the files to mutate; each mutant is then built with
# only the library's unit tests (`-C --lib`), plus the integration tests MUTANTS_TEST_TARGETS
# names, and runs only the tests whose names contain a word of MUTANTS_TESTS (all of them when
# empty), with a test timeout of MUTANTS_TIMEOUT seconds. That saves building and running the
# other test targets (a quarter to over half of a mutant's time here: docs/testing.md):
#   make mutants MUTANTS_FILE=crates/core/src/format/callback_key.rs MUTANTS_TESTS=format::
# A narrower run can only lower a figure: a mutant only a left-out test would catch is missed.
MUTANTS_PACKAGE ?= countersign-core
MUTANTS_JOBS ?= 1
MUTANTS_ARGS ?=
MUTANTS_BASE ?= main
MUTANTS_OUT ?= target/mutants
MUTANTS_FILE ?=
MUTANTS_TESTS ?=
MUTANTS_TEST_TARGETS ?=
MUTANTS_TIMEOUT ?= 120
MUTANTS_NARROW = $(if $(strip $(MUTANTS_FILE)),--no-config $(foreach f,$(MUTANTS_FILE),-f $(f)) -C --lib \
	$(foreach t,$(MUTANTS_TEST_TARGETS),-C --test=$(t)) --timeout $(MUTANTS_TIMEOUT))
MUTANTS_FILTER = $(if $(strip $(MUTANTS_TESTS)),-- -- $(MUTANTS_TESTS))
MUTANTS_SQLITE := env -u COUNTERSIGN_TEST_POSTGRES -u COUNTERSIGN_REQUIRE_POSTGRES COUNTERSIGN_TEST_BACKEND=sqlite
MUTANTS_RUN = cargo mutants -p $(MUTANTS_PACKAGE) -j $(MUTANTS_JOBS)

deps-mutants:
	@command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants

mutants: deps-mutants
	mkdir -p $(MUTANTS_OUT)
	status=0; \
	$(MUTANTS_RUN) --output $(MUTANTS_OUT) $(MUTANTS_NARROW) $(MUTANTS_ARGS) $(MUTANTS_FILTER) || status=$$?; \
	if [ -f $(MUTANTS_OUT)/mutants.out/outcomes.json ]; then scripts/mutants-table.py $(MUTANTS_OUT)/mutants.out/outcomes.json; fi; \
	exit $$status

# Only the mutants on lines this branch changes (git diff $(MUTANTS_BASE)...HEAD): minutes, not hours.
mutants-diff: deps-mutants
	mkdir -p $(MUTANTS_OUT)-diff
	git diff $(MUTANTS_BASE)...HEAD > $(MUTANTS_OUT)-diff/branch.diff
	status=0; \
	$(MUTANTS_RUN) --in-diff $(MUTANTS_OUT)-diff/branch.diff --output $(MUTANTS_OUT)-diff \
		$(MUTANTS_NARROW) $(MUTANTS_ARGS) $(MUTANTS_FILTER) || status=$$?; \
	if [ -f $(MUTANTS_OUT)-diff/mutants.out/outcomes.json ]; then scripts/mutants-table.py $(MUTANTS_OUT)-diff/mutants.out/outcomes.json; fi; \
	exit $$status

# The store and the service, on SQLite only (no PostgreSQL server: the store's tests then leave it
# out, and the service's use COUNTERSIGN_TEST_BACKEND=sqlite), narrowed to the modules whose rules
# matter and the tests that reach them, so that a mutant's tests take seconds. The whole suites
# need PostgreSQL and minutes a run. Each is `make mutants` with its own files and filters:
# MUTANTS_FILE and MUTANTS_TESTS given on the command line replace them.
#
# The store: opening a workspace (a newer schema refused untouched, an older one migrated) and the
# LIMIT of a page (one row more than the page), against its unit tests and its contract
# (tests/backends.rs). The rest of the store is SQL text, which cargo-mutants does not change.
STORE_MUTANTS_FILE := crates/store/src/sqlite/mod.rs crates/store/src/sqlite/migrations.rs
STORE_MUTANTS_ARGS := -F fetch -F SqliteStore::open -F SqliteStore::migrate -F latest
# The service: the work queue and the screening of payment files, against their unit tests.
SERVICE_MUTANTS_FILE := crates/service/src/queue.rs crates/service/src/screening.rs
SERVICE_MUTANTS_TESTS := queue:: screening::

mutants-store:
	$(MUTANTS_SQLITE) $(MAKE) --no-print-directory mutants MUTANTS_PACKAGE=countersign-store MUTANTS_OUT=$(MUTANTS_OUT)-store \
		MUTANTS_FILE='$(or $(MUTANTS_FILE),$(STORE_MUTANTS_FILE))' MUTANTS_TEST_TARGETS='$(or $(MUTANTS_TEST_TARGETS),backends)' \
		MUTANTS_TESTS='$(MUTANTS_TESTS)' MUTANTS_ARGS='$(or $(MUTANTS_ARGS),$(if $(MUTANTS_FILE),,$(STORE_MUTANTS_ARGS)))'

mutants-service:
	$(MUTANTS_SQLITE) $(MAKE) --no-print-directory mutants MUTANTS_PACKAGE=countersign-service MUTANTS_OUT=$(MUTANTS_OUT)-service \
		MUTANTS_FILE='$(or $(MUTANTS_FILE),$(SERVICE_MUTANTS_FILE))' MUTANTS_TESTS='$(or $(MUTANTS_TESTS),$(SERVICE_MUTANTS_TESTS))'

## Run

# The demo workspace (TEST-ONLY keys from keys/; credentials in README.md), built fresh with the
# CLI by scripts/demo-workspace.sh; files to receive in the app are left in $(DEMO_DIR)/inbox.
DEMO_DIR := target/demo

demo: build-cli
	rm -rf $(DEMO_DIR)
	scripts/demo-workspace.sh $(DEMO_DIR) $(CLI_BIN)

# Opens the app on a fresh demo workspace.
run: build demo
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "make run: no display (DISPLAY and WAYLAND_DISPLAY are unset); run it from a desktop session" >&2; \
		exit 1; \
	fi
	COUNTERSIGN_DATA_DIR=$(DEMO_DIR)/workspace $(APP_BIN)

## Package

# The release app as a .deb (with the CLI in /usr/bin, desktop entry and icons) made by the Tauri
# CLI from src-tauri/tauri.conf.json's `bundle` section, then an AppImage packed from the .deb's
# files by packaging/appimage (AppImage runtime from the `appimage` crate, image by mksquashfs:
# Tauri's own AppImage step downloads its tools at build time). Not part of `make test`.
BUNDLE_DIR := target/release/bundle
PKG_DEPS := packaging/node_modules/.installed
PKG_APT_PACKAGES := squashfs-tools desktop-file-utils x11-utils

$(PKG_DEPS): packaging/package.json packaging/package-lock.json | deps-node
	cd packaging && npm ci --no-audit --no-fund
	touch $@

package: deps-apt deps-node build-ui build-cli $(PKG_DEPS)
	$(MAKE) --no-print-directory deps-apt APT_PACKAGES="$(PKG_APT_PACKAGES)"
	rm -rf $(BUNDLE_DIR)/deb $(BUNDLE_DIR)/appimage
	packaging/node_modules/.bin/tauri build --ci --bundles deb --features custom-protocol
	deb=$$(ls $(BUNDLE_DIR)/deb/*.deb); \
	work=$(BUNDLE_DIR)/appimage/work; \
	mkdir -p $$work; \
	dpkg-deb -x "$$deb" $$work/deb-root; \
	cargo run --quiet --locked --manifest-path packaging/appimage/Cargo.toml \
		--target-dir target -- $$work/deb-root $$work \
		$(BUNDLE_DIR)/appimage/$$(basename "$$deb" .deb).AppImage; \
	rm -rf $$work; \
	echo "package: $$deb"; \
	echo "package: $$(ls $(BUNDLE_DIR)/appimage/*.AppImage)"

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules tests/e2e/node_modules src-tauri/gen src-tauri/permissions/autogenerated
