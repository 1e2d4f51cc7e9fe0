#!/usr/bin/env bash
# Installs what emzip needs to build, test and benchmark, from Debian packages.
set -euo pipefail
# groff-base renders docs/man into the emzip tool's help texts at build time. The Python package
# (python/) needs python3-dev and libdlpack-dev (the DLPack header) to build, python3-mesonpy and python3-venv to install with pip,
# numpy always, and pytest and torch (1.13 in Debian 12) for its tests.
# liblz4-dev: a per-page baseline of bench/kv_bench.c. libopenblas0-pthread: without it,
# Debian's torch multiplies on the reference BLAS, ~100x slower (bench/kv trains a model).
# python3-zstandard, python3-lz4: bench-only baselines (zstd -1 and lz4 per page) of
# bench/kv_offload.py; emzip itself never uses them.
packages=(meson ninja-build pkg-config cmake gcc libc6-dev libxxhash-dev libcpu-features-dev
          libcriterion-dev libdeflate-dev libzstd-dev liblz4-dev groff-base
          python3-dev libdlpack-dev python3-numpy python3-pytest python3-torch python3-mesonpy python3-venv
          libopenblas0-pthread python3-zstandard python3-lz4)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Another apt run (an unattended upgrade, a second CI step) may hold the dpkg lock: wait for it.
apt=(apt-get -o DPkg::Lock::Timeout=600)
$sudo "${apt[@]}" update -qq
$sudo "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
