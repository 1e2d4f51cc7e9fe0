#!/usr/bin/env bash
# tests/cli/test_cli.sh EMZIP CORPUS_DIR MAN_DIR - the emzip command line, end to end.
#
# Round trips of every corpus checkpoint (checkpoint mode, -T 1 and -T 2, identical outputs),
# raw mode, stdin/stdout, a sharded checkpoint directory, list/extract against the original
# safetensors header (read with python3), info, --json, malformed safetensors files, corrupted
# containers, usage errors, the help texts against the man pages in MAN_DIR (and the pages
# against groff's warnings, when groff is installed), and a checkpoint larger than the address-space limit under
# `ulimit -v` (skipped under AddressSanitizer, whose shadow memory needs terabytes of address
# space: EMZIP_TEST_SANITIZE from meson, or libasan in `ldd EMZIP`, says so).
# Also file metadata (mode, times, owner) from input to output, -k and --rm, the
# zstd-style command line (no command, -d, -c, several files, -v), and train (table files from
# small K/V caches the test writes with numpy) with info on its table files.
# No `CMD | grep -q`: with pipefail, grep leaving early would fail CMD with SIGPIPE.
set -euo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 EMZIP CORPUS_DIR MAN_DIR" >&2
    exit 2
fi
EMZIP=$(realpath "$1")
MAN_DIR=$(realpath "$3")
shopt -s nullglob
# The corpus, as tests/test_corpus.h finds it: CORPUS_DIR, the committed sample (tests/data),
# always; the full corpus as well when EMZIP_CORPUS (old name EMZ_CORPUS_DIR) names it, a failure
# if that holds no *.safetensors, or when EMZIP_SHARED_CORPUS (meson: ../shared/corpus beside the
# sources) exists. Files used by name come from the full corpus when there is one, else from the
# sample, which has files of those names. The outputs below are named after the inputs' base
# names, so a sample file named like a full-corpus file (a copy or a part of it) is left out
# then. One line says which.
CORPUS=$(realpath "$2")
SAMPLE_DIR=$CORPUS # tests/data, whatever corpus the round trips run on
corpus_files=("$CORPUS"/*.safetensors)
[ ${#corpus_files[@]} -gt 0 ] || { echo "FAIL: no *.safetensors in the sample $2" >&2; exit 1; }
full=${EMZIP_CORPUS:-${EMZ_CORPUS_DIR:-}}
[ -n "$full" ] || [ ! -d "${EMZIP_SHARED_CORPUS:-/nonexistent}" ] || full=$EMZIP_SHARED_CORPUS
if [ -n "$full" ]; then
    sample=("${corpus_files[@]}")
    corpus_files=("$full"/*.safetensors)
    n_full=${#corpus_files[@]}
    [ "$n_full" -gt 0 ] || { echo "FAIL: no *.safetensors in the corpus $full" >&2; exit 1; }
    for f in "${sample[@]}"; do
        [ -e "$full/$(basename "$f")" ] || corpus_files+=("$f")
    done
    echo "corpus: $(realpath "$full") ($n_full files, the full corpus) and $CORPUS (the" \
        "sample: $((${#corpus_files[@]} - n_full)) of its ${#sample[@]} files; the rest are" \
        "named like full-corpus files, of which they are copies or parts)"
    CORPUS=$(realpath "$full")
else
    echo "corpus: $CORPUS (${#corpus_files[@]} files, the sample); no full corpus" \
        "(EMZIP_CORPUS unset${EMZIP_SHARED_CORPUS:+, $EMZIP_SHARED_CORPUS absent})"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/emzip-cli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

checks=0
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
ok() { checks=$((checks + 1)); }
section() { echo "== $* (${SECONDS}s)"; }

# expect_status CODE CMD...: runs CMD with stderr captured in $work/err; checks the exit status.
expect_status() {
    local want=$1
    shift
    local got=0
    "$@" 2>"$work/err" || got=$?
    [ "$got" -eq "$want" ] || fail "exit $got (want $want): $* -- stderr: $(cat "$work/err")"
    ok
}
# stderr_has TEXT: the last captured stderr contains TEXT.
stderr_has() {
    grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1': $(cat "$work/err")"
    ok
}
one_line_error() {
    [ "$(wc -l <"$work/err")" -eq 1 ] || fail "expected one error line, got: $(cat "$work/err")"
    ok
}
json_ok() { # json_ok FILE...: every line of each FILE is a JSON document (one python run)
    for f in "$@"; do [ -s "$f" ] || fail "$f is empty"; done
    python3 -c '
import json, sys
for name in sys.argv[1:]:
    for number, line in enumerate(open(name, encoding="utf-8"), 1):
        try:
            json.loads(line)
        except ValueError as e:
            sys.exit("%s line %d is not JSON (%s): %s" % (name, number, e, line))
' "$@" || fail "not JSON lines"
    ok
}

asan=false
case "${EMZIP_TEST_SANITIZE:-none}" in *address*) asan=true ;; esac
case "$(ldd "$EMZIP" 2>/dev/null || true)" in *libasan*) asan=true ;; esac

section "round trip of every corpus checkpoint, -T 1 and -T 2"
for f in "${corpus_files[@]}"; do
    b=$(basename "$f")
    "$EMZIP" compress -q -T 1 "$f" -o "$b.t1.emz"
    "$EMZIP" compress -q -T 2 "$f" -o "$b.t2.emz"
    cmp -s "$b.t1.emz" "$b.t2.emz" || fail "$b: -T 1 and -T 2 outputs differ"
    "$EMZIP" decompress -q -T 2 "$b.t1.emz" -o "$b.out"
    cmp -s "$f" "$b.out" || fail "$b: round trip differs"
    "$EMZIP" test -q -T 1 "$b.t2.emz" || fail "$b: test failed"
    "$EMZIP" info "$b.t1.emz" | grep 'safetensors checkpoint' >/dev/null || fail "$b: info kind"
    rm -f "$b.t2.emz" "$b.out"
    ok
done
bf16=$CORPUS/selfie.bf16.safetensors
mxfp4=$CORPUS/selfie.mxfp4.safetensors
big=$CORPUS/faceres_deep.bf16.safetensors
for needed in "$bf16" "$mxfp4" "$big"; do
    [ -f "$needed" ] || fail "corpus file $needed missing"
done

section "summary line: with -v, or when stderr is a terminal (see the end)"
"$EMZIP" compress -v -f "$bf16" -o s.emz 2>"$work/err"
summary='selfie\.bf16\.safetensors: [0-9]+ -> [0-9]+ bytes \([0-9.]+%\), [0-9.]+ ms, [0-9.]+ MB/s$'
grep -Eq "$summary" "$work/err" || fail "summary format: $(cat "$work/err")"
ok
for quiet in "" -q "-v -q"; do # stderr is a file here: silent as zstd is, and -q wins last
    "$EMZIP" compress $quiet -f "$bf16" -o s.emz 2>"$work/err"
    [ ! -s "$work/err" ] || fail "compress $quiet printed on a file: $(cat "$work/err")"
    "$EMZIP" decompress $quiet -f s.emz -o s.out 2>"$work/err"
    [ ! -s "$work/err" ] || fail "decompress $quiet printed on a file: $(cat "$work/err")"
done
"$EMZIP" decompress -v -f s.emz -o s.out 2>"$work/err"
grep -Eq '^s\.emz: [0-9]+ -> 217800 bytes, [0-9.]+ ms, [0-9.]+ MB/s$' "$work/err" ||
    fail "decompress -v summary: $(cat "$work/err")"
rm -f s.out
ok

section "raw mode (-t)"
"$EMZIP" compress -q -t bf16 "$bf16" -o raw.emz
"$EMZIP" decompress -q raw.emz -o raw.out
cmp -s raw.out "$bf16" || fail "raw round trip"
"$EMZIP" info raw.emz >info.txt
grep -q '^kind: *frame$' info.txt && grep -q '^type: *bf16$' info.txt &&
    grep -q '^chunk size:' info.txt && grep -q '^format version:' info.txt ||
    fail "frame info: $(cat info.txt)"
ok
expect_status 1 "$EMZIP" list raw.emz
stderr_has "raw.emz: a single frame"
head -c 1000 /dev/urandom >noise.bin
expect_status 1 "$EMZIP" compress noise.bin
stderr_has "noise.bin: not a safetensors file; give -t TYPE"
[ ! -e noise.bin.emz ] || fail "output left after refusing noise.bin"
"$EMZIP" compress -q -t bytes noise.bin && "$EMZIP" decompress -q -f noise.bin.emz -o noise.out
cmp -s noise.bin noise.out || fail "bytes round trip"
# a frame shorter than a full header (one byte in: a short frame of 16 bytes)
printf 'a' >one.bin
"$EMZIP" compress -q -t bytes one.bin && "$EMZIP" test -q one.bin.emz ||
    fail "one byte: compress or test"
[ "$(wc -c <one.bin.emz)" -lt 32 ] || fail "one byte: a frame of $(wc -c <one.bin.emz) bytes"
"$EMZIP" info one.bin.emz >info.txt || fail "info of a 16-byte frame"
grep -q '^original size: *1 bytes$' info.txt && grep -q '^format version: *3$' info.txt ||
    fail "info of a 16-byte frame: $(cat info.txt)"
"$EMZIP" decompress -q -c one.bin.emz | cmp -s - one.bin || fail "one byte round trip"
ok

section "stdin and stdout"
cat "$bf16" | "$EMZIP" compress -q - >pipe.emz
cmp -s pipe.emz s.emz || fail "compress from a pipe differs from compress of the file"
"$EMZIP" compress -q - <"$bf16" >redirect.emz
cmp -s redirect.emz s.emz || fail "compress from a redirected file differs"
cat pipe.emz | "$EMZIP" decompress -q - | cmp -s - "$bf16" || fail "decompress pipe to stdout"
"$EMZIP" decompress -q - <pipe.emz | cmp -s - "$bf16" || fail "decompress redirect"
cat "$bf16" | "$EMZIP" compress -q -t bf16 - | "$EMZIP" decompress -q - | cmp -s - "$bf16" ||
    fail "raw stdin round trip"
cat pipe.emz | "$EMZIP" test -q - || fail "test from a pipe"
"$EMZIP" list - <pipe.emz | grep 'Conv2D_41/filter' >/dev/null || fail "list from stdin"
expect_status 1 sh -c "cat noise.bin | '$EMZIP' compress - >/dev/null"
stderr_has "(stdin): not a safetensors file"
ok

section "sharded checkpoint directory"
mkdir shards
cp "$CORPUS/age.bf16.safetensors" shards/model-00001-of-00002.safetensors
cp "$CORPUS/selfie.bf16.safetensors" shards/model-00002-of-00002.safetensors
python3 - shards <<'EOF'
import json, os, struct, sys
d = sys.argv[1]
weight_map = {}
for shard in sorted(os.listdir(d)):
    with open(os.path.join(d, shard), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        for name in json.loads(f.read(n)):
            if name != "__metadata__":
                weight_map[name] = shard
with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
EOF
echo "not part of the checkpoint" >shards/README.txt
mkdir shards/sub
cp "$bf16" shards/sub/ignored.safetensors
"$EMZIP" compress -v -T 2 shards -o packed 2>"$work/err"
grep -q '^total: 3 files, ' "$work/err" || fail "directory total line: $(cat "$work/err")"
expected="model-00001-of-00002.safetensors.emz model-00002-of-00002.safetensors.emz"
expected+=" model.safetensors.index.json.emz "
[ "$(ls packed | sort | tr '\n' ' ')" = "$expected" ] || fail "packed holds: $(ls packed)"
"$EMZIP" info packed/model.safetensors.index.json.emz | grep '^type: *bytes$' >/dev/null ||
    fail "index.json not stored as a bytes frame"
"$EMZIP" test -q packed || fail "test of a directory"
"$EMZIP" decompress -q packed -o restored/nested
for f in shards/*.safetensors shards/*.json; do
    cmp -s "$f" "restored/nested/$(basename "$f")" || fail "directory round trip: $f"
done
[ ! -e restored/nested/README.txt ] && [ ! -e restored/nested/sub ] || fail "unselected files"
"$EMZIP" compress -q shards # in place
[ -f shards/model.safetensors.index.json.emz ] && [ ! -e shards/sub/ignored.safetensors.emz ] ||
    fail "in-place directory compression"
expect_status 1 "$EMZIP" compress -q shards # outputs exist now
stderr_has "already exists"
"$EMZIP" compress --json -f shards >dir.json
[ "$(wc -l <dir.json)" -eq 3 ] || fail "directory --json: one line per file"
json_ok dir.json
expect_status 2 "$EMZIP" compress -t bf16 shards
expect_status 1 "$EMZIP" compress no-such-file.safetensors
stderr_has "no-such-file.safetensors: No such file or directory"
mkdir empty
expect_status 1 "$EMZIP" compress empty
stderr_has "no *.safetensors files"

section "list and extract against the original header"
"$EMZIP" compress -q -f "$mxfp4" -o mx.emz
for pair in "s.emz:$bf16" "mx.emz:$mxfp4"; do
    emz=${pair%%:*}
    orig=${pair#*:}
    "$EMZIP" list "$emz" >list.txt
    "$EMZIP" list --json "$emz" >list.json
    json_ok list.json
    python3 - "$orig" list.json list.txt <<'EOF'
import json, struct, sys
orig, listed, text = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read()
with open(orig, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
header.pop("__metadata__", None)
tensors = {t["name"]: t for t in listed["tensors"]}
assert set(tensors) == set(header), "tensor names differ"
for name, h in header.items():
    t = tensors[name]
    begin, end = h["data_offsets"]
    assert t["dtype"] == h["dtype"], name
    assert t["shape"] == h["shape"], name
    assert t["offset"] == 8 + n + begin, name
    assert t["size"] == end - begin, name
    shape = "[" + ", ".join(str(d) for d in h["shape"]) + "]"
    line = [l for l in text.splitlines() if l.startswith(name + " ")]
    assert line and h["dtype"] in line[0] and shape in line[0], (name, line)
offsets = [t["offset"] for t in listed["tensors"]]
assert offsets == sorted(offsets), "tensors not in data order"
assert listed["total"]["tensors"] == len(header)
assert text.splitlines()[-1].startswith("total (%d tensors)" % len(header))
EOF
    ok
done
"$EMZIP" list s.emz | grep '^Conv2D_41/filter  *BF16  *\[1, 1, 16, 16\]  *512 ' >/dev/null ||
    fail "list line of Conv2D_41/filter"
ok
# extract: the bytes cut from the original by the header's offsets
for pair in "s.emz:$bf16" "mx.emz:$mxfp4"; do
    emz=${pair%%:*}
    orig=${pair#*:}
    python3 - "$orig" "$emz" <<'EOF' >extract.list
import json, struct, sys
orig, emz = sys.argv[1], sys.argv[2]
with open(orig, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
header.pop("__metadata__", None)
items = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"])
# the first, the largest, the last, and a few between (blocks and scales in the mxfp4 file)
largest = max(items, key=lambda kv: kv[1]["data_offsets"][1] - kv[1]["data_offsets"][0])
items = [items[0], largest, items[-1]] + items[1:7]
for i, (name, h) in enumerate(items):
    begin, end = h["data_offsets"]
    open("expect.%d" % i, "wb").write(data[begin:end])
    print("%d\t%s" % (i, name))
EOF
    while IFS=$'\t' read -r i name; do
        "$EMZIP" extract -q "$emz" "$name" -o "got.$i"
        cmp -s "got.$i" "expect.$i" || fail "extract $emz $name differs"
        rm -f "got.$i"
    done <extract.list
    ok
done
name=$(sed -n '1s/^[0-9]*\t//p' extract.list)
"$EMZIP" extract -q mx.emz "$name" | cmp -s - expect.0 || fail "extract to stdout"
expect_status 1 "$EMZIP" extract s.emz no.such.tensor -o x.bin
stderr_has "no tensor named \"no.such.tensor\""
stderr_has "emzip list s.emz"
[ ! -e x.bin ] || fail "extract of an unknown tensor left a file"
expect_status 2 "$EMZIP" extract s.emz
ok

section "info and --json"
"$EMZIP" info s.emz >info.txt
for field in 'kind: *safetensors checkpoint' 'original size: *217800 bytes' 'compressed size:' \
    'ratio:' 'segments:' 'chunks:' 'tensors: *76' 'BF16  *76 ' '(other)'; do
    grep -q "$field" info.txt || fail "info lacks '$field': $(cat info.txt)"
done
ok
"$EMZIP" info --json s.emz >j1
"$EMZIP" info --json raw.emz >j2
"$EMZIP" info --json --impl >j3
"$EMZIP" test --json s.emz >j4
"$EMZIP" compress --json -f "$bf16" -o j.emz >j5
"$EMZIP" decompress --json -f j.emz -o j.out >j6
"$EMZIP" list --json mx.emz >j7
"$EMZIP" info --json mx.emz >j9
"$EMZIP" info mx.emz | grep -q '^table set: *id [0-9a-f]\{16\}, [0-9]* bytes, [0-9]* tables (' ||
    fail "info of a container with a table set: $("$EMZIP" info mx.emz)"
json_ok j1 j2 j3 j4 j5 j6 j7 j9
expect_status 1 sh -c "'$EMZIP' test --json noise.bin >j8"
json_ok j8
python3 - j1 j2 j3 j4 j5 j6 j7 j8 dir.json <<'EOF'
import json, sys
for name in sys.argv[1:]:
    for line in open(name, encoding="utf-8"):
        d = json.loads(line)
        assert list(d)[:2] == ["format", "command"] and d["format"] == 1, (name, line)
EOF
python3 -m json.tool j1 >/dev/null && python3 -m json.tool j7 >/dev/null || fail "json.tool"
python3 - <<'EOF'
import json
i = json.load(open("j1"))
assert i["kind"] == "safetensors" and i["tensors"] == 76 and i["original_size"] == 217800
rows = i["dtypes"]
assert sum(r["original_size"] for r in rows) + i["other"]["original_size"] == i["original_size"]
assert sum(r["stored_size"] for r in rows) + i["other"]["stored_size"] == i["compressed_size"]
f = json.load(open("j2"))
assert f["kind"] == "frame" and f["type"] == "bf16" and f["chunk_size"] == 1048576
assert json.load(open("j4"))["ok"] is True
c = json.load(open("j5"))
assert c["kind"] == "safetensors" and c["original_size"] == 217800 and 0 < c["ratio"] < 1
assert json.load(open("j6"))["original_size"] == 217800
assert i["table_set"] is None or len(i["table_set"]["id"]) == 16
t = json.load(open("j9"))["table_set"]
assert t["size"] > 0 and t["tables"] == sum(t["tables_by_width"].values()), t
EOF
ok
expect_status 2 "$EMZIP" compress --json "$bf16" -o -
expect_status 2 sh -c "'$EMZIP' decompress --json - <s.emz"
# names that need escaping survive into valid JSON
python3 - <<'EOF'
import json, struct
names = ['quote"back\\slash', "tab\tnewline\n", "ctl\x01\x1f", "utf8 é 漢字", "plain"]
header, data, at = {}, b"", 0
for i, name in enumerate(names):
    blob = bytes(range(i, i + 64))
    header[name] = {"dtype": "U8", "shape": [64], "data_offsets": [at, at + 64]}
    data += blob
    at += 64
h = json.dumps(header, ensure_ascii=True).encode()
open("names.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + data)
open("name0.bin", "wb").write(bytes(range(64)))
EOF
"$EMZIP" compress -q names.safetensors
"$EMZIP" list --json names.safetensors.emz >names.json
json_ok names.json
python3 -c '
import json
got = [t["name"] for t in json.load(open("names.json"))["tensors"]]
want = ["quote\"back\\slash", "tab\tnewline\n", "ctl\x01\x1f", "utf8 é 漢字", "plain"]
assert got == want, got
'
[ "$("$EMZIP" list names.safetensors.emz | wc -l)" -eq 7 ] || fail "a name broke the list layout"
"$EMZIP" extract -q names.safetensors.emz 'quote"back\slash' | cmp -s - name0.bin ||
    fail "extract of a name with a quote and a backslash"
ok

section "malformed safetensors: refused, one line naming file and problem, nothing left"
python3 - <<'EOF'
import json, struct
def write(name, header_bytes, data=b"", length=None):
    n = len(header_bytes) if length is None else length
    open(name, "wb").write(struct.pack("<Q", n) + header_bytes + data)
def hdr(d):
    return json.dumps(d).encode()
write("beyond.safetensors", b'{"a": 1}', length=1000)
write("notjson.safetensors",
      b'{"a": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]} oops', b"\0" * 4)
write("notobject.safetensors", b'["a", "b"]')
write("overlap.safetensors", hdr({
    "first": {"dtype": "U8", "shape": [64], "data_offsets": [0, 64]},
    "second": {"dtype": "U8", "shape": [64], "data_offsets": [32, 96]}}), b"\0" * 96)
write("dtype.safetensors",
      hdr({"weird": {"dtype": "Q4", "shape": [4], "data_offsets": [0, 4]}}), b"\0" * 4)
write("shape.safetensors",
      hdr({"mismatch": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [0, 10]}}), b"\0" * 10)
EOF
check_malformed() { # FILE TEXT...: refused with exit 1, one line naming FILE and each TEXT
    local file=$1
    shift
    expect_status 1 "$EMZIP" compress "$file"
    stderr_has "emzip: $file: "
    for text in "$@"; do stderr_has "$text"; done
    one_line_error
    [ -z "$(ls | grep -F "$file." || true)" ] || fail "$file: output left behind: $(ls)"
    "$EMZIP" compress "$file" -o - >stdout.bin 2>/dev/null && fail "$file accepted to stdout"
    [ ! -s stdout.bin ] || fail "$file: bytes written to stdout"
    ok
}
check_malformed beyond.safetensors "header length 1000" "beyond the file"
check_malformed notjson.safetensors "not valid JSON"
check_malformed notobject.safetensors "not a JSON object"
check_malformed overlap.safetensors '"first"' '"second"' "overlap"
check_malformed dtype.safetensors '"weird"' 'unknown dtype "Q4"'
check_malformed shape.safetensors '"mismatch"' "[2, 3]" "data_offsets span 10"
mkdir badshards
cp overlap.safetensors "$bf16" badshards/
expect_status 1 "$EMZIP" compress -q badshards
stderr_has "badshards/overlap.safetensors"
stderr_has "1 of 2 files failed"
[ -f badshards/selfie.bf16.safetensors.emz ] && [ ! -e badshards/overlap.safetensors.emz ] ||
    fail "directory with a malformed shard: $(ls badshards)"
ok

section "deltas: --base (compress, decompress, test, extract, list, info; directories)"
delta_dir=$SAMPLE_DIR/delta-v4
base=$SAMPLE_DIR/age.bf16.safetensors
next=$delta_dir/age.bf16.next.safetensors
expect_status 0 "$EMZIP" compress -f -v --base "$base" -o d.emz "$next"
stderr_has "against the base: 22 of 23 tensors (5 unchanged); 1 stored alone"
expect_status 0 "$EMZIP" compress -f -q -o alone.emz "$next"
[ "$(stat -c %s d.emz)" -lt "$(stat -c %s alone.emz)" ] || fail "delta no smaller than alone"
ok
expect_status 0 "$EMZIP" decompress -f --base "$base" -o d.out d.emz
cmp -s d.out "$next" || fail "delta round trip"
ok
"$EMZIP" compress -f -q "$base" -o base.emz 2>"$work/err" || fail "compress base"
expect_status 0 "$EMZIP" decompress -f --base base.emz -o d2.out d.emz # a compressed base
cmp -s d2.out "$next" || fail "delta round trip against a compressed base"
ok
expect_status 0 "$EMZIP" compress -f -q --base base.emz -o d3.emz "$next"
cmp -s d3.emz d.emz || fail "delta against a compressed base differs"
ok
expect_status 1 "$EMZIP" decompress -f -o nobase.out d.emz
stderr_has "no base was given"
stderr_has "digest"
one_line_error
[ ! -e nobase.out ] || fail "a delta without its base left an output"
ok
expect_status 1 "$EMZIP" decompress -f --base "$SAMPLE_DIR/selfie.bf16.safetensors" -o wrong.out d.emz
stderr_has "holds other bytes"
[ ! -e wrong.out ] || fail "a delta with another base left an output"
ok
expect_status 2 "$EMZIP" compress -f -t bf16 --base "$base" -o raw.emz "$next"
stderr_has "does not apply to raw data"
expect_status 0 "$EMZIP" test --base "$base" d.emz
expect_status 1 "$EMZIP" test d.emz
expect_status 1 "$EMZIP" decompress -f --base no-such-base -o x.out d.emz
stderr_has "no-such-base"
expect_status 0 sh -c "cat base.emz | '$EMZIP' decompress -f --base - -o d4.out d.emz" # a pipe
cmp -s d4.out "$next" || fail "delta round trip against a compressed base from a pipe"
ok
expect_status 1 "$EMZIP" decompress -f --base d.emz -o d5.out d.emz
stderr_has "a delta itself"
rm -f d4.out d5.out
name=$("$EMZIP" list d.emz | awk '$NF == "delta" {print $1; exit}')
[ -n "$name" ] || fail "list shows no delta tensor: $("$EMZIP" list d.emz)"
ok
expect_status 0 "$EMZIP" extract --base "$base" -f -o t.bin d.emz "$name"
expect_status 1 "$EMZIP" extract -f -o t2.bin d.emz "$name"
"$EMZIP" list --json d.emz >dl.json && json_ok dl.json
grep -q '"base":"unchanged","base_digest":"' dl.json || fail "list --json lacks the base"
ok
"$EMZIP" info d.emz | grep -q '^delta: .*17 tensors as differences, 5 unchanged, 1 alone' ||
    fail "info: $("$EMZIP" info d.emz)"
ok
"$EMZIP" info --json d.emz >di.json && json_ok di.json
grep -q '"delta":true,"tensors_need_base":false,"base_tensors":{"delta":17,"unchanged":5,"alone":1}' di.json ||
    fail "info --json: $(cat di.json)"
ok
"$EMZIP" compress --json -f --base "$base" -o d.emz "$next" >dc.json && json_ok dc.json
grep -q '"delta":{"tensors":23,"delta":17,"unchanged":5,"alone":1}' dc.json ||
    fail "compress --json: $(cat dc.json)"
ok
# a checkpoint against itself: its header is its base's too, so its tensors list with the base
expect_status 0 "$EMZIP" compress -f -q --base "$base" -o same.emz "$base"
[ "$(stat -c %s same.emz)" -lt 800 ] || fail "an unchanged checkpoint: $(stat -c %s same.emz) bytes"
ok
expect_status 1 "$EMZIP" list same.emz
stderr_has "give --base BASE to list its tensors"
expect_status 0 "$EMZIP" list --base "$base" same.emz
"$EMZIP" info same.emz | grep -q 'give --base to count its tensors' || fail "info without base"
ok
"$EMZIP" info --base "$base" same.emz | grep -q '0 tensors as differences, 23 unchanged, 0 alone' ||
    fail "info --base: $("$EMZIP" info --base "$base" same.emz)"
ok
expect_status 0 "$EMZIP" decompress -f --base "$base" -o same.out same.emz
cmp -s same.out "$base" || fail "unchanged checkpoint round trip"
ok
rm -f same.emz same.out
# directories: each shard's base is the file of its name in the base directory (or its .emz)
mkdir -p dnew dbase
cp "$next" dnew/age.bf16.safetensors
cp "$delta_dir/age.e4m3.next.safetensors" dnew/age.e4m3.safetensors
cp "$base" dbase/
cp base.emz dbase/age.e4m3.safetensors.emz # another checkpoint as e4m3's base: all alone ...
expect_status 0 "$EMZIP" compress -v -f --base dbase -o dout dnew
stderr_has "age.e4m3.safetensors: against the base: 0 of 23 tensors (0 unchanged); 23 stored alone"
"$EMZIP" compress -q -f "$SAMPLE_DIR/age.e4m3.safetensors" -o dbase/age.e4m3.safetensors.emz
expect_status 0 "$EMZIP" compress -q -f --base dbase -o dout dnew # ... then its own base
rm dbase/age.bf16.safetensors
expect_status 1 "$EMZIP" decompress -q -f --base dbase -o dback dout # a shard's base missing
stderr_has "no base for"
cp "$base" dbase/
expect_status 0 "$EMZIP" decompress -q -f --base dbase -o dback dout
for f in age.bf16.safetensors age.e4m3.safetensors; do
    cmp -s "dback/$f" "dnew/$f" || fail "directory delta round trip: $f"
done
ok
rm -rf dnew dbase dout dback d.emz d2.out d3.emz d.out alone.emz base.emz t.bin dl.json di.json dc.json

section "hostile tensor names are printed escaped: summaries, list, errors"
# A name with ESC, BEL and a newline: printed raw it would drive the terminal or forge lines.
python3 - <<'EOF'
import json, random, struct
rng = random.Random(5)
data = b"".join(struct.pack("<f", rng.gauss(0, 0.05)) for _ in range(8192))
h = json.dumps({"ev\x1b[31mil\x07\nfake line": {"dtype": "F32", "shape": [8192],
                                               "data_offsets": [0, len(data)]}}).encode()
open("evil.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + data)
EOF
evil=$(printf 'ev\033[31mil\007\nfake line')
no_controls() { # no_controls FILE...: no control character but the newlines ending lines
    for f in "$@"; do
        if tr -d '\n' <"$f" | LC_ALL=C grep -q '[[:cntrl:]]'; then
            fail "control characters printed in $f: $(od -c "$f" | head -5)"
        fi
    done
    ok
}
"$EMZIP" compress -v -f evil.safetensors -o evil.emz 2>"$work/err"
no_controls "$work/err"
"$EMZIP" list evil.emz >evil.list
no_controls evil.list
grep -qF 'ev\x1b[31mil\x07\x0afake line' evil.list || fail "list: $(cat evil.list)"
ok
"$EMZIP" extract -v -f evil.emz "$evil" -o evil.bin 2>"$work/err"
no_controls "$work/err"
stderr_has 'tensor "ev\x1b[31mil\x07\x0afake line"'
expect_status 1 "$EMZIP" extract evil.emz "$(printf 'no\033]0;title\007')"
no_controls "$work/err"
stderr_has 'no\x1b]0;title\x07'
one_line_error
cp evil.emz evil-bad.emz
python3 - evil-bad.emz <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x5A  # inside the tensor's payload
open(sys.argv[1], "wb").write(b)
EOF
expect_status 1 "$EMZIP" test evil-bad.emz
no_controls "$work/err"
stderr_has 'ev\x1b[31mil\x07\x0afake line'
one_line_error
expect_status 1 "$EMZIP" decompress evil-bad.emz -o "$(printf 'out\033[2J.st')"
no_controls "$work/err"
[ -z "$(ls | grep '^out' || true)" ] || fail "output left behind"

section "an output name of the longest length a file name may have"
long=$(printf 'n%.0s' $(seq 1 251)).emz # 255 bytes: the temporary name must still fit
"$EMZIP" compress -q -f evil.safetensors -o "$long"
"$EMZIP" decompress -q -f "$long" -o long.out
cmp long.out evil.safetensors || fail "long output name: round trip"
[ -z "$(ls | grep '\.emzip-' || true)" ] || fail "temporary file left: $(ls | grep '\.emzip-')"
rm -f "$long" long.out
ok

section "outputs that are not regular files: a FIFO streams or is refused at once; block devices need -f"
mkfifo out.fifo
start=$SECONDS
expect_status 1 timeout 20 "$EMZIP" compress -t bytes evil.safetensors -o out.fifo
stderr_has "out.fifo: is a FIFO that no process is reading"
[ $((SECONDS - start)) -lt 10 ] || fail "a FIFO without a reader was not refused at once"
cat out.fifo >fifo.emz &
reader=$!
sleep 0.2
timeout 20 "$EMZIP" compress -q -t bytes evil.safetensors -o out.fifo || fail "writing into a FIFO"
wait "$reader"
"$EMZIP" decompress -q -c fifo.emz | cmp -s - evil.safetensors || fail "the FIFO's stream"
rm -f out.fifo fifo.emz
if [ "$(id -u)" = 0 ] && mknod out.blk b 7 250 2>/dev/null; then
    expect_status 1 "$EMZIP" compress -t bytes evil.safetensors -o out.blk
    stderr_has "out.blk: is a block device: writing would overwrite it (use -f)"
    rm -f out.blk
else
    echo "(no block device node could be made here: that check is skipped)"
fi
ok

section "temporaries: named OUT.emzip-PID-XXXXXX; those of killed runs go with the next run"
sh -c 'exit 0' &
dead=$!
wait "$dead"
kill -0 "$dead" 2>/dev/null && fail "process $dead still runs"
printf 'partial' >"stale.emz.emzip-$dead-AbC123" # what a run killed before its cleanup leaves
printf 'live' >"stale.emz.emzip-$$-XyZ789"      # a running process's: must stay
printf 'other' >"other.emz.emzip-$dead-AbC123"  # another output's: not this run's business
"$EMZIP" compress -q evil.safetensors -o stale.emz
[ ! -e "stale.emz.emzip-$dead-AbC123" ] || fail "the stale temporary of a dead run was kept"
[ -e "stale.emz.emzip-$$-XyZ789" ] || fail "the temporary of a running process was removed"
[ -e "other.emz.emzip-$dead-AbC123" ] || fail "another output's temporary was removed"
"$EMZIP" test -q stale.emz || fail "stale.emz"
# --no-fsync is accepted by every command that writes files; the output is the same
"$EMZIP" compress -q --no-fsync evil.safetensors -o nosync.emz
cmp -s nosync.emz stale.emz || fail "--no-fsync changed the output"
"$EMZIP" decompress -q --no-fsync nosync.emz -o nosync.out && cmp -s nosync.out evil.safetensors ||
    fail "decompress --no-fsync"
rm -f stale.emz* other.emz* nosync.emz nosync.out
ok

section "corrupted container: test, decompress and extract name the tensor"
"$EMZIP" compress -q -f "$big" -o big.emz
cp big.emz bad.emz
chmod u+w bad.emz # the corpus may be read-only, and outputs keep their input's mode
python3 - bad.emz <<'EOF'
import os, sys
with open(sys.argv[1], "r+b") as f:
    size = os.fstat(f.fileno()).st_size
    f.seek(size // 2)
    b = f.read(1)
    f.seek(size // 2)
    f.write(bytes([b[0] ^ 0x5A]))
EOF
expect_status 1 "$EMZIP" test bad.emz
stderr_has "emzip: bad.emz: "
stderr_has 'tensor "'
one_line_error
bad_tensor=$(sed -n 's/.*tensor "\([^"]*\)".*/\1/p' "$work/err")
[ -n "$bad_tensor" ] || fail "no tensor named in: $(cat "$work/err")"
expect_status 1 "$EMZIP" decompress bad.emz -o bad.out
stderr_has "tensor \"$bad_tensor\""
[ ! -e bad.out ] && [ -z "$(ls | grep '^bad\.out\.emzip-' || true)" ] || fail "decompress left output"
expect_status 1 "$EMZIP" extract bad.emz "$bad_tensor" -o t.bin
stderr_has "tensor \"$bad_tensor\""
[ ! -e t.bin ] || fail "failed extract left a file"
# extract reads only its tensor's chunks: every other tensor still comes out of the bad file
"$EMZIP" list --json big.emz >big.json
python3 - big.json "$bad_tensor" <<'EOF' >others.list
import json, sys
tensors = json.load(open(sys.argv[1]))["tensors"]
others = [t for t in tensors if t["name"] != sys.argv[2] and t["stored_size"] > 0]
for t in sorted(others, key=lambda t: -t["size"])[:3]:
    print(t["name"])
EOF
while read -r name; do
    "$EMZIP" extract -q -f bad.emz "$name" -o from_bad.bin
    "$EMZIP" extract -q -f big.emz "$name" -o from_good.bin
    cmp -s from_bad.bin from_good.bin || fail "extract $name from the damaged file"
done <others.list
ok
head -c $(($(stat -c %s big.emz) - 100)) big.emz >short.emz
expect_status 1 "$EMZIP" test short.emz
one_line_error
expect_status 1 "$EMZIP" info noise.bin
stderr_has "noise.bin: "

section "usage errors"
expect_status 2 "$EMZIP" frobnicate s.emz
stderr_has "'frobnicate' is neither a command nor a file"
[ ! -e s.emz.emz ] || fail "a mistyped command compressed the file after it"
expect_status 2 "$EMZIP" compress
expect_status 2 "$EMZIP" compress --bogus "$bf16"
expect_status 2 "$EMZIP" compress --chunk-size 3K "$bf16"
stderr_has "invalid chunk size '3K'"
expect_status 2 "$EMZIP" list a b
expect_status 2 "$EMZIP" extract s.emz a b
expect_status 2 "$EMZIP" decompress noise.bin
stderr_has "name does not end in .emz"
expect_status 2 "$EMZIP" help frobnicate

section "file metadata: outputs keep their input's mode, times and owner"
# meta_of FILE: what must carry over: the mode in octal and the mtime to the nanosecond (the
# atime too, but reading the input may change its own, so that is checked against a value)
meta_of() { stat -c '%a %y' "$1"; }
same_meta() { # same_meta FROM TO
    [ "$(meta_of "$1")" = "$(meta_of "$2")" ] ||
        fail "$2 does not keep the metadata of $1: $(meta_of "$1") / $(meta_of "$2")"
}
atime_is() { # atime_is FILE TIME
    [ "$(stat -c %x "$1")" = "$2" ] || fail "$1: atime $(stat -c %x "$1"), not $2"
}
cp "$bf16" private.safetensors
chmod 600 private.safetensors
touch -a -d '2020-03-04 05:06:07.111111111' private.safetensors
touch -m -d '2021-02-03 04:05:06.123456789' private.safetensors
atime=$(stat -c %x private.safetensors) # as the input had it before it was read
"$EMZIP" compress -q private.safetensors
same_meta private.safetensors private.safetensors.emz
atime_is private.safetensors.emz "$atime"
[ "$(stat -c %a private.safetensors.emz)" = 600 ] || fail "a mode-600 input gave a wider output"
"$EMZIP" decompress -q private.safetensors.emz -o private.out
same_meta private.safetensors private.out
atime_is private.out "$atime"
cmp -s private.safetensors private.out || fail "private round trip"
"$EMZIP" compress -q -t bf16 private.safetensors -o private.raw.emz
same_meta private.safetensors private.raw.emz
ok
# not masked by the umask, as gzip and zstd do; without an input file, 0666 less the umask
(
    umask 077
    cp "$bf16" open.safetensors
    chmod 644 open.safetensors
    "$EMZIP" compress -q open.safetensors
    "$EMZIP" compress -q -o from-stdin.emz - <open.safetensors
    umask 027
    "$EMZIP" compress -q -o from-pipe.emz - < <(cat open.safetensors)
)
[ "$(stat -c %a open.safetensors.emz)" = 644 ] || fail "umask applied to a kept mode"
[ "$(stat -c %a from-stdin.emz)" = 600 ] || fail "stdin output mode: not 0666 less umask 077"
[ "$(stat -c %a from-pipe.emz)" = 640 ] || fail "pipe output mode: not 0666 less umask 027"
ok
# extract: the checkpoint's mode (a private checkpoint's tensor is private), its own times
"$EMZIP" extract -q private.safetensors.emz Conv2D_41/filter -o private.tensor
[ "$(stat -c %a private.tensor)" = 600 ] || fail "extract output mode"
[ "$(stat -c %Y private.tensor)" != "$(stat -c %Y private.safetensors)" ] ||
    fail "extract output took the checkpoint's mtime"
ok
# every file of a sharded directory, both ways
mkdir meta-shards
cp "$CORPUS/age.bf16.safetensors" meta-shards/a.safetensors
cp "$bf16" meta-shards/b.safetensors
echo '{"weight_map": {}}' >meta-shards/model.safetensors.index.json
chmod 600 meta-shards/a.safetensors
chmod 640 meta-shards/b.safetensors
chmod 604 meta-shards/model.safetensors.index.json
touch -d '2019-01-01 00:00:00.5' meta-shards/a.safetensors
touch -d '2018-06-30 12:00:00.25' meta-shards/b.safetensors
"$EMZIP" compress -q meta-shards -o meta-packed
"$EMZIP" decompress -q meta-packed -o meta-restored
for f in a.safetensors b.safetensors model.safetensors.index.json; do
    same_meta "meta-shards/$f" "meta-packed/$f.emz"
    same_meta "meta-shards/$f" "meta-restored/$f"
    cmp -s "meta-shards/$f" "meta-restored/$f" || fail "directory round trip of $f"
done
ok
if [ "$(id -u)" -eq 0 ]; then
    # root gives the owner and group too, and the set-ID bits with them
    cp "$bf16" owned.safetensors
    chown 12345:23456 owned.safetensors
    chmod 6750 owned.safetensors
    "$EMZIP" compress -q owned.safetensors
    "$EMZIP" decompress -q owned.safetensors.emz -o owned.out
    for f in owned.safetensors.emz owned.out; do
        [ "$(stat -c '%u:%g %a' "$f")" = "12345:23456 6750" ] ||
            fail "$f: owner or set-ID bits not kept: $(stat -c '%u:%g %a' "$f")"
    done
    ok
    # a user who cannot give the owner or group drops the set-ID bits with them
    as_user=(setpriv --reuid=12345 --regid=12345 --clear-groups)
    if command -v setpriv >/dev/null 2>&1 && "${as_user[@]}" "$EMZIP" --version >/dev/null 2>&1
    then
        shared=$(mktemp -d "${TMPDIR:-/tmp}/emzip-cli-setid.XXXXXX")
        chmod 777 "$shared"
        cp "$bf16" "$shared/setid.safetensors"
        chmod 6755 "$shared/setid.safetensors" # root's, with both set-ID bits
        "${as_user[@]}" "$EMZIP" compress -q "$shared/setid.safetensors" || fail "compress as uid 12345"
        got=$(stat -c '%u:%g %a' "$shared/setid.safetensors.emz")
        rm -rf "$shared"
        [ "$got" = "12345:12345 755" ] || fail "set-ID bits kept without the owner: $got"
        ok
    else
        echo "setpriv missing, or uid 12345 cannot run $EMZIP: the set-ID drop is not checked"
    fi
else
    echo "not root: giving the owner is not checked"
fi

section "-k and --rm: the input goes once its output is complete, never on failure or to stdout"
cp "$bf16" rm.safetensors
touch -d '2022-02-22 22:22:22.222222222' rm.safetensors
before=$(stat -c '%a %y' rm.safetensors)
"$EMZIP" compress -q -k rm.safetensors
[ -f rm.safetensors ] || fail "-k removed the input"
"$EMZIP" compress -q -f --rm rm.safetensors
[ ! -e rm.safetensors ] && [ -f rm.safetensors.emz ] || fail "--rm kept the input: $(ls rm*)"
"$EMZIP" decompress -q --rm rm.safetensors.emz
[ -f rm.safetensors ] && [ ! -e rm.safetensors.emz ] || fail "decompress --rm: $(ls rm*)"
[ "$(stat -c '%a %y' rm.safetensors)" = "$before" ] && cmp -s rm.safetensors "$bf16" ||
    fail "--rm round trip"
expect_status 1 "$EMZIP" compress --rm noise.bin
[ -f noise.bin ] || fail "--rm removed an input that failed"
"$EMZIP" compress -q --rm rm.safetensors -o - >/dev/null
"$EMZIP" compress -q --rm -f rm.safetensors -o /dev/null
[ -f rm.safetensors ] || fail "--rm removed an input written to stdout or /dev/null"
"$EMZIP" compress -q rm.safetensors
expect_status 1 "$EMZIP" compress --rm rm.safetensors
stderr_has "rm.safetensors.emz: already exists"
[ -f rm.safetensors ] || fail "--rm removed an input whose output was refused"
# a directory: each file once its own output is done
mkdir rm-shards
cp "$bf16" "$mxfp4" rm-shards/
"$EMZIP" compress -q --rm rm-shards
[ "$(ls rm-shards | tr '\n' ' ')" = "selfie.bf16.safetensors.emz selfie.mxfp4.safetensors.emz " ] ||
    fail "compress --rm of a directory: $(ls rm-shards)"
"$EMZIP" decompress -q --rm rm-shards
[ "$(ls rm-shards | tr '\n' ' ')" = "selfie.bf16.safetensors selfie.mxfp4.safetensors " ] ||
    fail "decompress --rm of a directory: $(ls rm-shards)"
cmp -s rm-shards/selfie.mxfp4.safetensors "$mxfp4" || fail "directory --rm round trip"
ok

section "zstd-style command line: no command, -d, -c, several files, -v"
cp "$bf16" z.safetensors
"$EMZIP" -c z.safetensors | "$EMZIP" -dc >z.out
cmp -s z.safetensors z.out || fail "emzip -c FILE | emzip -dc"
"$EMZIP" -c z.safetensors | cmp -s - s.emz || fail "emzip -c differs from emzip compress"
"$EMZIP" --stdout z.safetensors | "$EMZIP" --decompress --stdout | cmp -s - z.safetensors ||
    fail "--stdout | --decompress --stdout"
"$EMZIP" <z.safetensors | "$EMZIP" -d | cmp -s - z.safetensors || fail "stdin to stdout"
"$EMZIP" -z z.safetensors && "$EMZIP" -d -f z.safetensors.emz
cmp -s z.safetensors.emz s.emz || fail "emzip -z FILE differs from emzip compress"
"$EMZIP" --compress -f z.safetensors && "$EMZIP" --uncompress -f z.safetensors.emz
"$EMZIP" --test z.safetensors.emz >test.txt
[ "$(cat test.txt)" = "z.safetensors.emz: OK" ] || fail "--test: $(cat test.txt)"
"$EMZIP" --test <z.safetensors.emz >test.txt
[ "$(cat test.txt)" = "(stdin): OK" ] || fail "--test of stdin: $(cat test.txt)"
ok
# several files: each to its own output, the inputs kept (-k is the default)
rm -f z.safetensors.emz
cp "$bf16" a.safetensors
cp "$mxfp4" b.safetensors
cp "$CORPUS/age.bf16.safetensors" c.safetensors
"$EMZIP" a.safetensors b.safetensors c.safetensors 2>"$work/err"
[ ! -s "$work/err" ] || fail "several files printed on a file: $(cat "$work/err")"
for f in a b c; do
    [ -f $f.safetensors ] && [ -f $f.safetensors.emz ] || fail "emzip a b c: $(ls)"
    mv $f.safetensors $f.orig
done
"$EMZIP" -d -k -v a.safetensors.emz b.safetensors.emz c.safetensors.emz 2>"$work/err"
[ "$(grep -c ' bytes, ' "$work/err")" -eq 4 ] && grep -q '^total: 3 files, ' "$work/err" ||
    fail "-v on several files: $(cat "$work/err")"
for f in a b c; do cmp -s $f.orig $f.safetensors || fail "several files: $f round trip"; done
"$EMZIP" test a.safetensors.emz b.safetensors.emz >test.txt
[ "$(wc -l <test.txt)" -eq 2 ] || fail "test of two files: $(cat test.txt)"
"$EMZIP" -dc a.safetensors.emz b.safetensors.emz | cmp -s - <(cat a.orig b.orig) ||
    fail "emzip -dc A B is not A then B"
ok
# a failing file among several: reported, the others done, exit status 1
rm -f a.safetensors.emz c.safetensors.emz noise.bin.emz
expect_status 1 "$EMZIP" a.safetensors missing.safetensors noise.bin c.safetensors
stderr_has "emzip: missing.safetensors: No such file or directory"
stderr_has "emzip: noise.bin: not a safetensors file"
[ "$(wc -l <"$work/err")" -eq 2 ] || fail "one line per failure: $(cat "$work/err")"
[ -f a.safetensors.emz ] && [ -f c.safetensors.emz ] && [ ! -e noise.bin.emz ] ||
    fail "the files around the failures: $(ls)"
expect_status 2 "$EMZIP" -d -f a.safetensors.emz noise.bin
stderr_has "name does not end in .emz"
cmp -s a.safetensors a.orig || fail "the file before a usage error among several"
ok
# -o with several files: a directory, created if missing; an existing one for a single file
"$EMZIP" -q a.safetensors c.safetensors -o several/out
[ -f several/out/a.safetensors.emz ] && [ -f several/out/c.safetensors.emz ] ||
    fail "-o DIR with several files: $(ls -R several)"
"$EMZIP" -q b.safetensors -o several/out
[ -f several/out/b.safetensors.emz ] || fail "-o EXISTING_DIR with one file"
"$EMZIP" -d -q several/out/a.safetensors.emz several/out/b.safetensors.emz -o several/back
cmp -s several/back/a.safetensors a.orig && cmp -s several/back/b.safetensors b.orig ||
    fail "-d -o DIR with several files"
ok
# --rm with several files: a refused output keeps its input, the others go
cp rm.safetensors rm2.safetensors
expect_status 1 "$EMZIP" --rm rm.safetensors rm2.safetensors # rm.safetensors.emz exists
stderr_has "rm.safetensors.emz: already exists"
[ -f rm.safetensors ] && [ ! -e rm2.safetensors ] && [ -f rm2.safetensors.emz ] ||
    fail "--rm with one refused output: $(ls rm*)"
ok
# usage errors of this grammar, and the old -c CHUNK
expect_status 2 "$EMZIP" -c a.safetensors c.safetensors
stderr_has "cannot decode compressed files put end to end"
expect_status 2 "$EMZIP" -c shards
expect_status 2 "$EMZIP" -z -d a.safetensors
stderr_has "conflicting operations"
expect_status 2 "$EMZIP" -d -t bf16 a.safetensors.emz
stderr_has "option -t/--type does not apply to decompression"
expect_status 2 "$EMZIP" --test -o x a.safetensors.emz
expect_status 2 "$EMZIP" -c -o x.emz a.safetensors
expect_status 2 "$EMZIP" - - <a.safetensors
stderr_has "more than once"
expect_status 2 "$EMZIP" --json <a.safetensors
stderr_has "--json prints to standard output"
expect_status 2 "$EMZIP" compress -c 64K a.safetensors
stderr_has "-c now means --stdout"
stderr_has "--chunk-size 64K"
expect_status 2 "$EMZIP" compress -c64K a.safetensors
stderr_has "--chunk-size"
expect_status 2 "$EMZIP" -q decompress a.safetensors.emz
stderr_has "'decompress' is a command: it must come first"
# the old spellings that still work: the commands, --chunk-size, -o
"$EMZIP" compress -q -t bf16 --chunk-size 64K -f a.orig -o chunked.emz
"$EMZIP" info --json chunked.emz >chunked.json
python3 -c 'import json; assert json.load(open("chunked.json"))["chunk_size"] == 65536'
"$EMZIP" decompress -q -f chunked.emz -o chunked.out && cmp -s chunked.out a.orig ||
    fail "old spellings round trip"
"$EMZIP" --chunk-size 64K -t bf16 -c a.orig | cmp -s - chunked.emz || fail "--chunk-size bare"
ok

section "train: table files from K/V caches (safetensors, vLLM's paged layout) and raw samples"
# numpy writes the caches: the python3 that has it (Debian's python3-numpy is /usr/bin's)
numpy_python=
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import numpy' 2>/dev/null; then
        numpy_python=$candidate
        break
    fi
done
[ -n "$numpy_python" ] || fail "no python3 with numpy (python3-numpy) to write K/V caches"
"$numpy_python" - <<'EOF'
import json, struct
import numpy as np

rng = np.random.default_rng(14)

def write(path, tensors, metadata=True):
    header, blobs, at = {}, [], 0
    if metadata:
        header["__metadata__"] = {"made_by": "test_cli.sh"}
    for name, (dtype, array) in tensors.items():
        blob = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [at, at + len(blob)]}
        blobs.append(blob)
        at += len(blob)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

