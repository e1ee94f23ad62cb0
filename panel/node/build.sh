#!/bin/sh
# Node.js 20 standard library only: nothing to compile or install.
# Idempotent: just checks that a suitable node is available.
set -eu
cd "$(dirname "$0")"
command -v node >/dev/null 2>&1 || { echo "build.sh: node (v20+) is required" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "build.sh: node v20+ required, found $(node --version)" >&2; exit 1; }
for f in src/*.js; do node --check "$f"; done
echo "build.sh: nothing to build (node $(node --version), standard library only)"
