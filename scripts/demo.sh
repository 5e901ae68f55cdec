#!/usr/bin/env bash
# One command for a newcomer: install zhengwu into ./.venv, build the demo county on an
# embedded SQLite database under ./var/, print the demo logins and serve the platform.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
# PDFs (notices, receipts, the annual report) need pango and Chinese fonts.
. scripts/_sysdeps.sh
sysdeps
exec .venv/bin/zhengwu demo "$@"