def kv(scale, blocks=3, heads=2, head_dim=16):  # (2, blocks, block_size, heads, head_dim)
    x = rng.normal(0, scale, (2, blocks, 16, heads, head_dim)).astype(np.float32)
    return "BF16", (x.view(np.uint32) >> 16).astype(np.uint16)

layers = (0, 1, 2, 10)
for sample in ("kv1", "kv2"):
    write(sample + ".safetensors",
          {"model.layers.%d.kv_cache" % i: kv(0.5 + i) for i in layers})
# natural order: l2 before l10 (lexically l10 comes first); lex.safetensors has the same data
# under names whose lexical order is the natural one, so both train the same sets
a, b = kv(1.0), kv(0.001)
write("natural.safetensors", {"l10": b, "l2": a}, metadata=False)
write("lexical.safetensors", {"a": a, "b": b}, metadata=False)
write("renamed.safetensors", {"l2": a, "l3": b})
write("f32.safetensors",
      {"l2": ("F32", rng.normal(0, 1, (2, 3, 16, 2, 16)).astype(np.float32)), "l10": b})
write("heads.safetensors", {"l2": a, "l10": kv(1.0, heads=4, head_dim=8)})
write("flat.safetensors", {"l2": ("BF16", a[1][0]), "l10": b})  # no K/V axis
x = rng.normal(0, 1, (2, 3, 16, 2, 16)).astype(np.float32)
e4m3 = np.clip(np.round(np.log2(np.abs(x) + 1e-3)) + 7, 0, 14).astype(np.uint8) << 3
write("kv_e4m3.safetensors", {"l0": ("F8_E4M3", e4m3), "l1": ("F8_E4M3", e4m3 ^ 0x80)})
a[1].tofile("raw.bf16")
EOF
"$EMZIP" train -t bf16 --layout kv:2:16 kv1.safetensors kv2.safetensors -o model.emzt 2>"$work/err"
[ -s model.emzt ] && [ ! -s "$work/err" ] || fail "train: $(cat "$work/err")"
[ -z "$(ls | grep '\.emzip-' || true)" ] || fail "train left a temporary file"
"$EMZIP" info model.emzt >info.txt
for field in '^kind: *table file$' '^type: *bf16$' '^layout: *kv:2:16 ' '^block size: *32768 bytes$' \
    '^groups: *8$' '^file id: *[0-9a-f]\{16\}$' '^size: *[0-9]* bytes$' \
    '^tables: *[0-9][0-9]*$' '^  7  *[0-9a-f]\{16\} [0-9a-f]\{8\} *[1-9][0-9]* *none *\(none\|32 channels\)$'; do
    grep -q "$field" info.txt || fail "info of a table file lacks '$field': $(cat info.txt)"
