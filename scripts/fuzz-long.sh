#!/usr/bin/env bash
# fuzz-long.sh - a long fuzzing run by hand: builds the fuzz targets (clang-14, libFuzzer,
# AddressSanitizer + UndefinedBehaviorSanitizer stopping at the first report) in build-fuzz if
# needed, then runs every target for MINUTES minutes each from fresh seeds (fuzz/run-smoke.sh,
# which CI runs for 60 s a target): fuzz_decompress, fuzz_roundtrip, fuzz_container,
# fuzz_safetensors_header, fuzz_table_set, fuzz_block and fuzz_table_file. A crash leaves
# fuzz-crash-* files in the current directory.
#
# usage: scripts/fuzz-long.sh [MINUTES]      (default 20; from the repository's root)
set -euo pipefail
minutes=${1:-20}
cd "$(dirname "$0")/.."
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang-14 meson setup build-fuzz --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
        -Dbench=false -Dpython=disabled -Db_sanitize=address,undefined -Db_lundef=false \
        "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >/dev/null
fi
ninja -C build-fuzz >/dev/null
exec fuzz/run-smoke.sh build-fuzz $((minutes * 60))
