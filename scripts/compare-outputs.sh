#!/usr/bin/env bash
# Checks that two emzip builds write the same bytes: every .safetensors file of the given
# directories, with every implementation both builds run, in checkpoint mode and in raw mode
# (-t from the file name; also at 64 KiB chunks and as bytes), compressed by each build, must
# give identical outputs, and the new build must restore the input from them. For changes
# that must not alter the format's output (refactoring, speed work).
# Usage: scripts/compare-outputs.sh OLD_EMZIP NEW_EMZIP DIR...
#   e.g. scripts/compare-outputs.sh ../old/build/tools/emzip build/tools/emzip ../shared/corpus
set -euo pipefail
[ $# -ge 3 ] || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
old=$1 new=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The chunk size option: -c CHUNK before the CLI took zstd's meanings, --chunk-size after.
chunk_option() { # the whole help is read first: grep -q would close the pipe early (SIGPIPE under pipefail)
    local help
    help=$("$1" help compress 2>/dev/null || true)
    case $help in *--chunk-size*) echo --chunk-size ;; *) echo -c ;; esac
}
old_chunk=$(chunk_option "$old") new_chunk=$(chunk_option "$new")
impls=$("$new" --version | sed -n 's/.*available: //p')

compared=0 failed=0
for dir in "$@"; do
    for f in "$dir"/*.safetensors; do
        name=$(basename "$f")
        type=$(sed 's/.*\.\([a-z0-9]*\)\.safetensors$/\1/' <<<"$name")
        case $type in f32) type=fp32 ;; f16) type=fp16 ;; mxfp4) type=fp4 ;; esac
        for impl in $impls; do
            for mode in checkpoint raw raw64k bytes; do
                case $mode in
                checkpoint) a=() b=() ;;
                raw) a=(-t "$type") b=(-t "$type") ;;
                raw64k) a=(-t "$type" "$old_chunk" 64K) b=(-t "$type" "$new_chunk" 64K) ;;
                bytes) a=(-t bytes) b=(-t bytes) ;;
                esac
                EMZIP_IMPL=$impl "$old" compress -q -f "${a[@]}" "$f" -o "$tmp/old.emz"
                EMZIP_IMPL=$impl "$new" compress -q -f -T 2 "${b[@]}" "$f" -o "$tmp/new.emz"
                compared=$((compared + 1))
                if ! cmp -s "$tmp/old.emz" "$tmp/new.emz"; then
                    echo "DIFFERENT: $name, $impl, $mode"
                    failed=$((failed + 1))
                fi
                EMZIP_IMPL=$impl "$new" decompress -q -f "$tmp/new.emz" -o "$tmp/back"
                cmp -s "$tmp/back" "$f" || { echo "NOT RESTORED: $name, $impl, $mode"; failed=$((failed + 1)); }
            done
        done
    done
done
echo "compare-outputs: $compared outputs compared ($impls), $failed differences"
[ "$failed" -eq 0 ]
