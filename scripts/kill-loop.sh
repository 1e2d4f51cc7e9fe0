#!/usr/bin/env bash
# kill-loop.sh - SIGKILLs emzip compress and decompress at random moments, N times each, and
# checks after every kill that the output is either absent or complete and verifiable, and that
# the next run on the same output removes the killed run's temporary file (issue 15's bar).
#
# usage: scripts/kill-loop.sh EMZIP [N] [MIB]
#   EMZIP  the emzip binary (e.g. build/tools/emzip)
#   N      kills of each command (default 50)
#   MIB    size of the input, made from the sample's BF16 weights repeated (default 200)
# Prints one line per kill and a summary; exits 1 if any check failed.
set -euo pipefail
emzip=$(realpath "$1")
n=${2:-50}
mib=${3:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/emzip-kill-loop.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# the input: the sample's BF16 checkpoint data, repeated to MIB MiB, compressed as raw BF16
sample="$here/tests/data/movenet_thunder.bf16.safetensors"
while [ "$(stat -c %s in.bin 2>/dev/null || echo 0)" -lt $((mib << 20)) ]; do
    cat "$sample" >>in.bin
done
truncate -s $((mib << 20)) in.bin
"$emzip" compress -q -t bf16 -T 2 in.bin -o ref.emz
start=$(date +%s%N)
"$emzip" compress -q -t bf16 -T 2 -f in.bin -o time.emz
ms=$((($(date +%s%N) - start) / 1000000))
rm -f time.emz
echo "input: ${mib} MiB; a compress takes ${ms} ms; kills at random moments within it"

failures=0 absent=0 complete=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# run_and_kill OUT CMD...: starts CMD, kills it with SIGKILL after a random delay.
run_and_kill() {
    local out=$1
    shift
    "$@" 2>/dev/null &
    local pid=$!
    sleep "$(awk -v r="$RANDOM" -v ms="$ms" 'BEGIN { printf "%.3f", r / 32768 * ms * 1.2 / 1000 }')"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# check OUT WANT: OUT is absent, or complete (equal to WANT, a file with the expected bytes).
check() {
    local out=$1 want=$2
    if [ ! -e "$out" ]; then
        absent=$((absent + 1)) state=absent
    elif cmp -s "$out" "$want"; then
        complete=$((complete + 1)) state=complete
    else
        state=damaged
        fail "$out exists but differs from a complete output ($(stat -c %s "$out") bytes)"
    fi
}

for kind in compress decompress; do
    for i in $(seq 1 "$n"); do
        rm -f out.emz out.bin
        if [ "$kind" = compress ]; then
            run_and_kill out.emz "$emzip" compress -q -t bf16 -T 2 in.bin -o out.emz
            check out.emz ref.emz
            left=$(ls | grep -c '^out\.emz\.emzip-' || true)
            # the next run on the same output completes and removes what the killed one left
            "$emzip" compress -q -t bf16 -T 2 -f in.bin -o out.emz
            cmp -s out.emz ref.emz || fail "compress after a kill: wrong output"
            [ "$(ls | grep -c '^out\.emz\.emzip-' || true)" -eq 0 ] ||
                fail "compress after a kill left a temporary: $(ls | grep '^out\.emz\.emzip-')"
        else
            run_and_kill out.bin "$emzip" decompress -q -T 2 ref.emz -o out.bin
            check out.bin in.bin
            left=$(ls | grep -c '^out\.bin\.emzip-' || true)
            "$emzip" decompress -q -T 2 -f ref.emz -o out.bin
            cmp -s out.bin in.bin || fail "decompress after a kill: wrong output"
            [ "$(ls | grep -c '^out\.bin\.emzip-' || true)" -eq 0 ] ||
                fail "decompress after a kill left a temporary: $(ls | grep '^out\.bin\.emzip-')"
        fi
        echo "$kind kill $i: output $state; temporaries the killed run left: $left (removed by the rerun)"
    done
done
echo "kill-loop: $((2 * n)) kills; outputs absent after the kill: $absent, complete: $complete; failures: $failures"
[ "$failures" -eq 0 ]
