#!/usr/bin/env bash
# A PostgreSQL for the cloud's tests, on loopback only: installs Debian's package when missing,
# creates (once) and starts a cluster of its own on port ${SYNCER_TEST_PG_PORT:-55432}, creates
# a role and a database, and prints the URL to export as SYNCER_TEST_POSTGRES_URL.
# Idempotent; everything but the URL goes to stderr.
#   export SYNCER_TEST_POSTGRES_URL="$(scripts/postgres-for-tests.sh)"
set -euo pipefail

PORT="${SYNCER_TEST_PG_PORT:-55432}"
CLUSTER="syncertest"
ROLE="syncer_test"
PASSWORD="syncer_test"
DB="syncer_test"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
say() { echo "postgres-for-tests: $*" >&2; }

if ! command -v pg_createcluster >/dev/null 2>&1; then
	command -v apt-get >/dev/null 2>&1 || {
		say "PostgreSQL is missing and this is not a Debian/Ubuntu system: install PostgreSQL 13+ and run again"
		exit 1
	}
	say "installing PostgreSQL from Debian's packages"
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -u postgres sh -c "$*"; fi; }

if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$CLUSTER"; then
	say "creating cluster $VERSION/$CLUSTER on 127.0.0.1:$PORT"
	$SUDO pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" --start-conf=manual >&2
	# Loopback only; throwaway data, so durability is traded for speed.
	printf '%s\n' "listen_addresses = '127.0.0.1'" "max_connections = 300" "fsync = off" \
		"synchronous_commit = off" "full_page_writes = off" |
		$SUDO tee "/etc/postgresql/$VERSION/$CLUSTER/conf.d/syncer-tests.conf" >/dev/null
fi
if ! pg_lsclusters -h | awk -v c="$CLUSTER" '$2 == c {print $4}' | grep -qx online; then
	say "starting cluster $VERSION/$CLUSTER"
	$SUDO pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

for _ in $(seq 1 50); do
	as_postgres "psql -p $PORT -Atqc 'select 1'" >/dev/null 2>&1 && break
	sleep 0.2
done
if ! as_postgres "psql -p $PORT -Atqc \"select 1 from pg_roles where rolname = '$ROLE'\"" | grep -q 1; then
	as_postgres "psql -p $PORT -qc \"create role $ROLE login password '$PASSWORD'\"" >&2
fi
if ! as_postgres "psql -p $PORT -Atqc \"select 1 from pg_database where datname = '$DB'\"" | grep -q 1; then
	as_postgres "psql -p $PORT -qc \"create database $DB owner $ROLE\"" >&2
fi
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
