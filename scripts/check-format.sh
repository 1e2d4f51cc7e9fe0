#!/usr/bin/env bash
# Checks that C sources follow the tree's .clang-format, with a pinned formatter: Debian 12's
# clang-format-14 (other versions format the same style differently, so CI and developers must
# run the same one).
#
# Usage: scripts/check-format.sh [--fix] [FILE...]
#   FILE...  files to check (default: every tracked *.c and *.h in src/ tools/ tests/ bench/
#            fuzz/ include/ python/, less generated files)
#   --fix    reformat the files that are not formatted, in place, instead of failing
# Exit status: 0 all formatted (or fixed), 1 some not formatted, 2 usage or formatter problem.
set -euo pipefail

FORMATTER=clang-format-14
WANT_MAJOR=14
FOLDERS=(src tools tests bench fuzz include python)
# Files never checked: generated sources (none are tracked today). Extended regex on the path.
EXCLUDE='^$'
# A file whose first lines carry one of these markers is generated, whatever its path.
GENERATED_MARKER='@generated|DO NOT EDIT'

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fix=0
files=()
for arg in "$@"; do
    case $arg in
        --fix) fix=1 ;;
        -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "check-format: unknown option $arg" >&2; exit 2 ;;
        *) files+=("$arg") ;;
    esac
done

if ! command -v "$FORMATTER" >/dev/null; then
    echo "check-format: $FORMATTER not found: apt-get install clang-format-14" >&2
    exit 2
fi
version=$("$FORMATTER" --version)
major=$(sed -n 's/.*version \([0-9]*\)\..*/\1/p' <<<"$version")
if [ "$major" != "$WANT_MAJOR" ]; then
    echo "check-format: $FORMATTER reports '$version', not major version $WANT_MAJOR" >&2
    exit 2
fi

if [ ${#files[@]} -eq 0 ]; then
    # Given files are taken relative to the current directory; the default set is the root's.
    cd "$root"
    pathspecs=()
    for folder in "${FOLDERS[@]}"; do pathspecs+=("$folder/*.c" "$folder/*.h"); done
    mapfile -t tracked < <(git ls-files -- "${pathspecs[@]}")
    declare -A generated=()
    if [ ${#tracked[@]} -gt 0 ]; then
        while IFS= read -r f; do generated[$f]=1; done < <(
            awk -v marker="$GENERATED_MARKER" 'FNR <= 5 && $0 ~ marker { print FILENAME; nextfile }' \
                "${tracked[@]}")
    fi
    for f in "${tracked[@]}"; do
        [[ $f =~ $EXCLUDE || -n ${generated[$f]:-} ]] || files+=("$f")
    done
    if [ ${#files[@]} -eq 0 ]; then
        echo "check-format: no tracked C file found under ${FOLDERS[*]} in $root" >&2
        exit 2
    fi
fi

# The tree's style file, whatever directory the files are in.
style="--style=file:$root/.clang-format"
for f in "${files[@]}"; do
    [ -f "$f" ] || { echo "check-format: no such file: $f" >&2; exit 2; }
done
# One run over all files (a run per file costs ~0.1 s of start-up each); the files not
# formatted are those the formatting diagnostic names ("FILE:LINE:COL: error: code should be
# clang-formatted [-Wclang-format-violations]").
rc=0
out=$("$FORMATTER" "$style" --dry-run --Werror "${files[@]}" 2>&1) || rc=$?
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*\[-Wclang-format-violations\]$/\1/p' \
                   <<<"$out" | awk '!seen[$0]++')
if [ $rc -ne 0 ] && [ ${#bad[@]} -eq 0 ]; then
    # A failure without a formatting diagnostic is a problem of the check itself.
    echo "check-format: $FORMATTER failed:" >&2
    echo "$out" >&2
    exit 2
fi

if [ ${#bad[@]} -eq 0 ]; then
    echo "check-format: ${#files[@]} files formatted ($("$FORMATTER" --version | sed 's/^ *//'))"
    exit 0
fi
if [ $fix -eq 1 ]; then
    "$FORMATTER" "$style" -i "${bad[@]}"
    printf 'check-format: reformatted %d of %d files:\n' ${#bad[@]} ${#files[@]}
    printf '  %s\n' "${bad[@]}"
    exit 0
fi
printf 'check-format: %d of %d files are not formatted:\n' ${#bad[@]} ${#files[@]}
printf '  %s\n' "${bad[@]}"
echo "Reformat them with: $FORMATTER -i FILE...   (or: scripts/check-format.sh --fix)"
exit 1
