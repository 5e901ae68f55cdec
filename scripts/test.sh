#!/usr/bin/env bash
# One command to set up and run the whole test suite: lint, migration check, pytest
# (unit, API and browser tests). Uses SQLite unless DATABASE_URL is set. ``--setup-only`` stops after
# the installation; any other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Install (again) only when pyproject.toml changed since the last install into this .venv.
stamp=.venv/.zhengwu-test-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  echo "$want" > "$stamp"
fi

# Browser tests drive Debian's chromium (never a downloaded browser); PDFs need CJK fonts.
. scripts/_sysdeps.sh
sysdeps browser

if [ "${1:-}" = "--setup-only" ]; then
  exit 0
fi

echo "== ruff"
.venv/bin/ruff check zhengwu benchmarks conftest.py
echo "== makemigrations --check"
ZHENGWU_VAR_DIR="$(mktemp -d)" .venv/bin/python manage.py makemigrations --check --dry-run
# On PostgreSQL each app process has a bounded connection pool (settings: DB_POOL_MAX, default 10); the
# concurrency tests run 50 threads at once in one process, so the suite's process gets a bigger one.
export DB_POOL_MAX=${DB_POOL_MAX:-60}
echo "== pytest on ${DATABASE_URL:-SQLite}"
exec .venv/bin/pytest "$@"
