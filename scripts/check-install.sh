#!/usr/bin/env bash
# Installs a build into a temporary directory and uses it the way a program packaged against
# emzip would: only through emzip.pc and the installed files.
#
#  1. `meson install --destdir` into a temporary root; the expected files must be there (header,
#     libemzip.so.N and its links, libemzip.a, emzip.pc, the CLI, the man pages).
#  2. emzip.pc: no Requires (the header includes nothing but the C library, so a machine with
#     only the runtime packages must be able to use it), no absolute path but prefix's.
#  3. pkg-config sees the installed pkgconfig directory and nothing else (PKG_CONFIG_LIBDIR, no
#     PKG_CONFIG_PATH): no libxxhash.pc to lean on, as on a machine without libxxhash-dev.
#     The prefix is redefined to the temporary root, which works only because every path in
#     emzip.pc is relative to it.
#  4. A C program and a C++ program (include/emzip.h from C++: extern "C", no C-only syntax),
#     built with `pkg-config --cflags --libs emzip` against the installed shared library, run
#     a compress/decompress round trip; then the C program once more, linked statically with
#     `pkg-config --static` (libemzip.a, -lcpu_features -pthread: needs libcpu-features-dev, as
#     any static link against emzip does).
#  5. tests/check_exports.sh on the installed libemzip.so: only emz_* exported.
# Needs gcc, g++, pkg-config, nm (binutils) and libc6-dev's static libc for step 4's static link.
#
# Usage: scripts/check-install.sh BUILD_DIR   (a configured, built meson build directory)
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/build.ninja" ]; then
    echo "usage: $0 BUILD_DIR   (a configured meson build directory)" >&2
    exit 2
