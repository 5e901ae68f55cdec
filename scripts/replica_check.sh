#!/usr/bin/env bash
# The read-replica tests against a real hot standby: starts a streaming standby of the PostgreSQL server at
# 127.0.0.1:5432 (scripts/pg_standby.sh), creates an empty database on the primary, runs
# zhengwu/core/tests/test_replicas_live.py through the README's test command with that database as
# DATABASE_URL and its standby copy as DATABASE_REPLICA_URLS, and removes the standby. .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${REPLICA_CHECK_DB:-zhengwu_replica_check}
PORT=${STANDBY_PORT:-5433}
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
STANDBY_PORT=$PORT scripts/pg_standby.sh start
trap 'STANDBY_PORT=$PORT scripts/pg_standby.sh remove >/dev/null 2>&1 || true' EXIT
ZHENGWU_REPLICA_CHECK=1 STANDBY_PORT=$PORT \
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" \
  DATABASE_REPLICA_URLS="postgres://postgres@127.0.0.1:$PORT/$DB" \
  bash scripts/test.sh zhengwu/core/tests/test_replicas_live.py "$@"
