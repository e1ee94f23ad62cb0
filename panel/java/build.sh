#!/bin/sh
# Compiles the server into build/. Idempotent: every run recompiles from src/ into a fresh build/.
set -eu
cd "$(dirname "$0")"
command -v javac >/dev/null 2>&1 || { echo "build.sh: javac (JDK 17) not found" >&2; exit 1; }
rm -rf build
mkdir -p build
find src -name '*.java' > build/sources.txt
javac --release 17 -encoding UTF-8 -Xlint:all,-serial -Werror -d build @build/sources.txt
rm -f build/sources.txt
echo "build.sh: compiled into build/"
