#!/usr/bin/env bash
# Checks that the ISA-independent core and the scalar kernels contain no instruction a
# baseline x86-64 CPU lacks (VEX/EVEX-encoded AVX, BMI1/2, LZCNT, POPCNT), so that the library
# runs on a machine without AVX2 once the dispatcher picks scalar.
# Usage: scripts/check-isa-isolation.sh BUILD_DIR
set -euo pipefail
build=$1
[ "$(uname -m)" = x86_64 ] || { echo "not x86-64: nothing to check"; exit 0; }
objects=$(ls "$build"/src/libemzip.so.*.p/*.o "$build"/src/libemzip_scalar.a.p/*.o)
bad=0
for o in $objects; do
    # AT&T mnemonics: every VEX/EVEX instruction starts with 'v'; BMI and friends by name.
    hits=$(objdump -d --no-show-raw-insn "$o" |
           grep -P '^\s+[0-9a-f]+:\s+(v[a-z0-9]+|andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx|lzcnt|tzcnt|popcnt)\b' || true)
    if [ -n "$hits" ]; then
        echo "$o uses instructions beyond baseline x86-64:"
        echo "$hits" | head -5
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "ISA isolation: $(echo "$objects" | wc -w) core and scalar objects use baseline x86-64 only"
exit $bad