done
ok
"$EMZIP" info --json model.emzt >tables.json
json_ok tables.json
python3 - tables.json model.emzt <<'EOF'
import json, os, sys
t = json.load(open(sys.argv[1]))
assert list(t)[:2] == ["format", "command"] and t["kind"] == "tables", t
assert (t["type"], t["heads"], t["head_dim"], t["block_size"]) == ("bf16", 2, 16, 32768), t
assert t["size"] == os.path.getsize(sys.argv[2]) and len(t["id"]) == 16, t
assert t["groups"] == 8 and [s["group"] for s in t["sets"]] == list(range(8)), t
assert t["tables"] == sum(s["tables"] for s in t["sets"]) and all(s["tables"] > 0 for s in t["sets"]), t
ids = [s["id"] for s in t["sets"]]
assert len(set(ids)) == 8 and all(s["tag"] == s["id"][8:] for s in t["sets"]), t
assert all(s["shift_channels"] in (0, 32) for s in t["sets"]), t
assert all(s["clusters"] == 0 for s in t["sets"]), t  # clusters are for FP8 only
EOF
ok
# the layout comes from the tensors without --layout; -v prints a summary; -f replaces
"$EMZIP" train -v -t bf16 kv1.safetensors kv2.safetensors -o same.emzt 2>"$work/err"
cmp -s same.emzt model.emzt || fail "train without --layout differs from --layout kv:2:16"
stderr_has "same.emzt: 8 groups from 2 sample files ("
"$EMZIP" train -t bf16 --block-size 8K kv1.safetensors -o same.emzt 2>"$work/err" &&
    fail "train replaced an existing output without -f"
