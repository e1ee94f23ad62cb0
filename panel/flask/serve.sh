#!/usr/bin/env bash
# Run the API server in the foreground:
#   ./serve.sh --host 127.0.0.1 --port PORT --data DIR [--provision-delay SECONDS]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$HERE/.venv/bin/python" ]; then
  echo "serve.sh: $HERE/.venv is missing; run ./build.sh first" >&2
  exit 1
fi
export PYTHONUNBUFFERED=1
export PYTHONDONTWRITEBYTECODE=1
exec "$HERE/.venv/bin/python" "$HERE/server.py" "$@"
