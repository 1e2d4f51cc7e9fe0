#!/usr/bin/env bash
# Checkpoint mode on a >= 1 GiB safetensors file built by tiling the corpus's BF16 tensors
# (bench/make-tiled-checkpoint.py; the file is a benchmark input, never committed):
#  - compress and decompress file to file with 1 and 2 threads, interleaved, REPS times
#    (medians), beside `cat FILE > /dev/null`, `cp FILE` and `dd bs=1M` (write() of the same
#    bytes) of the uncompressed file, and decompression to /dev/null (the codec without the
#    file system's write path);
#  - byte-identical round trip, and the same container for -T 1 and -T 2;
#  - emzip-load: the whole checkpoint into one buffer, 1 vs 2 threads (the load bar);
#  - extracting one tensor: time, and bytes read from the container (strace of pread64/read).
# Usage: bench/checkpoint-bench.sh [BUILD_DIR] [WORK_DIR] [REPS]   (defaults: build, /tmp/emzip-ckpt, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} work=${2:-/tmp/emzip-ckpt} reps=${3:-5}
emzip=$build/tools/emzip
mkdir -p "$work"
src=$work/tiled.safetensors
[ -f "$src" ] || bench/make-tiled-checkpoint.py "$src" --gib 1.1
size=$(stat -c %s "$src")
echo "input: $src, $size bytes ($(awk -v s="$size" 'BEGIN{printf "%.2f", s/2^30}') GiB)"
cat "$src" > /dev/null   # into the page cache: the runs below measure CPU work, not the disk

now() { date +%s.%N; }
declare -A times
run() { # name command...: appends one elapsed time
    local name=$1; shift
    local t0 t1; t0=$(now); "$@"; t1=$(now)
    times[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}') "
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END{print (NR%2)? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

for r in $(seq "$reps"); do
    run cat sh -c "cat '$src' > /dev/null"
    run cp cp "$src" "$work/copy.safetensors"; rm -f "$work/copy.safetensors"
    run dd dd if="$src" of="$work/copy.safetensors" bs=1M status=none; rm -f "$work/copy.safetensors"
    for t in 1 2; do
        run "compress-T$t" "$emzip" compress -q -f -T "$t" "$src" -o "$work/tiled.T$t.emz"
        rm -f "$work/back.safetensors"
        run "decompress-T$t" "$emzip" decompress -q -f -T "$t" "$work/tiled.T$t.emz" -o "$work/back.safetensors"
        run "decompress-null-T$t" sh -c "'$emzip' decompress -q -T $t '$work/tiled.T$t.emz' -o - > /dev/null"
        run "test-T$t" "$emzip" test -q -T "$t" "$work/tiled.T$t.emz"
    done
done
cmp "$work/tiled.T1.emz" "$work/tiled.T2.emz" && echo "containers of -T 1 and -T 2: identical"
cmp "$src" "$work/back.safetensors" && echo "round trip: identical ($size bytes)"
csize=$(stat -c %s "$work/tiled.T1.emz")
echo "compressed: $csize bytes ($(awk -v a="$csize" -v b="$size" 'BEGIN{printf "%.2f", 100*a/b}')%)"
echo
echo "file to file, medians of $reps interleaved runs (GB/s of the uncompressed file):"
printf '%-20s %9s %8s\n' step seconds GB/s
for k in cat cp dd compress-T1 compress-T2 decompress-T1 decompress-T2 decompress-null-T1 \
    decompress-null-T2 test-T1 test-T2; do
    m=$(median "${times[$k]}")
    printf '%-20s %9.3f %8.2f\n' "$k" "$m" "$(awk -v s="$size" -v m="$m" 'BEGIN{print s/m/1e9}')"
done
for k in compress decompress decompress-null test; do
    awk -v a="$(median "${times[$k-T1]}")" -v b="$(median "${times[$k-T2]}")" -v k="$k" \
        'BEGIN{printf "%s: 2 threads %.2fx 1 thread\n", k, a/b}'
done
echo
echo "load into one buffer (emz_reader_read) and stream (emz_reader_decompress, bytes dropped):"
"$build"/bench/emzip-load "$work/tiled.T1.emz" 9 1,2
echo
tensor=$("$emzip" list --json "$work/tiled.T1.emz" | python3 -c '
import json, sys
t = json.load(sys.stdin)["tensors"]
print(max(t, key=lambda x: x["size"])["name"])')
echo "extract the largest tensor, $tensor:"
strace -f -e trace=pread64,read -o "$work/strace.log" "$emzip" extract -q -f "$work/tiled.T1.emz" "$tensor" -o "$work/tensor.bin"
python3 - "$work/strace.log" "$csize" "$work/tensor.bin" <<'PY'
import re, sys, os
calls = total = 0
for line in open(sys.argv[1]):
    m = re.search(r'(pread64|read)\(.*\)\s+=\s+(\d+)', line)
    if m:
        calls += 1; total += int(m.group(2))
print(f"  {calls} read calls, {total} bytes read of the {sys.argv[2]}-byte container "
      f"({100*total/int(sys.argv[2]):.3f}%); tensor {os.path.getsize(sys.argv[3])} bytes")
PY
t0=$(now); "$emzip" extract -q -f "$work/tiled.T1.emz" "$tensor" -o "$work/tensor.bin"; t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN{printf "  extract took %.1f ms (whole command)\n", 1000*(b-a)}'
python3 - "$src" "$tensor" "$work/tensor.bin" <<'PY'
import json, struct, sys
f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]; h = json.loads(f.read(n))
b, e = h[sys.argv[2]]["data_offsets"]; f.seek(8 + n + b)
print("  extracted bytes identical to the original tensor:", f.read(e - b) == open(sys.argv[3], "rb").read())
PY
rm -f "$work/back.safetensors" "$work/tensor.bin" "$work/strace.log"
