#!/bin/sh
# Runs the server in the foreground:
#   ./serve.sh --host 127.0.0.1 --port PORT --data DIR [--provision-delay SECONDS]
# exec replaces the shell so SIGTERM reaches the JVM, which shuts down cleanly.
# A relative --data is taken relative to the caller's working directory.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ ! -f "$HERE/build/strongly/Main.class" ]; then
    "$HERE/build.sh" >&2
fi
exec java -XX:+UseSerialGC -Dsun.net.httpserver.nodelay=true -cp "$HERE/build" strongly.Main "$@"
