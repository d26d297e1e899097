#!/usr/bin/env bash
# fetch-debs.sh ARCH DIR: downloads Debian's bash-static and busybox-static for ARCH (e.g. arm64)
# into DIR, for the installer image of a foreign architecture. A private apt configuration
# (its own lists and cache under DIR, the machine's sources): the machine's apt state, dpkg
# architectures and sources are not touched. Nothing is installed.
set -euo pipefail
arch=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
pkgs=(bash-static busybox-static)
have=1
for p in "${pkgs[@]}"; do
    compgen -G "$dir/${p}_*_$arch.deb" >/dev/null || have=0
done
[ "$have" = 0 ] || exit 0
state=$dir/apt-$arch
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
: >"$state/status"
opts=(-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Dir::State::Lists=$state/lists"
    -o "Dir::State::status=$state/status" -o "Dir::Cache=$state/cache" -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root")
apt-get "${opts[@]}" -qq update
(cd "$dir" && apt-get "${opts[@]}" -qq download "${pkgs[@]/%/:$arch}")
rm -rf "$state"
ls "$dir"/*_"$arch".deb
