#!/usr/bin/env bash
# Bounded fuzzing run for CI: every target for SECONDS each, from freshly generated seeds.
# Usage: fuzz/run-smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1 seconds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/seeds-frames "$work"/seeds-inputs "$work"/corpus-dec "$work"/corpus-rt
"$build"/fuzz/make_seeds "$work"/seeds-frames frames
"$build"/fuzz/make_seeds "$work"/seeds-inputs inputs
"$build"/fuzz/fuzz_decompress -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-dec "$work"/seeds-frames 2>&1 | tail -4
"$build"/fuzz/fuzz_roundtrip -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-rt \
    "$work"/seeds-inputs 2>&1 | tail -4
mkdir -p "$work"/seeds-checkpoints "$work"/corpus-ckpt
"$build"/fuzz/make_seeds "$work"/seeds-checkpoints checkpoints
"$build"/fuzz/fuzz_container -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-ckpt \
    "$work"/seeds-checkpoints 2>&1 | tail -4
echo "fuzz smoke run: no crashes in ${seconds}s per target"