stderr_has "same.emzt: already exists (use -f to overwrite)"
one_line_error
cmp -s same.emzt model.emzt || fail "a refused output was changed"
"$EMZIP" train -f -q -t bf16 --block-size 8K --no-fsync kv1.safetensors -o same.emzt
"$EMZIP" info same.emzt | grep -q '^block size: *8192 bytes$' || fail "--block-size 8K"
"$EMZIP" train -t bf16 natural.safetensors -o natural.emzt
"$EMZIP" train -t bf16 lexical.safetensors -o lexical.emzt
[ "$("$EMZIP" info natural.emzt | grep '^  [0-9]')" = "$("$EMZIP" info lexical.emzt | grep '^  [0-9]')" ] ||
    fail "tensors not in natural order (l2 before l10)"
"$EMZIP" train -t e4m3 kv_e4m3.safetensors -o e4m3.emzt
"$EMZIP" info e4m3.emzt | grep -q '^type: *e4m3$' || fail "train -t e4m3"
"$EMZIP" train -t bf16 --groups 3 --layout kv:2:16 raw.bf16 -o raw.emzt
"$EMZIP" info raw.emzt >info.txt
grep -q '^groups: *3$' info.txt && grep -q '^layout: *kv:2:16 ' info.txt || fail "raw: $(cat info.txt)"
"$EMZIP" train -t bf16 - <raw.bf16 -o - | "$EMZIP" info - | grep -q '^groups: *1$' ||
    fail "raw from stdin to stdout"
