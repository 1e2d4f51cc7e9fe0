#!/usr/bin/env bash
# Cross-builds emzip for AArch64 (cross/aarch64-linux-gnu.txt) and checks the NEON build under
# qemu-user: tests/check_portable.c (every implementation against scalar, and the corpora), then
# a round trip of sample/selfie.bf16.safetensors with the cross-built CLI. The same check runs
# natively too. The Criterion suite is not cross-built: its runner hangs under qemu-user, and
# libcriterion-dev:arm64 would replace the amd64 package, so it is never installed here.
# Usage: scripts/check-neon.sh [CORPUS_DIR]
# The corpora: tests/data (the committed sample) always; the full corpus as well: CORPUS_DIR, else
# $EMZIP_CORPUS (or its old name $EMZ_CORPUS_DIR), which must then exist, else ../shared/corpus
# beside the repository when it is there.
set -euo pipefail
full=${1:-${EMZIP_CORPUS:-${EMZ_CORPUS_DIR:-}}}
[ -z "$full" ] || full=$(realpath -m "$full") # named from the caller's directory
cd "$(dirname "$0")/.."
corpora=()
if [ -n "$full" ]; then
    [ -d "$full" ] || { echo "error: the corpus $full is not a directory" >&2; exit 1; }
    corpora+=("$full")
elif [ -d ../shared/corpus ]; then
    corpora+=(../shared/corpus)
fi
corpora+=(tests/data)
if [ ${#corpora[@]} -gt 1 ]; then
    echo "corpus: ${corpora[0]} (the full corpus) and tests/data (the sample)"
else
    echo "corpus: tests/data (the sample); no full corpus (no CORPUS_DIR, EMZIP_CORPUS unset," \
        "../shared/corpus absent)"
fi
qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu)

echo "== packages (arm64 multiarch, cross toolchain, qemu-user)"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "dpkg --add-architecture arm64"
    $sudo dpkg --add-architecture arm64
    need_update=1
fi
packages=(meson ninja-build pkg-config cmake gcc libc6-dev libxxhash-dev libcpu-features-dev
          gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libcpu-features-dev:arm64)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
criterion_before=$(dpkg-query -W -f='${Status}' libcriterion-dev:amd64 2>/dev/null || true)
if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
    echo "apt-get install ${missing[*]:-}"
    $sudo apt-get update -qq
    [ ${#missing[@]} -eq 0 ] ||
        $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "all installed"
fi
if [ "$criterion_before" != "$(dpkg-query -W -f='${Status}' libcriterion-dev:amd64 2>/dev/null || true)" ]; then
    echo "error: installing the arm64 packages changed libcriterion-dev:amd64" >&2
    exit 1
fi

echo "== cross build: build-aarch64 (cross/aarch64-linux-gnu.txt)"
# The Python package is not cross-built (there is no aarch64 python3-dev here) and not needed
# for these checks.
opts=(-Dtests=false -Dbench=false -Dportable_check=true -Dpython=disabled)
if [ -f build-aarch64/build.ninja ]; then
    meson configure build-aarch64 "${opts[@]}" >/dev/null
else
    meson setup build-aarch64 --cross-file cross/aarch64-linux-gnu.txt --buildtype=release \
        "${opts[@]}" >/dev/null
fi
ninja -C build-aarch64
file -b build-aarch64/tools/emzip | cut -d, -f1-2

echo "== ${qemu[*]} build-aarch64/tools/emzip --version"
"${qemu[@]}" build-aarch64/tools/emzip --version
"${qemu[@]}" build-aarch64/tools/emzip --version | grep -q 'available: .*neon' ||
    { echo "error: the cross build does not offer the neon implementation" >&2; exit 1; }

echo "== ${qemu[*]} build-aarch64/check_portable ${corpora[*]}"
"${qemu[@]}" build-aarch64/check_portable "${corpora[@]}"

echo "== native build: build-portable; build-portable/check_portable ${corpora[*]}"
if [ -f build-portable/build.ninja ]; then
    meson configure build-portable "${opts[@]}" >/dev/null
else
    meson setup build-portable --buildtype=release "${opts[@]}" >/dev/null
fi
ninja -C build-portable
build-portable/check_portable "${corpora[@]}"

echo "== CLI round trip of sample/selfie.bf16.safetensors under qemu (EMZIP_IMPL=neon)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sample=sample/selfie.bf16.safetensors
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip compress -q -t bf16 "$sample" -o "$tmp/a64.emz"
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip test "$tmp/a64.emz"
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip decompress -q "$tmp/a64.emz" -o "$tmp/a64.out"
cmp "$sample" "$tmp/a64.out"
echo "aarch64 round trip identical: $(stat -c %s "$sample") -> $(stat -c %s "$tmp/a64.emz") bytes"
# The format is deterministic: the x86 build must write the very same frame.
build-portable/tools/emzip compress -q -t bf16 "$sample" -o "$tmp/x86.emz"
cmp "$tmp/a64.emz" "$tmp/x86.emz"
echo "aarch64 (neon) and x86-64 ($(build-portable/tools/emzip --version | sed -n 's/^implementation: \([a-z0-9]*\).*/\1/p')) frames identical"
echo "== checkpoint mode under qemu: container, list, extract, round trip, same bytes as x86"
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip compress -q -T 2 "$sample" -o "$tmp/a64c.emz"
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip list "$tmp/a64c.emz" | sed -n 1,3p
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip extract -q "$tmp/a64c.emz" Conv2D_41/filter -o "$tmp/a64.t"
build-portable/tools/emzip extract -q "$tmp/a64c.emz" Conv2D_41/filter -o "$tmp/x86.t"
cmp "$tmp/a64.t" "$tmp/x86.t"
EMZIP_IMPL=neon "${qemu[@]}" build-aarch64/tools/emzip decompress -q -T 2 "$tmp/a64c.emz" -o "$tmp/a64c.out"
cmp "$sample" "$tmp/a64c.out"
build-portable/tools/emzip compress -q "$sample" -o "$tmp/x86c.emz"
cmp "$tmp/a64c.emz" "$tmp/x86c.emz"
echo "aarch64 and x86-64 containers identical ($(stat -c %s "$tmp/a64c.emz") bytes); round trip identical"
echo "== check-neon: all passed"
