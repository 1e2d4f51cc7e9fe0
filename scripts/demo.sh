#!/usr/bin/env bash
# Sets up emzip and runs its main job on the bundled sample: compress a BF16 checkpoint,
# decompress it, and check that the bytes are identical.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build/tools/emzip compress -f -t bf16 sample/selfie.bf16.safetensors -o "$out/selfie.emz"
build/tools/emzip info "$out/selfie.emz"
build/tools/emzip decompress -f "$out/selfie.emz" -o "$out/selfie.bf16.safetensors"
cmp sample/selfie.bf16.safetensors "$out/selfie.bf16.safetensors"
echo "round trip identical: sample/selfie.bf16.safetensors"
