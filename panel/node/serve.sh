#!/bin/sh
# Usage: ./serve.sh --host 127.0.0.1 --port PORT --data DIR [--provision-delay SECONDS]
# Runs the server in the foreground; exec so that SIGTERM reaches node directly.
# (No cd: a relative --data DIR is resolved against the caller's directory.)
exec node "$(dirname "$0")/src/server.js" "$@"