ok
# errors: exit 1, one line naming the file and the problem, nothing written
train_fails() { # train_fails TEXT... -- ARGS...: train ARGS -o bad.emzt fails saying each TEXT
    local texts=()
    while [ "$1" != "--" ]; do texts+=("$1"); shift; done
    shift
    expect_status 1 "$EMZIP" train "$@" -o bad.emzt
    for text in "${texts[@]}"; do stderr_has "$text"; done
    one_line_error
    [ ! -e bad.emzt ] && [ -z "$(ls | grep '\.emzip-' || true)" ] || fail "train $* left a file"
}
train_fails 'kv1.safetensors: tensor "model.layers.0.kv_cache" has heads x head_dim 2 x 16' \
    'not 4 x 8 (--layout kv:4:8)' -- -t bf16 --layout kv:4:8 kv1.safetensors
train_fails 'heads.safetensors: tensor "l10" has heads x head_dim 4 x 8, not 2 x 16' \
    '(as tensor "l2" of heads.safetensors)' -- -t bf16 heads.safetensors
train_fails 'f32.safetensors: tensor "l2" is F32, not bf16 (-t)' -- -t bf16 f32.safetensors
train_fails 'kv1.safetensors: tensor "model.layers.0.kv_cache" is BF16, not fp16' -- \
    -t fp16 kv1.safetensors
