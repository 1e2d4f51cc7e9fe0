#!/bin/sh
# compare-decoders.sh - the decoders of two emzip builds on the same old files: does the new
# library decode what the old one wrote (e.g. 0.1.0's format version 1 layouts) as fast?
#
# usage: bench/compare-decoders.sh OLD_BUILD NEW_BUILD OUTDIR ROUNDS FILE.safetensors...
#   Builds bench/decode_file_timer.c (public API of both headers only) against each build's
#   static libemzip.a (header from the build's source dir) into OUTDIR/timer-old, timer-new.
#   Cuts each FILE into per-type raw buffers (bench/split-by-type.py, as compare-builds.sh)
#   and compresses each with OLD_BUILD's CLI only ('emzip compress -T 1 -t TYPE'), so both
#   decoders read the same old-format frame. Then ROUNDS times, for each buffer, the old then
#   the new timer: in-memory emz_decompress, one thread, checksums verified, impl IMPL;
#   each run prints the median of REPS batches. In round 1 both check that the frame decodes
#   to the raw buffer. Prints: file, type, format version, chunks, bytes, impl, old and new
#   GB/s (medians over the rounds of each run's median; 1e9 original bytes a second), new/old
#   and its geometric mean.
#   Raw timer lines: OUTDIR/runs.txt.
# environment: IMPL (default avx512), REPS (default 11), MIN_MS (default 20: the least time of
#   one batch of decodes), CC (default gcc), PYTHON (default /usr/bin/python3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
cc=${CC:-gcc}
impl=${IMPL:-avx512}
reps=${REPS:-11}
min_ms=${MIN_MS:-20}
[ $# -ge 5 ] || { sed -n '2,19s/^# \{0,1\}//p' "$0" >&2; exit 2; }
old=$1 new=$2 out=$3 rounds=$4
shift 4
mkdir -p "$out/raw" "$out/emz"

for which in old new; do
    if [ $which = old ]; then build=$old; else build=$new; fi
    src=$("$python" -c 'import json, sys
print(json.load(open(sys.argv[1]))["directories"]["source"])' "$build/meson-info/meson-info.json")
    "$cc" -O2 -std=c11 -Wall -Wextra -I"$src/include" -o "$out/timer-$which" \
        "$here/decode_file_timer.c" "$build/src/libemzip.a" -lcpu_features -pthread -lm
done

list="$out/buffers.txt"
: >"$list"
for f in "$@"; do
    b=$(basename "$f" .safetensors)
    "$python" "$here/split-by-type.py" "$f" "$out/raw" >/dev/null
    for r in "$out/raw/$b".*.raw; do
        ty=${r%.raw}
        ty=${ty##*.}
        e="$out/emz/$b.$ty.emz"
        "$old/tools/emzip" compress -T 1 -f -q -t "$ty" -o "$e" "$r"
        echo "$b $ty $r $e" >>"$list"
    done
done

runs="$out/runs.txt"
: >"$runs"
echo "compare-decoders.sh: load before $(cut -d ' ' -f 1-3 /proc/loadavg)" >&2
i=1
while [ "$i" -le "$rounds" ]; do
    while read -r b ty r e; do
        for which in old new; do
            check=
            [ "$i" -eq 1 ] && check="-c $r"
            # shellcheck disable=SC2086 # $check is empty or two words
            line=$("$out/timer-$which" -i "$impl" -r "$reps" -m "$min_ms" $check "$e")
            echo "$which $i $b $ty $line" >>"$runs"
        done
    done <"$list"
    echo "compare-decoders.sh: round $i of $rounds, load $(cut -d ' ' -f 1-3 /proc/loadavg)" >&2
    i=$((i + 1))
done

"$python" - "$runs" <<'EOF'
import statistics, sys
runs = {}
meta = {}
for line in open(sys.argv[1]):
    w = line.split()
    which, b, ty = w[0], w[2], w[3]
    kv = dict(x.split("=", 1) for x in w[5:] if "=" in x)
    runs.setdefault((b, ty), {}).setdefault(which, []).append(float(kv["median_gbps"]))
    meta[(b, ty)] = (kv["version"], kv["chunks"], kv["bytes"], kv["impl"])
print(f"{'file':<24} {'type':<5} {'ver':>3} {'chunks':>6} {'bytes':>9} {'impl':<6} "
      f"{'old GB/s':>9} {'new GB/s':>9} {'new/old':>7}")
ratios = []
for (b, ty), r in runs.items():
    o, n = statistics.median(r["old"]), statistics.median(r["new"])
    ver, chunks, size, impl = meta[(b, ty)]
    ratios.append(n / o)
    print(f"{b:<24} {ty:<5} {ver:>3} {chunks:>6} {size:>9} {impl:<6} "
          f"{o:9.3f} {n:9.3f} {n / o:7.3f}")
print(f"geometric mean of new/old over {len(ratios)} buffers: "
      f"{statistics.geometric_mean(ratios):.3f}")
EOF
