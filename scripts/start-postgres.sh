#!/usr/bin/env bash
# Installs (Debian) and starts a local PostgreSQL for the test suite, with a role that may create
# databases, and prints the admin URL tests use as TEST_POSTGRES_URL. Safe to run again.
set -euo pipefail
# Only the URL goes to standard output (callers capture it); everything else to standard error.
exec 3>&1 1>&2
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^${version} main"; then pg_createcluster "$version" main >/dev/null; fi
# The server outlives this script: it must not inherit the caller's pipes, or `$(…)` around this
# script (and a CI runner reading its output) would wait for it forever.
pg_ctlcluster "$version" main start </dev/null >/dev/null 2>&1 3>&- || true
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
pg_isready -h 127.0.0.1 >/dev/null
su postgres -c "psql -q -v ON_ERROR_STOP=1" >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'webhooks') THEN
    CREATE ROLE webhooks LOGIN PASSWORD 'webhooks' CREATEDB;
  END IF;
END $$;
SQL
echo "postgres://webhooks:webhooks@127.0.0.1:5432/postgres" >&3
