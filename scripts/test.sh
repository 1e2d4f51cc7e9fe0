#!/usr/bin/env bash
# Builds emzip (if needed) and runs the whole test suite, then says which corpus each suite used:
# tests/data, the sample in the repository, and the full corpus too when ../shared/corpus is
# beside the repository or EMZIP_CORPUS=DIR names it (tests/test_corpus.h).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build
status=0
meson test -C build --print-errorlogs "$@" || status=$?
echo "corpus used, per suite:"
scripts/corpus-used.sh build || true
exit $status
