#!/bin/sh
# compare-builds.sh - sets two emzip builds side by side (e.g. a release against the tree):
# ratios on the same bytes, and speeds measured interleaved so that load lands on both.
#
# usage: bench/compare-builds.sh ratios OLD_BUILD NEW_BUILD OUTDIR FILE.safetensors...
#   Compresses each FILE with both builds' CLI ('emzip compress -T 1 -o OUT FILE', a grammar
#   both 0.1.0 and later accept): checkpoint mode on the whole file, raw mode with -t TYPE on
#   each of its per-type buffers (bench/split-by-type.py, emzip-bench's raw-mode buffers);
#   runs NEW_BUILD's emzip-bench for byte-group Huffman; prints the table
#   (bench/compare-builds.py table). Round trips of both builds are checked.
# usage: bench/compare-builds.sh speed OLD_BUILD NEW_BUILD OUTDIR ROUNDS FILE.safetensors:IMPLS...
#   ROUNDS times: for each FILE, OLD_BUILD's then NEW_BUILD's emzip-bench --impl IMPLS
#   --no-baselines --no-kernels --no-small --reps 11 (single thread); prints medians over the
#   rounds of each run's medians (bench/compare-builds.py speed).
# environment: PYTHON (default /usr/bin/python3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
[ $# -ge 4 ] || { sed -n '2,16s/^# \{0,1\}//p' "$0" >&2; exit 2; }
cmd=$1 old=$2 new=$3 out=$4
shift 4
mkdir -p "$out"

case $cmd in
ratios)
    sizes="$out/sizes.tsv"
    : >"$sizes"
    for f in "$@"; do
        b=$(basename "$f" .safetensors)
        mkdir -p "$out/raw"
        "$python" "$here/split-by-type.py" "$f" "$out/raw" >/dev/null
        line="$b checkpoint whole $(stat -c %s "$f")"
        for build in "$new" "$old"; do
            "$build/tools/emzip" compress -T 1 -f -q -o "$out/ck.emz" "$f"
            "$build/tools/emzip" decompress -f -q -o "$out/ck.out" "$out/ck.emz"
            cmp "$out/ck.out" "$f"
            line="$line $(stat -c %s "$out/ck.emz")"
        done
        echo "$line" >>"$sizes"
        for r in "$out/raw/$b".*.raw; do
            ty=${r%.raw}
            ty=${ty##*.}
            line="$b raw $ty $(stat -c %s "$r")"
            for build in "$new" "$old"; do
                "$build/tools/emzip" compress -T 1 -f -q -t "$ty" -o "$out/r.emz" "$r"
                line="$line $(stat -c %s "$out/r.emz")"
            done
            echo "$line" >>"$sizes"
        done
    done
    rm -f "$out/ck.emz" "$out/ck.out" "$out/r.emz"
    "$new/bench/emzip-bench" --no-baselines --no-kernels --no-small --reps 1 \
        --json-file "$out/new-bench.json" "$@" >/dev/null 2>"$out/bench.err"
    "$python" "$here/compare-builds.py" table "$out/new-bench.json" "$sizes"
    ;;
speed)
    rounds=$1
    shift
    r=1
    while [ "$r" -le "$rounds" ]; do
        for spec in "$@"; do
            f=${spec%:*}
            impl=${spec##*:}
            b=$(basename "$f" .safetensors)
            for which in old new; do
                if [ $which = old ]; then build=$old; else build=$new; fi
                "$build/bench/emzip-bench" --impl "$impl" --no-baselines --no-kernels \
                    --no-small --reps 11 --json-file "$out/$which.$b.$r.json" "$f" >/dev/null
            done
        done
        echo "compare-builds.sh: round $r of $rounds, load $(cut -d ' ' -f 1-3 /proc/loadavg)" >&2
        r=$((r + 1))
    done
    "$python" "$here/compare-builds.py" speed "$out"
    ;;
*)
    echo "compare-builds.sh: unknown command '$cmd' (ratios or speed)" >&2
    exit 2
    ;;
esac