train_fails 'flat.safetensors: tensor "l2" has shape [3, 16, 2, 16], not a paged K/V cache' -- \
    -t bf16 flat.safetensors
train_fails 'renamed.safetensors: tensor "l3" is not in natural.safetensors' -- \
    -t bf16 natural.safetensors renamed.safetensors
train_fails 'natural.safetensors: has no tensor "l3" (renamed.safetensors has)' -- \
    -t bf16 renamed.safetensors natural.safetensors
train_fails 'missing.safetensors: No such file or directory' -- -t bf16 kv1.safetensors \
    missing.safetensors
mkdir -p sample-dir
train_fails 'sample-dir: Is a directory' -- -t bf16 sample-dir
if [ "$(id -u)" != 0 ]; then # root reads any file
    cp kv1.safetensors locked.safetensors
    chmod 000 locked.safetensors
    train_fails 'locked.safetensors: Permission denied' -- -t bf16 locked.safetensors
fi
train_fails 'noise.bin: 1000 bytes of bf16 cannot be cut into 600 groups' -- \
    -t bf16 --groups 600 noise.bin
train_fails 'kv1.safetensors: a safetensors file: its groups are' -- -t bf16 --groups 2 \
    kv1.safetensors
train_fails 'raw.bf16: raw data, but kv1.safetensors is a safetensors file' -- -t bf16 \
    kv1.safetensors raw.bf16
