#!/usr/bin/env bash
# Prepare the runtime: a virtualenv in .venv with the pinned requirements.
# Idempotent: re-running only re-checks that the pinned packages are installed.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install --disable-pip-version-check -q -r requirements.txt
.venv/bin/python -m compileall -q app server.py >/dev/null
echo "build ok"
