#!/usr/bin/env bash
# Bounded fuzzing run for CI: every target for SECONDS each, from freshly generated seeds.
# Usage: fuzz/run-smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1 seconds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/seeds-frames "$work"/seeds-inputs "$work"/corpus-dec "$work"/corpus-rt
"$build"/fuzz/make_seeds "$work"/seeds-frames frames
# and a few small version 1 and 2 frames (BF16 SPLIT, FP4, bytes; FP32 planes, nibble tables)
for f in ones.bf16.emz age.mxfp4.raw.emz age.mxfp4.bytes.emz; do
    cp "$(dirname "$0")/../tests/data/v1/$f" "$work"/seeds-frames/v1-"$f"
done
for f in ones.bf16.emz scales.fp32.emz alternating.bytes.emz; do
    cp "$(dirname "$0")/../tests/data/v2/$f" "$work"/seeds-frames/v2-"$f"
done
"$build"/fuzz/make_seeds "$work"/seeds-inputs inputs
"$build"/fuzz/fuzz_decompress -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-dec "$work"/seeds-frames 2>&1 | tail -4
"$build"/fuzz/fuzz_roundtrip -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-rt \
    "$work"/seeds-inputs 2>&1 | tail -4
mkdir -p "$work"/seeds-checkpoints "$work"/corpus-ckpt
"$build"/fuzz/make_seeds "$work"/seeds-checkpoints checkpoints
cp "$(dirname "$0")/../tests/data/v1/age.mxfp4.emz" "$work"/seeds-checkpoints/v1-age.mxfp4.emz
cp "$(dirname "$0")/../tests/data/v2/age.mxfp4.emz" "$work"/seeds-checkpoints/v2-age.mxfp4.emz
cp "$(dirname "$0")/../tests/data/delta-v4/age.bf16.next.emz" "$work"/seeds-checkpoints/delta-age.bf16.emz
cp "$(dirname "$0")/../tests/data/delta-v5/age.f32.next.emz" "$work"/seeds-checkpoints/delta5-age.f32.emz
"$build"/fuzz/fuzz_container -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-ckpt \
    "$work"/seeds-checkpoints 2>&1 | tail -4
mkdir -p "$work"/seeds-st "$work"/corpus-st
python3 - "$work"/seeds-st "$(dirname "$0")/.." <<'PY'
import glob, os, struct, sys
# The headers of the sample (tests/data) and, when it is beside the repository, of the full
# corpus, as fuzz_safetensors_header reads them: data size, then the JSON. Their file names are
# the same, so each seed is named after its corpus too.
root = sys.argv[2]
for tag, folder in (("sample", os.path.join(root, "tests", "data")),
                    ("full", os.path.join(root, "..", "shared", "corpus"))):
    for f in glob.glob(os.path.join(folder, "*.safetensors")):
        b = open(f, "rb").read(); n = struct.unpack("<Q", b[:8])[0]
        out = os.path.join(sys.argv[1], tag + "-" + os.path.basename(f))
        open(out, "wb").write(struct.pack("<Q", len(b) - 8 - n) + b[8:8 + n])
PY
echo "fuzz_safetensors_header seeds: $(ls "$work"/seeds-st | grep -c '^sample-') from tests/data," \
    "$(ls "$work"/seeds-st | grep -c '^full-' || true) from ../shared/corpus"
"$build"/fuzz/fuzz_safetensors_header -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-st "$work"/seeds-st 2>&1 | tail -4
mkdir -p "$work"/seeds-ts "$work"/corpus-ts
"$build"/fuzz/make_seeds "$work"/seeds-ts tablesets
"$build"/fuzz/fuzz_table_set -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-ts "$work"/seeds-ts 2>&1 | tail -4
mkdir -p "$work"/seeds-blocks "$work"/corpus-blocks
"$build"/fuzz/make_seeds "$work"/seeds-blocks blocks
"$build"/fuzz/fuzz_block -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-blocks \
    "$work"/seeds-blocks 2>&1 | tail -4
mkdir -p "$work"/seeds-tf "$work"/corpus-tf
"$build"/fuzz/make_seeds "$work"/seeds-tf tablefiles
"$build"/fuzz/fuzz_table_file -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$PWD"/fuzz-crash- "$work"/corpus-tf "$work"/seeds-tf \
    2>&1 | tail -4
echo "fuzz smoke run: no crashes in ${seconds}s per target"