train_fails 'beyond.safetensors: ' -- -t bf16 beyond.safetensors
ok
cp kv1.safetensors kv1.copy
expect_status 1 "$EMZIP" train -t bf16 -f kv2.safetensors kv1.safetensors -o kv1.safetensors
stderr_has "kv1.safetensors: is the same file as the sample kv1.safetensors"
cmp -s kv1.safetensors kv1.copy || fail "train -f replaced one of its samples"
expect_status 2 "$EMZIP" train kv1.safetensors -o bad.emzt
stderr_has "missing -t TYPE"
expect_status 2 "$EMZIP" train -t bf16 kv1.safetensors
stderr_has "missing -o OUT"
expect_status 2 "$EMZIP" train -t bf16 -o bad.emzt
expect_status 2 "$EMZIP" train -t bf16 --layout 2:16 kv1.safetensors -o bad.emzt
stderr_has "invalid layout '2:16'"
expect_status 2 "$EMZIP" train -t bf16 --block-size 8 kv1.safetensors -o bad.emzt
expect_status 2 "$EMZIP" train -t bf16 --groups 0 raw.bf16 -o bad.emzt
[ ! -e bad.emzt ] || fail "a usage error wrote a file"
# a table file is no compressed file; damaged, info refuses it
expect_status 1 "$EMZIP" test model.emzt
stderr_has "model.emzt: a table file (emzip train), not a compressed file: see 'emzip info'"
cp model.emzt damaged.emzt
python3 -c '
import sys
b = bytearray(open("damaged.emzt", "rb").read())
b[len(b) // 2] ^= 0x40
open("damaged.emzt", "wb").write(b)
'
expect_status 1 "$EMZIP" info damaged.emzt
stderr_has "damaged.emzt: checksum mismatch"
one_line_error
head -c 40 model.emzt >short.emzt
expect_status 1 "$EMZIP" info short.emzt
stderr_has "short.emzt: "
rm -f same.emzt natural.emzt lexical.emzt e4m3.emzt raw.emzt damaged.emzt short.emzt
ok

section "help: the man pages as rendered at build time"
commands="compress decompress test info list extract train"
for command in $commands; do
    [ -f "$MAN_DIR/emzip-$command.1" ] || fail "no man page emzip-$command.1 in $MAN_DIR"
    "$EMZIP" help "$command" >help.txt || fail "emzip help $command failed"
    "$EMZIP" "$command" --help >dash-help.txt || fail "emzip $command --help failed"
    cmp -s help.txt dash-help.txt || fail "'emzip help $command' and '$command --help' differ"
    grep -q "^ *emzip-$command - " help.txt || fail "help $command lacks its NAME line"
    grep -q "^SYNOPSIS" help.txt && grep -q "^ *emzip $command " help.txt ||
        fail "help $command lacks its synopsis: $(cat help.txt)"
    ok
done
"$EMZIP" help >help.txt
grep -q "^ *emzip - " help.txt && grep -q "^SEE ALSO" help.txt || fail "emzip help: $(cat help.txt)"
for command in $commands; do
    grep -q "emzip-$command(1)" help.txt || fail "emzip(1) does not refer to emzip-$command(1)"
done
ok
"$EMZIP" --help >usage.txt
[ "$(wc -l <usage.txt)" -le 25 ] || fail "emzip --help: $(wc -l <usage.txt) lines, over 25"
for command in $commands help; do
    grep -q "^ *emzip $command " usage.txt || fail "emzip --help does not mention $command"
done
grep -q "man emzip" usage.txt || fail "emzip --help does not point to the man page"
"$EMZIP" -h | cmp -s - usage.txt || fail "emzip -h differs from emzip --help"
if command -v groff >/dev/null 2>&1; then
    for page in "$MAN_DIR"/*.1; do
        groff -man -ww -z "$page" 2>"$work/err" || fail "groff failed on $page"
        [ ! -s "$work/err" ] || fail "groff warns on $page: $(cat "$work/err")"
    done
    ok
else
    echo "groff not installed: the man pages were not checked for warnings"
fi

section "a checkpoint larger than the address-space limit"
# Tensors copied from the corpus into one valid file of BIG_MB megabytes; under ASan a smaller
# one and no limit (see the top of this file).
if $asan; then big_mb=80; else big_mb=600; fi
python3 - "$big" "$big_mb" <<'EOF'
import json, struct, sys
src, target = sys.argv[1], int(sys.argv[2]) << 20
with open(src, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
header.pop("__metadata__", None)
pieces = [data[h["data_offsets"][0]:h["data_offsets"][1]] for h in header.values()]
pieces = [p for p in pieces if len(p) >= 4096]
blob = b"".join(pieces)
copies = target // len(blob) + 1
out = {"__metadata__": {"made_by": "test_cli.sh"}}
for i in range(copies):
    span = [i * len(blob), (i + 1) * len(blob)]
    out["copy%03d" % i] = {"dtype": "BF16", "shape": [len(blob) // 2], "data_offsets": span}
h = json.dumps(out).encode()
open("huge.tensor_size", "w").write(str(len(blob)))
with open("huge.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for i in range(copies):
        f.write(blob)
EOF
size=$(stat -c %s huge.safetensors)
if $asan; then
    echo "AddressSanitizer build: no ulimit -v (shadow memory), ${big_mb} MB file"
    "$EMZIP" compress -q -T 2 huge.safetensors -o huge.emz
    "$EMZIP" decompress -q -T 2 huge.emz -o huge.out
else
    limit_kb=$((400 * 1024))
    [ "$size" -gt $((limit_kb * 1024)) ] || fail "the file ($size bytes) is not above the limit"
    (
        ulimit -v "$limit_kb"
        "$EMZIP" compress -q -T 2 huge.safetensors -o huge.emz
        "$EMZIP" test -q -T 2 huge.emz
        "$EMZIP" decompress -q -T 2 huge.emz -o huge.out
        "$EMZIP" extract -q huge.emz copy001 -o copy001.bin
    ) || fail "compress/decompress of $size bytes under ulimit -v $limit_kb"
    [ "$(stat -c %s copy001.bin)" -eq "$(cat huge.tensor_size)" ] || fail "extracted tensor size"
    rm -f copy001.bin
fi
cmp -s huge.safetensors huge.out || fail "round trip of the large file"
rm -f huge.out
ok

section "raw data from a pipe streams in bounded memory (a streamed frame, version 4)"
# The same large file as raw BF16 through a pipe: read once, in order, never held whole (it is
# above the address-space limit); a streamed frame, 20 bytes longer than the file's frame.
"$EMZIP" compress -q -f -T 2 -t bf16 huge.safetensors -o from-file.emz
if $asan; then
    cat huge.safetensors | "$EMZIP" compress -q -T 2 -t bf16 - -o piped.emz
else
    (
        ulimit -v "$limit_kb"
        cat huge.safetensors | "$EMZIP" compress -q -T 2 -t bf16 - -o piped.emz
        "$EMZIP" decompress -q -T 2 piped.emz -o piped.out
    ) || fail "compress from a pipe of $size bytes under ulimit -v $limit_kb"
fi
[ "$(stat -c %s piped.emz)" -eq $(($(stat -c %s from-file.emz) + 20)) ] ||
    fail "streamed frame of $(stat -c %s piped.emz) bytes, the file's frame $(stat -c %s from-file.emz)"
"$EMZIP" info piped.emz | grep -q '^format version: *4$' || fail "info of a streamed frame"
"$EMZIP" info piped.emz | grep -q "^original size: *$size bytes$" || fail "streamed frame's size"
$asan && "$EMZIP" decompress -q -T 2 piped.emz -o piped.out
cmp -s huge.safetensors piped.out || fail "round trip of a streamed frame"
"$EMZIP" test -q piped.emz || fail "test of a streamed frame"
# a short input through a pipe gives the bytes of the same input from a file (3 MB: three
# chunks of BF16's default 1 MiB, under the 16 chunks after which a pipe's input streams)
head -c 3000000 huge.safetensors >short.bin
"$EMZIP" compress -q -f -t bf16 short.bin -o short-file.emz
head -c 3000000 huge.safetensors | "$EMZIP" compress -q -t bf16 - -o short-pipe.emz
cmp -s short-file.emz short-pipe.emz || fail "a short piped input differs from the file's frame"
head -c 3000000 huge.safetensors | "$EMZIP" compress -q -t bf16 - -c | "$EMZIP" decompress -c - |
    cmp -s - short.bin || fail "pipe to pipe"
rm -f from-file.emz piped.emz piped.out short.bin short-file.emz short-pipe.emz
ok

section "--memory-limit and --max-size: the caller, not the file, bounds memory and output"
# a 62-byte frame of 16 MiB chunks (20 MB of zeros) asks for ~150 MiB of buffers a thread
head -c 20000000 /dev/zero >zeros.bin
"$EMZIP" compress -q -t bf16 --chunk-size 16M zeros.bin -o zeros.emz
[ "$(wc -c <zeros.emz)" -lt 100 ] || fail "zeros.emz is $(wc -c <zeros.emz) bytes"
expect_status 1 "$EMZIP" test --memory-limit 64M zeros.emz
stderr_has "needs 153 MiB of buffers for one thread; the memory limit is 64 MiB"
expect_status 1 "$EMZIP" decompress --max-size 1M zeros.emz -o zeros.out
stderr_has "the data declares 20000000 bytes; the output limit is 1048576 bytes"
[ ! -e zeros.out ] || fail "output left after --max-size refused it"
expect_status 1 "$EMZIP" compress -t bf16 --chunk-size 16M --memory-limit 100M zeros.bin -o z2.emz
stderr_has "encoding chunks of 16777216 bytes needs"
[ ! -e z2.emz ] || fail "output left after --memory-limit refused compression"
expect_status 2 "$EMZIP" test --memory-limit 0 zeros.emz
stderr_has "invalid memory limit '0'"
"$EMZIP" decompress -q --max-size 20000000 zeros.emz -o zeros.out
cmp -s zeros.out zeros.bin || fail "zeros round trip"
if ! $asan; then
    # 300 MB of zeros in 18 chunks of 16 MiB (270 bytes compressed): 16 threads would reserve
    # ~2.4 GiB and fail inside a 1 GiB address space; a 320 MiB limit keeps two threads
    head -c 300000000 /dev/zero >zeros.bin
    "$EMZIP" compress -q -f -t bf16 --chunk-size 16M zeros.bin -o zeros.emz
    rm -f zeros.bin
    (
        ulimit -v $((1024 * 1024))
        "$EMZIP" test -q -T 16 --memory-limit 320M zeros.emz
    ) || fail "test -T 16 --memory-limit 320M under ulimit -v 1 GiB"
    (
        ulimit -v $((1024 * 1024))
        "$EMZIP" test -q -T 16 --memory-limit 3G zeros.emz 2>/dev/null
    ) && fail "test -T 16 --memory-limit 3G under ulimit -v 1 GiB: the limit did not matter"
fi
rm -f zeros.bin zeros.emz zeros.out
ok

section "progress line on a terminal"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
    # A pseudo-terminal for stderr; 64K chunks on one thread, so the run outlasts the first
    # redraw (100 ms) even on a fast machine.
    script -qec "'$EMZIP' compress -T 1 --chunk-size 64K -f huge.safetensors -o /dev/null" \
        /dev/null >progress.txt 2>&1 </dev/null || fail "compress under script: $(cat progress.txt)"
    grep -aq 'huge.safetensors *[0-9]*%  .* / .*B/s' progress.txt ||
        fail "no progress line: $(tr '\r' '\n' <progress.txt)"
    grep -aq "huge.safetensors: $size -> " progress.txt || fail "no summary after the progress"
    script -qec "'$EMZIP' compress -q -T 1 --chunk-size 64K -f huge.safetensors -o /dev/null" \
        /dev/null >quiet.txt 2>&1 </dev/null || fail "compress -q under script"
    [ ! -s quiet.txt ] || fail "-q still printed: $(cat quiet.txt)"
    ok
    # a terminal is refused as standard input (a forgotten FILE is no hang), and as standard
    # output without -f
    for command in "compress -" "decompress -" "test -" "list -" "info -" -d -q --test; do
        script -qec "'$EMZIP' $command; echo \"exit \$?\"" /dev/null >tty.txt 2>&1 </dev/null
        grep -aq '(stdin): is a terminal; refusing to read data from it' tty.txt &&
            grep -aq 'exit 1' tty.txt || fail "emzip $command on a terminal: $(cat tty.txt)"
    done
    script -qec "'$EMZIP'; echo \"exit \$?\"" /dev/null >tty.txt 2>&1 </dev/null
    tr -d '\r' <tty.txt | cmp -s - <(cat usage.txt && echo "exit 2") ||
        fail "emzip alone on a terminal does not print the usage: $(cat tty.txt)"
    for command in "compress -o - '$bf16'" "-c a.orig"; do
        script -qec "'$EMZIP' $command; echo \"exit \$?\"" /dev/null >tty.txt 2>&1 </dev/null
        grep -aq 'refusing to write binary data to a terminal' tty.txt &&
            grep -aq 'exit 1' tty.txt || fail "emzip $command to a terminal: $(cat tty.txt)"
    done
    ok
else
    echo "script(1) or a pseudo-terminal unavailable: progress line not checked"
fi
rm -f huge.safetensors huge.emz

echo "all $checks CLI checks passed"
