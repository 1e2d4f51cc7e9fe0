#!/usr/bin/env bash
# Prints which corpus each suite of the last `meson test` in BUILD_DIR used: the one "corpus:"
# line each corpus test prints, which meson keeps in its log rather than showing it.
# Usage: scripts/corpus-used.sh [BUILD_DIR]   (default: build)
set -euo pipefail
log=${1:-build}/meson-logs/testlog.txt
[ -f "$log" ] || { echo "corpus-used: no test log $log" >&2; exit 1; }
awk '/^test: /{name = $2} /^corpus: /{printf "  %-20s %s\n", name, $0}' "$log"
