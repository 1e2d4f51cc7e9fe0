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
mkdir -p "$work"/seeds-st "$work"/corpus-st
python3 - "$work"/seeds-st <<'PY'
import glob, os, struct, sys
# the corpus's headers, as fuzz_safetensors_header reads them: data size, then the JSON
for f in glob.glob(os.path.join(os.path.dirname(os.path.abspath("fuzz")), "..", "shared", "corpus", "*.safetensors")):
    b = open(f, "rb").read(); n = struct.unpack("<Q", b[:8])[0]
    open(os.path.join(sys.argv[1], os.path.basename(f)), "wb").write(struct.pack("<Q", len(b) - 8 - n) + b[8:8 + n])
PY
"$build"/fuzz/fuzz_safetensors_header -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-st "$work"/seeds-st 2>&1 | tail -4
echo "fuzz smoke run: no crashes in ${seconds}s per target"
