#!/usr/bin/env bash
# Builds emzip (if needed) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build
meson test -C build --print-errorlogs "$@"