fi
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
for tool in gcc g++ pkg-config nm; do
    command -v "$tool" >/dev/null || { echo "check-install: $tool not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root

echo "== meson install --destdir (into a temporary root)"
# Quiet unless it fails: it may rebuild or reconfigure first, which is not news here.
meson install -C "$build" --destdir "$stage" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; echo "FAIL: meson install" >&2; exit 1; }
# The directories the build was configured with; libdir etc. may be relative to prefix.
read -r prefix libdir includedir bindir mandir < <(meson introspect "$build" --buildoptions |
    /usr/bin/python3 -c '
import json, os, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
prefix = opts["prefix"]
print(prefix, *(os.path.join(prefix, opts[k]) for k in ("libdir", "includedir", "bindir", "mandir")))')
lib=$stage$libdir
version=$(meson introspect "$build" --projectinfo | /usr/bin/python3 -c \
    'import json, sys; print(json.load(sys.stdin)["version"])')
soname=$(readelf -d "$lib/libemzip.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "prefix $prefix, libdir $libdir, version $version, soname $soname"

echo "== installed files"
expected=("$includedir/emzip.h" "$libdir/libemzip.so.$version" "$libdir/$soname"
          "$libdir/libemzip.so" "$libdir/libemzip.a" "$libdir/pkgconfig/emzip.pc"
          "$bindir/emzip" "$mandir/man1/emzip.1" "$mandir/man1/emzip-compress.1")
for f in "${expected[@]}"; do
    [ -e "$stage$f" ] || { echo "FAIL: $f was not installed" >&2; exit 1; }
done
(cd "$stage" && find . ! -type d | sed 's|^\.||' | sort)
# The development link and the soname link both lead to the real file.
real=$(readlink -f "$lib/libemzip.so.$version")
for link in libemzip.so "$soname"; do
    [ "$(readlink -f "$lib/$link")" = "$real" ] ||
        { echo "FAIL: $link does not lead to libemzip.so.$version" >&2; exit 1; }
done

echo "== emzip.pc"
pcdir=$lib/pkgconfig
cat "$pcdir/emzip.pc"
if grep -q '^Requires' "$pcdir/emzip.pc"; then
    echo "FAIL: emzip.pc requires other packages; its header needs none" >&2
    exit 1
fi
# Every path in the flags must go through ${prefix} (via ${libdir} etc.).
if sed -n '/^\(Libs\|Cflags\)/p' "$pcdir/emzip.pc" | grep -E '(^|[ :])(-[IL])?/'; then
    echo "FAIL: emzip.pc names an absolute path" >&2
    exit 1
fi

# Only the installed .pc files are visible; the prefix is moved to where they were installed.
export PKG_CONFIG_LIBDIR=$pcdir
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
pc=(pkg-config --define-variable=prefix="$stage$prefix")
echo "\$ pkg-config --cflags --libs emzip"
flags=$("${pc[@]}" --cflags --libs emzip)
echo "$flags"
echo "\$ pkg-config --static --cflags --libs emzip"
static_flags=$("${pc[@]}" --static --cflags --libs emzip)
echo "$static_flags"
[ "$("${pc[@]}" --modversion emzip)" = "$version" ] ||
    { echo "FAIL: pkg-config --modversion emzip is not $version" >&2; exit 1; }

# A round trip of a few chunks of BF16-like data, and the version; the same in C and C++.
cat >"$tmp/roundtrip.c" <<'EOF'
#include <emzip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t n = 1u << 20, cap = emz_compress_bound(n), csize = 0, dsize = 0;
    unsigned char *src = malloc(n), *frame = malloc(cap), *back = malloc(n);
    if (!src || !frame || !back) return 1;
    for (size_t i = 0; i < n; i++) /* high bytes of bf16 near 1.0, low bytes varied */
        src[i] = (unsigned char)(i % 2 ? 0x3f + (i * 7919 % 3) : i * 2654435761u >> 24);
    emz_status st = emz_compress(NULL, frame, cap, src, n, EMZ_TYPE_BF16, &csize);
    if (st == EMZ_OK) st = emz_decompress(NULL, back, n, frame, csize, &dsize);
    if (st != EMZ_OK) {
        fprintf(stderr, "emzip: %s\n", emz_error_message(st));
        return 1;
    }
    if (dsize != n || memcmp(src, back, n) != 0) {
        fprintf(stderr, "round trip differs\n");
        return 1;
    }
    printf("C: emzip %s, %zu -> %zu bytes, round trip identical\n", emz_version_string(), n,
           csize);
    free(src);
    free(frame);
    free(back);
    return strcmp(emz_version_string(), EMZ_VERSION_STRING) != 0;
}
EOF
cat >"$tmp/roundtrip.cpp" <<'EOF'
#include <emzip.h>

#include <cstring>
#include <iostream>
#include <vector>

int main() {
    std::vector<unsigned char> src(1u << 20);
    for (size_t i = 0; i < src.size(); i++)
        src[i] = static_cast<unsigned char>(i % 2 ? 0x3f + (i * 7919 % 3) : i * 2654435761u >> 24);
    std::vector<unsigned char> frame(emz_compress_bound(src.size())), back(src.size());
    size_t csize = 0, dsize = 0;
    emz_cctx *cctx = emz_cctx_create();
    emz_dctx *dctx = emz_dctx_create();
    emz_status st = emz_compress(cctx, frame.data(), frame.size(), src.data(), src.size(),
                                 EMZ_TYPE_BF16, &csize);
    if (st == EMZ_OK)
        st = emz_decompress(dctx, back.data(), back.size(), frame.data(), csize, &dsize);
    emz_cctx_free(cctx);
    emz_dctx_free(dctx);
    if (st != EMZ_OK) {
        std::cerr << "emzip: " << emz_error_message(st) << '\n';
        return 1;
    }
    if (dsize != src.size() || back != src) {
        std::cerr << "round trip differs\n";
        return 1;
    }
    std::cout << "C++: emzip " << emz_version_string() << ", " << src.size() << " -> " << csize
              << " bytes, round trip identical\n";
    return std::strcmp(emz_version_string(), EMZ_VERSION_STRING) != 0;
}
EOF

# -Werror with -pedantic: a warning the header causes in a user's build is a failure here.
warn=(-Wall -Wextra -pedantic -Werror)
# The loader must find the installed copy, and nothing else: no system-wide libemzip here.
check_loads_installed() {
    local resolved
    resolved=$(LD_LIBRARY_PATH=$lib ldd "$1" | awk -v s="$soname" '$1 == s { print $3 }')
    [ "$(readlink -f "$resolved")" = "$(readlink -f "$lib/$soname")" ] ||
        { echo "FAIL: $1 loads '$resolved', not the installed $soname" >&2; exit 1; }
}
echo "== C, shared: gcc -std=c11 roundtrip.c \$(pkg-config --cflags --libs emzip)"
# shellcheck disable=SC2086  # the flags are words
gcc -std=c11 "${warn[@]}" "$tmp/roundtrip.c" -o "$tmp/roundtrip_c" $flags
check_loads_installed "$tmp/roundtrip_c"
LD_LIBRARY_PATH=$lib "$tmp/roundtrip_c"

echo "== C++, shared: g++ -std=c++11 roundtrip.cpp \$(pkg-config --cflags --libs emzip)"
# shellcheck disable=SC2086
g++ -std=c++11 "${warn[@]}" "$tmp/roundtrip.cpp" -o "$tmp/roundtrip_cpp" $flags
check_loads_installed "$tmp/roundtrip_cpp"
LD_LIBRARY_PATH=$lib "$tmp/roundtrip_cpp"

echo "== C, static: gcc -static roundtrip.c \$(pkg-config --static --cflags --libs emzip)"
# shellcheck disable=SC2086
gcc -std=c11 "${warn[@]}" -static "$tmp/roundtrip.c" -o "$tmp/roundtrip_static" $static_flags
if readelf -d "$tmp/roundtrip_static" 2>/dev/null | grep -q NEEDED; then
    echo "FAIL: the static link still needs shared libraries" >&2
    exit 1
fi
"$tmp/roundtrip_static"

echo "== exported symbols of the installed library"
"$root_dir/tests/check_exports.sh" "$lib/libemzip.so" "$stage$includedir/emzip.h"

echo "== installed CLI"
LD_LIBRARY_PATH=$lib "$stage$bindir/emzip" --version | head -1
echo "== check-install: all passed"
