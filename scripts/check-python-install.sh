#!/usr/bin/env bash
# Installs the Python package as a user would, into a fresh venv over Debian's Python:
#   /usr/bin/python3 -m venv --system-site-packages V && V/bin/pip install --no-index \
#       --no-build-isolation .
# then runs the pytest suite (tests/python) against that install (not the build tree), and the
# README's Python example, as written, in an empty directory.
#
# Usage: scripts/check-python-install.sh [BUILD]   BUILD: a build directory whose tools/emzip the
#        tests compare with (default: build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
(cd "$root" && "$tmp/venv/bin/pip" install --quiet --no-index --no-build-isolation .)
site=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
[ -f "$site/emzip/__init__.py" ] || { echo "error: emzip is not installed in $site" >&2; exit 1; }
# The wheel holds the package alone: the extension carries the library, no libemzip.so.
if find "$tmp/venv" -name 'libemzip*' | grep -q .; then
    echo "error: the install contains a libemzip library" >&2
    exit 1
fi

echo "-- pytest against the install ($site/emzip)"
mkdir "$tmp/run"
(cd "$tmp/run" && EMZIP_EXPECT_PACKAGE="$site/emzip" EMZIP_CLI="$build/tools/emzip" \
    EMZIP_TEST_SAMPLE="$root/tests/data" PYTHONDONTWRITEBYTECODE=1 \
    "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider -W error "$root/tests/python")

echo "-- the README's Python example, as written"
# The lines between the markers of README.md's Python section, less the code fence.
sed -n '/<!-- python-example -->/,/<!-- \/python-example -->/p' "$root/README.md" |
    sed '/^<!--/d; /^```/d' >"$tmp/run/example.py"
[ -s "$tmp/run/example.py" ] || { echo "error: no Python example in README.md" >&2; exit 1; }
cat "$tmp/run/example.py"
(cd "$tmp/run" && "$tmp/venv/bin/python" example.py)
echo "check-python-install: ok"
