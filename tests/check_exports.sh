#!/usr/bin/env bash
# tests/check_exports.sh LIBEMZIP_SO [EMZIP_H] - the shared library exports emzip's API and
# nothing else.
#
# Every symbol `nm -D --defined-only` lists must start with emz_: anything else (cpu_features'
# GetX86Info and CpuFeatures_*, which come in with its static archive, or a version node) would
# become ABI that programs can bind to by accident, and could clash with another copy of the
# same code in the process. An empty list fails too: it means nm read nothing, or that the
# version script hid everything. With EMZIP_H, every function the header declares (EMZ_API)
# must also be exported, so that a pattern gone wrong in src/libemzip.map is caught here and
# not by the first program that links.
# NM may name another nm (e.g. a cross one); binutils' nm reads any ELF.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 LIBEMZIP_SO [EMZIP_H]" >&2
    exit 2
fi
lib=$1
header=${2:-}
nm=${NM:-nm}

# "VALUE TYPE NAME": the name is the last field; binutils >= 2.35 appends @VERSION or @@VERSION
# to versioned symbols, which is cut off so that only the name is judged.
listing=$("$nm" -D --defined-only "$lib")
names=$(awk '{ print $NF }' <<<"$listing" | sed 's/@.*//' | sort -u)
count=$(grep -c . <<<"$names" || true)
echo "$lib: $count defined dynamic symbols"
if [ "$count" -eq 0 ]; then
    echo "FAIL: no defined dynamic symbol at all (is $lib a shared library?)" >&2
    exit 1
fi

status=0
foreign=$(grep -v '^emz_' <<<"$names" || true)
if [ -n "$foreign" ]; then
    echo "FAIL: $(grep -c . <<<"$foreign") exported symbols do not start with emz_:" >&2
    awk '{ print "  " $0 }' <<<"$foreign" >&2
    status=1
fi

if [ -n "$header" ]; then
    # Each declaration starts a line with EMZ_API; its first "emz_NAME(" is the function.
    declared=$(grep '^EMZ_API ' "$header" | grep -o 'emz_[a-z0-9_]*(' | tr -d '(' | sort -u)
    if [ -z "$declared" ]; then
        echo "FAIL: no EMZ_API declaration found in $header" >&2
        exit 1
    fi
    missing=$(comm -23 <(echo "$declared") <(echo "$names"))
    if [ -n "$missing" ]; then
        echo "FAIL: declared in $(basename "$header") but not exported:" >&2
        awk '{ print "  " $0 }' <<<"$missing" >&2
        status=1
    fi
    echo "$(grep -c . <<<"$declared") functions declared in $(basename "$header")"
fi

[ $status -eq 0 ] && echo "ok: only emz_* symbols are exported"
exit $status
