#!/bin/bash
# End-to-end test: builds, runs the server on a free 127.0.0.1 port, runs tests/ApiTest.java
# against it, restarts it (SIGTERM) on the same data directory and verifies, then checks that
# every write acknowledged before a SIGTERM in the middle of a burst survives, and that a
# workspace that was provisioning resumes. Every server started here is stopped by its pid.
set -u
cd "$(dirname "$0")/.."
./build.sh >/dev/null || exit 1
mkdir -p tmp
WORK=$(mktemp -d "$PWD/tmp/test.XXXXXX")
mkdir -p "$WORK/classes"
javac -cp build -d "$WORK/classes" tests/ApiTest.java || exit 1
CP="build:$WORK/classes"
DATA="$WORK/data"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()' 2>/dev/null || echo 18080)
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
FAIL=0

start() { # start DELAY
    ./serve.sh --host 127.0.0.1 --port "$PORT" --data "$DATA" --provision-delay "$1" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "$BASE/api/v1/projects" && return 0
        sleep 0.1
    done
    echo "server did not start"; cat "$WORK/server.log"; exit 1
}
stop() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}
trap stop EXIT
t() { java -cp "$CP" ApiTest "$BASE" "$@" || FAIL=1; }

echo "== functional + concurrency (port $PORT, data $DATA)"
start 1
t functional "$WORK/state.json"
stop
echo "== restart, same data directory"
start 1
t verify "$WORK/state.json"
stop

echo "== SIGTERM in the middle of a write burst"
start 1
java -cp "$CP" ApiTest "$BASE" burst "$WORK/burst.json" &
BURST=$!
for _ in $(seq 1 100); do [ -f "$WORK/burst.json.started" ] && break; sleep 0.1; done
sleep 1
stop
wait $BURST || FAIL=1
start 1
t verify-burst "$WORK/burst.json"
stop

echo "== SIGKILL in the middle of a write burst (no shutdown hook runs)"
start 1
java -cp "$CP" ApiTest "$BASE" burst "$WORK/burst2.json" &
BURST=$!
for _ in $(seq 1 100); do [ -f "$WORK/burst2.json.started" ] && break; sleep 0.1; done
sleep 1
kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
wait $BURST || FAIL=1
start 1
t verify-burst "$WORK/burst2.json"
stop

echo "== a provisioning workspace across a restart"
start 10
t pending "$WORK/pending.txt"
stop
start 10
t verify-pending "$WORK/pending.txt"
stop

echo "== server log"
cat "$WORK/server.log"
ls -la "$DATA"
if [ $FAIL -eq 0 ]; then
    echo "ALL TESTS PASSED"
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
else
    echo "SOME TESTS FAILED (data and logs kept in $WORK)"
fi
exit $FAIL
