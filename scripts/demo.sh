#!/usr/bin/env bash
# Sets up emzip and runs its main job on the bundled sample: compress a BF16 safetensors
# checkpoint, look inside it, take one tensor out alone, restore the file and check that its
# bytes are identical.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
emzip=build/tools/emzip
# -v: the summary lines even when stderr is not a terminal (a log, a pipe)
$emzip compress -v -f sample/selfie.bf16.safetensors -o "$out/selfie.emz"
$emzip info "$out/selfie.emz"
$emzip list "$out/selfie.emz" | sed -n 1,5p  # sed reads it all: no SIGPIPE
tensor=$($emzip list "$out/selfie.emz" | awk 'NR == 3 {print $1}')
$emzip extract -f "$out/selfie.emz" "$tensor" -o "$out/tensor.bin"
$emzip decompress -v -f "$out/selfie.emz" -o "$out/selfie.bf16.safetensors"
cmp sample/selfie.bf16.safetensors "$out/selfie.bf16.safetensors"
echo "round trip identical: sample/selfie.bf16.safetensors; tensor $tensor extracted alone" \
     "($(stat -c %s "$out/tensor.bin") bytes)"
