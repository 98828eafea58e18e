#!/usr/bin/env bash
# The cloud's contract: Schemathesis (PyPI) fuzzes the OpenAPI document the server serves, with
# every check and its stateful phase, against a real syncer-cloud on loopback — on SQLite, and on
# PostgreSQL when SYNCER_TEST_POSTGRES_URL is set (scripts/postgres-for-tests.sh prints one; each
# run gets a schema of its own). The number of examples per operation is bounded, so a run takes
# minutes, not hours.
#   scripts/schemathesis.sh                          # SQLite (and PostgreSQL if the URL is set)
#   SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_SEED=7 scripts/schemathesis.sh   # more, another seed
# Schemathesis is installed once into a virtualenv under ~/.cache (SCHEMATHESIS_VENV).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="4.32.5"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-20}"
VENV="${SCHEMATHESIS_VENV:-$HOME/.cache/syncer-schemathesis/venv}"
CARGO="${CARGO:-cargo}"
say() { echo "schemathesis: $*" >&2; }

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$VERSION"; then
	say "installing schemathesis $VERSION into $VENV"
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

$CARGO build --quiet -p syncer-cloud --bin syncer-cloud
BIN="${CARGO_TARGET_DIR:-target}/debug/syncer-cloud"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# One run against one backend: $1 names it, $2 is the database URL (empty: SQLite).
run() {
	local backend="$1" database="$2" port work base pid status=0
	port="$(free_port)"
	work="$(mktemp -d)"
	base="http://127.0.0.1:$port"
	local args=(--listen "127.0.0.1:$port" --data-dir "$work"
		# The fuzzer signs in far more often than a person; the limits have tests of their own.
		--auth-per-ip-per-minute 1000000 --auth-per-account-per-minute 1000000)
	[ -n "$database" ] && args+=(--database-url "$database")
	RUST_LOG=warn "$BIN" "${args[@]}" >"$work/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "$base/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	say "$backend: $base, $EXAMPLES examples per operation"
	# Signed-in operations get a fresh account's token every few seconds (the hooks file says
	# why).
	SYNCER_FUZZ_BASE_URL="$base" SCHEMATHESIS_HOOKS=crates/cloud/schemathesis_hooks.py \
		"$VENV/bin/st" --config-file crates/cloud/schemathesis.toml run "$base/openapi.json" \
		--checks all \
		--phases examples,coverage,fuzzing,stateful \
		--max-examples "$EXAMPLES" \
		--seed "${SCHEMATHESIS_SEED:-24}" \
		--generation-database none \
		--workers 1 \
		--suppress-health-check too_slow,filter_too_much \
		--exclude-path /v1/events \
		--warnings off \
		--no-color || status=$?
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ "$status" != 0 ]; then
		say "$backend: failures (server log: $work/server.log)"
	else
		rm -rf "$work"
	fi
	return "$status"
}

failed=0
run sqlite "" || failed=1
if [ -n "${SYNCER_TEST_POSTGRES_URL:-}" ]; then
	schema="fuzz_$(date +%s)_$$"
	psql "$SYNCER_TEST_POSTGRES_URL" -qc "create schema $schema" >/dev/null
	sep='?'
	case "$SYNCER_TEST_POSTGRES_URL" in *\?*) sep='&' ;; esac
	run postgres "${SYNCER_TEST_POSTGRES_URL}${sep}options=-c%20search_path%3D$schema" || failed=1
	psql "$SYNCER_TEST_POSTGRES_URL" -qc "drop schema $schema cascade" >/dev/null || true
else
	say "PostgreSQL skipped: SYNCER_TEST_POSTGRES_URL is not set"
fi
exit "$failed"
