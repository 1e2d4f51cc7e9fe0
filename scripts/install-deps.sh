#!/usr/bin/env bash
# Installs what emzip needs to build, test and benchmark, from Debian packages.
set -euo pipefail
# groff-base renders docs/man into the emzip tool's help texts at build time.
packages=(meson ninja-build pkg-config cmake gcc libc6-dev libxxhash-dev libcpu-features-dev
          libcriterion-dev libdeflate-dev libzstd-dev groff-base)
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
