#!/usr/bin/env bash
# Fetches the other stores the test suite runs loadgate against: Prometheus 2.53.3 (Debian trixie),
# Prometheus 3.5.3 and VictoriaMetrics 1.145 (Debian sid; the victoria-metrics package also holds
# vmagent), and InfluxDB 1.6.7 (Debian bookworm's version, from trixie: a copy target with no
# PromQL API). Each is a static binary in a .deb: downloaded with apt-get's own client from Debian's
# archive and unpacked with dpkg -x into a cache folder outside the repository; nothing is installed
# system-wide and apt's own sources stay as they are (see docs/stores.md).
#
#   ${LOADGATE_STORES_CACHE:-~/.cache/loadgate/stores}/<name>-<version>/usr/bin/<binary>
#
# Idempotent; when every store is unpacked already it touches no network. A store that cannot be
# fetched (LOADGATE_DEBIAN_MIRROR names another Debian mirror) leaves <name>-<version>.failed with the reason: the tests that need it skip with that reason
# (tests/stores.py), they never pass. This script therefore always exits 0.
set -uo pipefail
cache="${LOADGATE_STORES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/loadgate/stores}"
suites="sid trixie"
mirror="${LOADGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# name upstream-version binaries-to-keep
wanted=(
    "prometheus 2.53.3 prometheus"
    "prometheus 3.5.3 prometheus"
    "victoria-metrics 1.145.0 victoria-metrics,vmagent"
    "influxdb 1.6.7~rc0 influxd"
)

ready() { [ -x "$cache/$1-$2/usr/bin/${3%%,*}" ]; }

missing=()
for entry in "${wanted[@]}"; do
    read -r name version bins <<<"$entry"
    ready "$name" "$version" "$bins" || missing+=("$entry")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
    mkdir -p "$cache" || exit 0
    for entry in "${missing[@]}"; do
        read -r name version bins <<<"$entry"
        echo "this machine has no apt-get/dpkg to fetch Debian's $name package" >"$cache/$name-$version.failed"
    done
    echo "other-stores: no apt-get/dpkg here: the tests of other stores will skip" >&2
    exit 0
fi
mkdir -p "$cache/.apt/lists/partial" "$cache/.apt/cache/archives/partial" || exit 0
apt_dir="$cache/.apt"
for suite in $suites; do echo "deb $mirror $suite main"; done >"$apt_dir/sources.list"
o=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
echo "other-stores: fetching Debian's package lists ($suites) into $apt_dir" >&2
# apt-get's own status (a grep that finds nothing to keep must not turn a good update into a failure)
update_output=$(timeout 120 apt-get "${o[@]}" update -qq 2>&1 >/dev/null)
update_status=$?
update_error=$(printf '%s\n' "$update_output" | grep -v "^W: Download is performed unsandboxed")

fail() {  # name version reason
    echo "other-stores: $1 $2 not available: $3" >&2
    printf '%s\n' "$3" >"$cache/$1-$2.failed"
}

fetch() {  # name version bins
    local name=$1 version=$2 bins=$3 full work
    if [ $update_status -ne 0 ]; then
        fail "$name" "$version" "apt-get update of Debian $suites failed: ${update_error//$'\n'/ }"; return
    fi
    full=$(apt-cache "${o[@]}" madison "$name" | awk -v v="$version" \
        '{ split($3, a, "+"); split(a[1], b, "-"); if (b[1] == v) { print $3; exit } }')
    if [ -z "$full" ]; then
        fail "$name" "$version" "Debian $suites ($mirror) list no $name $version (apt-cache madison $name)${update_error:+; apt-get update said: ${update_error//$'\n'/ }}"
        return
    fi
    work=$(mktemp -d "$cache/.work.XXXXXX") || return
    if ! (cd "$work" && timeout 300 apt-get "${o[@]}" download -qq "$name=$full" >/dev/null 2>"$work/err"); then
        fail "$name" "$version" "apt-get download $name=$full failed: $(tr '\n' ' ' <"$work/err")"
        rm -rf "$work"; return
    fi
    if ! dpkg -x "$work"/*.deb "$work/root"; then
        fail "$name" "$version" "dpkg -x of $name=$full failed"; rm -rf "$work"; return
    fi
    mkdir -p "$work/keep/usr/bin"
    for bin in ${bins//,/ }; do mv "$work/root/usr/bin/$bin" "$work/keep/usr/bin/"; done
    echo "$full" >"$work/keep/debian-version"
    rm -rf "${cache:?}/$name-$version"
    mv "$work/keep" "$cache/$name-$version" && rm -f "$cache/$name-$version.failed"
    rm -rf "$work"
    echo "other-stores: $name $full unpacked in $cache/$name-$version" >&2
}

for entry in "${missing[@]}"; do
    read -r name version bins <<<"$entry"
    fetch "$name" "$version" "$bins"
done
rm -rf "$apt_dir/cache/archives"/*.deb
exit 0
