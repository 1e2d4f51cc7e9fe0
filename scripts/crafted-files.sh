#!/usr/bin/env bash
# crafted-files.sh - issue 15's first bar, measured: "every crafted file: refused or handled with
# peak RSS <= the memory limit + 64 MiB, whatever -T; nothing left under the output name; exit
# code non-zero". Generates each crafted case in a temporary directory (valid checksums,
# hostile sizes; python3 with libxxhash through ctypes for checksum32, the 2 GiB cases as
# sparse files) and runs `emzip test`, `emzip decompress -o OUT` and, for containers, `emzip
# extract -o OUT` on it (`compress -t bf16 - -o OUT` for the pipe cases), at -T 1 and -T 16,
# with the default memory limit (min(1 GiB, RAM/4), as emzip computes it) and with
# --memory-limit 64M, each under `/usr/bin/time -f %M`. The cases (issue 15's item numbers):
#   1  a chunk's payload size above its chunk's bound: 2 GiB forged in a frame's index (the
#      sizes then disagree with the file's); 2 GiB in a frame and in a container made
#      consistent by a 2 GiB hole in the payloads (sparse files); len + 6 in a frame, padded
#   2  16 MiB chunks: a valid 244-byte frame of 256 MiB of zeros, the same with its last
#      chunk's checksum wrong (refused only after every chunk is decoded), a valid frame of
#      128 MiB of random BF16 (RAW streams: the decoders touch all their buffers), and a valid
#      container of a 256 MiB zero tensor
#   3  64 GiB declared: a valid 53 KB frame of zeros, run with --max-size 1G (there is no cap
#      by default: without one it is decoded, 64 GiB); a full and a streamed (version 4) frame
#      declaring 64 GiB but holding two chunks
#   -  hostile containers: version 3, the directory's last segment made 64 GiB of 16 MiB
#      chunks (header and trailer resealed), with the index as it was, and with index entries
#      for the segment's 4096 chunks
#   8  raw BF16 from a pipe, 256 MiB (valid: must succeed, output in place), with the default
#      chunks and with 16 MiB chunks
# A row passes when the exit status is 1 (refused) or, for a valid input, 0 with the output in
# place (a valid input must succeed at the default limit; never 2 or a signal); the peak RSS is
# at most the limit + 64 MiB; nothing is left under OUT when refused; and no temporary
# OUT.emzip-* is ever left. As a safety net every command runs under `ulimit -v` min(8 GiB,
# RAM/2), so that a regression (say 2 GiB allocated per thread) cannot take the machine down;
# it would show as a row over its bound or as an unexpected error.
#
# usage: scripts/crafted-files.sh [-v] [EMZIP]   (default build/tools/emzip; from anywhere)
#   -v  print each row's first line of standard error under it
# Prints the crafted files' sizes, then one row per case x command x threads x limit: case,
# command, -T, limit, exit status, peak RSS (MiB, rounded up), bound (MiB), output left (- for
# test), verdict. Exit status: 0 every row passed, 1 some failed, 2 setup problem. About a
# minute on two cores; needs python3, libxxhash (libxxhash0) and /usr/bin/time (time).
set -euo pipefail
verbose=false
if [ "${1:-}" = -v ]; then verbose=true && shift; fi
case ${1:-} in
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0" && exit 0 ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
emzip=$(realpath "${1:-$root/build/tools/emzip}")
[ -x "$emzip" ] || { echo "crafted-files: $emzip is not executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "crafted-files: no /usr/bin/time (apt install time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/emzip-crafted.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

ram=$(($(getconf _PHYS_PAGES) * $(getconf PAGE_SIZE)))
default_mib=$((ram / 4 >> 20))
[ "$default_mib" -le 1024 ] || default_mib=1024
cap_kib=$((ram / 2 >> 10))
[ "$cap_kib" -le $((8 << 20)) ] || cap_kib=$((8 << 20))
start=$SECONDS

# ---- the crafted files -------------------------------------------------------------------
# Bases made by emzip: a raw BF16 frame of 4 chunks (the sample's BF16 checkpoints as data),
# a frame of two 16 MiB chunks of zeros (its chunk payload and checksum), a container of a
# checkpoint, a container of a 256 MiB zero tensor in 16 MiB chunks.
cat "$root"/tests/data/*.bf16.safetensors | head -c $((1 << 20)) >raw.bin
"$emzip" compress -q -t bf16 raw.bin -o raw.emz
head -c $((32 << 20)) /dev/zero >z32.bin
"$emzip" compress -q -t bf16 --chunk-size 16M z32.bin -o z32.emz
"$emzip" compress -q "$root/tests/data/movenet_thunder.bf16.safetensors" -o ckpt.emz
rm -f raw.bin z32.bin

cat >craft.py <<'EOF'
import ctypes, json, struct, sys

xxh = ctypes.CDLL("libxxhash.so.0")
xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
MIB, BIG = 1 << 20, 1 << 31  # BIG: the forged payload size, 2 GiB


def cs32(b):
    b = bytes(b)
    return xxh.XXH3_64bits(b, len(b)) & 0xFFFFFFFF


def sealed(head28):
    return bytes(head28) + struct.pack("<I", cs32(head28))


def write(name, parts):
    """parts: bytes, or an int for a hole of that many bytes (a sparse file)."""
    with open(name, "wb") as f:
        for p in parts:
            if isinstance(p, int):
                f.seek(p, 1)
            else:
                f.write(p)
        f.truncate()


def parse_frame(d):  # a full frame of version 3
    assert d[:4] == b"\x89EMZ" and d[4] == 3 and d[7] == 0, "a full frame of version 3"
    size, c = struct.unpack_from("<Q", d, 8)[0], 1 << d[6]
    n = (size + c - 1) // c
    idx = len(d) - 4 - 8 * n
    entries = [struct.unpack_from("<II", d, idx + 8 * i) for i in range(n)]
    payloads, at = [], 32
    for s, _ in entries:
        payloads.append(d[at:at + s])
        at += s
    return d[:28], entries, payloads


def frame(head28, entries, payloads, footer=None):
    index = b"".join(struct.pack("<II", s, k) for s, k in entries)
    parts = [sealed(head28)] + payloads + [index + struct.pack("<I", cs32(index))]
    if footer is not None:  # a streamed frame: original_size, element_count, checksum
        f = struct.pack("<QQ", *footer)
        parts.append(f + struct.pack("<I", cs32(f)))
    return parts


def leb(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def read_leb(d, at):
    v = shift = 0
    while True:
        b = d[at]
        at += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, at


def parse_container(d):  # version 3, no table set
    assert d[:4] == b"\x89EMC" and d[4] == 3 and d[6] == 0, "a version 3 container"
    segs = []
    meta, _ = struct.unpack_from("<II", d, len(d) - 8)
    at = len(d) - 8 - meta
    for _ in range(struct.unpack_from("<Q", d, 16)[0]):
        size, at = read_leb(d, at)
        segs.append([size, d[at], d[at + 1]])
        at += 2
    entries, payloads, p = [], [], 32
    for size, _, log2 in segs:
        for _ in range((size + (1 << log2) - 1) >> log2):
            s, at = read_leb(d, at)
            entries.append([s, struct.unpack_from("<I", d, at)[0]])
            payloads.append(d[p:p + s])
            at += 4
            p += s
    return bytearray(d[:28]), segs, entries, payloads


def container(head28, segs, entries, payloads):
    struct.pack_into("<Q", head28, 8, sum(s[0] for s in segs))
    struct.pack_into("<Q", head28, 16, len(segs))
    meta = b"".join(leb(s) + bytes([t, l]) for s, t, l in segs)
    meta += b"".join(leb(s) + struct.pack("<I", k) for s, k in entries)
    return [sealed(head28)] + payloads + [meta, struct.pack("<II", len(meta), cs32(meta))]


# item 1: chunk 1's payload size 2 GiB in the index, resealed: alone, then made consistent
head, entries, payloads = parse_frame(open("raw.emz", "rb").read())
forged = [list(e) for e in entries]
forged[1][0] = BIG
write("frame-payload-2G.emz", frame(head, forged, payloads))
holed = payloads[:1] + [payloads[1], BIG - len(payloads[1])] + payloads[2:]
write("frame-payload-2G-sparse.emz", frame(head, forged, holed))
# one byte above the bound (len + 5), the payload padded with zeros to that size
forged[1][0] = (1 << head[6]) + 6
padded = payloads[:1] + [payloads[1] + bytes(forged[1][0] - len(payloads[1]))] + payloads[2:]
write("frame-payload-len+6.emz", frame(head, forged, padded))

# the container: the first chunk of its largest tensor's segment grows to 2 GiB (a hole)
ckpt = open("ckpt.emz", "rb").read()
chead, segs, centries, cpayloads = parse_container(ckpt)
st = open(sys.argv[1], "rb").read()
n_json = struct.unpack_from("<Q", st)[0]
tensors = {k: v for k, v in json.loads(st[8:8 + n_json]).items() if k != "__metadata__"}
name = max(tensors, key=lambda k: tensors[k]["data_offsets"][1] - tensors[k]["data_offsets"][0])
begin, chunk = 8 + n_json + tensors[name]["data_offsets"][0], 0
for size, _, log2 in segs:
    if begin == 0:
        break
    assert begin >= size, "the largest tensor starts a segment"
    begin -= size
    chunk += (size + (1 << log2) - 1) >> log2
e = [list(x) for x in centries]
e[chunk][0] = BIG
p = cpayloads[:chunk] + [cpayloads[chunk], BIG - len(cpayloads[chunk])] + cpayloads[chunk + 1:]
write("container-payload-2G-sparse.emz", container(bytearray(chead), segs, e, p))
open("tensor.txt", "w").write(name)

# item 2: 16 chunks of 16 MiB of zeros (256 MiB in 94 bytes), valid; then the last checksum wrong
_, (entry, _), (payload, _) = parse_frame(open("z32.emz", "rb").read())


def zeros_head(size, version=3, flags=0):
    h = bytearray(b"\x89EMZ" + bytes([version, 1, 24, flags]) + bytes(20))
    struct.pack_into("<QQ", h, 8, size, size // 2)
    return h


write("frame-16M.emz", frame(zeros_head(256 * MIB), [entry] * 16, [payload] * 16))
bad = [entry] * 15 + [(entry[0], entry[1] ^ 1)]
write("frame-16M-badsum.emz", frame(zeros_head(256 * MIB), bad, [payload] * 16))

# item 3: 64 GiB of zeros in 4096 chunks (45 KB, valid); 64 GiB declared over two chunks
G64 = 64 << 30
write("frame-64G.emz", frame(zeros_head(G64), [entry] * 4096, [payload] * 4096))
write("frame-64G-2chunks.emz", frame(zeros_head(G64), [entry] * 2, [payload] * 2))
write("streamed-64G-2chunks.emz",
      frame(zeros_head(0, 4, 2), [entry] * 2, [payload] * 2, footer=(G64, G64 // 2)))

# hostile containers: the last segment becomes 64 GiB of 16 MiB chunks, directory resealed
big_segs = [list(s) for s in segs]
old = big_segs[-1]
old_chunks = (old[0] + (1 << old[2]) - 1) >> old[2]
big_segs[-1] = [G64, old[1], 24]
write("container-64G-segment.emz", container(bytearray(chead), big_segs, centries, cpayloads))
more = centries[:len(centries) - old_chunks] + [[1, 0]] * 4096
write("container-64G-segment-indexed.emz", container(bytearray(chead), big_segs, more, cpayloads))

# a checkpoint of one 256 MiB BF16 tensor of zeros (sparse), for a container of 16 MiB chunks
h = json.dumps({"w": {"dtype": "BF16", "shape": [128 * MIB], "data_offsets": [0, 256 * MIB]}})
h = h.encode() + b" " * (-len(h) % 8)
write("zeros.safetensors", [struct.pack("<Q", len(h)) + h, 256 * MIB])
EOF
python3 craft.py "$root/tests/data/movenet_thunder.bf16.safetensors" ||
    { echo "crafted-files: crafting failed" >&2; exit 2; }
tensor=$(cat tensor.txt)
"$emzip" compress -q --chunk-size 16M zeros.safetensors -o container-16M.emz
# random BF16 in 16 MiB chunks: RAW streams, so the decoders touch all of their buffers
head -c $((128 << 20)) /dev/urandom >random.bin
"$emzip" compress -q -T 2 -t bf16 --chunk-size 16M random.bin -o frame-16M-random.emz
# the pipe's input: the sample's BF16 data repeated to 256 MiB
cat "$root"/tests/data/*.bf16.safetensors >pipe.bin
while [ "$(stat -c %s pipe.bin)" -lt $((256 << 20)) ]; do
    cat pipe.bin pipe.bin >pipe2.bin && mv pipe2.bin pipe.bin
done
truncate -s $((256 << 20)) pipe.bin
rm -f raw.emz z32.emz ckpt.emz zeros.safetensors random.bin tensor.txt craft.py
echo "crafted files (bytes; the sparse ones hold a 2 GiB hole):"
for f in *.emz; do printf '  %-40s %12s\n' "$f" "$(stat -c %s "$f")"; done

# ---- the runs ----------------------------------------------------------------------------
failures=0 rows=0
printf '%-34s %-10s %3s %-7s %4s %8s %8s %-7s %s\n' case command -T limit exit "RSS MiB" \
    "bound" "output" verdict
# row CASE COMMAND EXPECT EXTRA FILE [TENSOR]: one command at -T 1 and 16, both limits.
# EXPECT: refuse (exit 1 only), valid (0 or 1, the default limit must give 0), or accept (0).
row() {
    local case=$1 command=$2 expect=$3 extra=$4 file=$5 tensor=${6:-}
    local threads limit status rss bound left verdict args input
    for threads in 1 16; do
        for limit in default 64M; do
            args=(-q -T "$threads")
            [ "$limit" = default ] || args+=(--memory-limit "$limit")
            # shellcheck disable=SC2206 # EXTRA is a list of words
            [ -z "$extra" ] || args+=($extra)
            rm -f out out.emzip-*
            status=0
            input=/dev/null
            case $command in
                test) args+=("$file") ;;
                decompress) args+=("$file" -o out) ;;
                extract) args+=("$file" "$tensor" -o out) ;;
                compress) args+=(-t bf16 - -o out) input=$file ;;
            esac
            run "$command" "${args[@]}" <"$input" || status=$?
            rss=$((($(tail -n 1 rss.txt | tr -cd 0-9) + 1023) / 1024)) # MiB, rounded up
            if [ "$limit" = default ]; then bound=$((default_mib + 64)); else bound=$((64 + 64)); fi
            left=no
            [ "$command" != test ] || left=-
            [ ! -e out ] || left=yes
            verdict=OK
            if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
                verdict="FAIL: exit $status"
            elif [ "$rss" -gt "$bound" ]; then
                verdict="FAIL: RSS over bound"
            elif compgen -G 'out.emzip-*' >/dev/null; then
                verdict="FAIL: temporary left: $(echo out.emzip-*)"
            elif [ "$status" -eq 1 ] && [ "$left" = yes ]; then
                verdict="FAIL: refused, output left"
            elif [ "$status" -eq 0 ] && [ "$expect" = refuse ]; then
                verdict="FAIL: accepted"
            elif [ "$status" -eq 0 ] && [ "$command" != test ] && [ "$left" != yes ]; then
                verdict="FAIL: succeeded, no output"
            elif [ "$status" -eq 1 ] && { [ "$expect" = accept ] ||
                { [ "$expect" = valid ] && [ "$limit" = default ]; }; }; then
                verdict="FAIL: a valid input refused"
            fi
            printf '%-34s %-10s %3s %-7s %4s %8s %8s %-7s %s\n' "$case" "$command" "$threads" \
                "$limit" "$status" "$rss" "$bound" "$left" "$verdict"
            if [ "$verdict" != OK ]; then
                failures=$((failures + 1))
                sed 's/^/    stderr: /' err.txt
            elif $verbose && [ -s err.txt ]; then
                head -n 1 err.txt | sed 's/^/    stderr: /'
            fi
            rows=$((rows + 1))
            rm -f out out.emzip-*
        done
    done
}
# run ARG...: emzip ARG... under the safety net and /usr/bin/time; peak RSS (KiB) in rss.txt,
# standard error in err.txt
run() {
    (
        ulimit -v "$cap_kib"
        exec /usr/bin/time -f %M -o rss.txt "$emzip" "$@" 2>err.txt
    )
}

for f in frame-payload-2G frame-payload-2G-sparse frame-payload-len+6 frame-16M-badsum \
    frame-64G-2chunks streamed-64G-2chunks; do
    for command in test decompress; do row "$f" "$command" refuse "" "$f.emz"; done
done
for f in container-payload-2G-sparse container-64G-segment container-64G-segment-indexed; do
    for command in test decompress; do row "$f" "$command" refuse "" "$f.emz"; done
    row "$f" extract refuse "" "$f.emz" "$tensor"
done
for command in test decompress; do
    row frame-16M "$command" valid "" frame-16M.emz
    row frame-16M-random "$command" valid "" frame-16M-random.emz
    row "frame-64G --max-size 1G" "$command" refuse "--max-size 1G" frame-64G.emz
done
for command in test decompress; do row container-16M "$command" valid "" container-16M.emz; done
row container-16M extract valid "" container-16M.emz w
row pipe-bf16 compress accept "" pipe.bin
row "pipe-bf16 --chunk-size 16M" compress valid "--chunk-size 16M" pipe.bin

echo "$rows rows, $failures failing; default limit ${default_mib} MiB (RAM $((ram >> 20)) MiB);" \
    "$((SECONDS - start)) s"
[ "$failures" -eq 0 ]
