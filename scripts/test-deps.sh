#!/usr/bin/env bash
# What the full test suite needs beyond the venv and Prometheus: Chromium (report.html is rendered
# in a test), `ip` (iproute2: the remote-worker tests put workers in network namespaces), and a Docker engine with Compose v2 and locally built images (the docker stack tests).
# Prometheus 2.53.3 / 3.5.3 and VictoriaMetrics from Debian's other suites (other-stores.sh; never fails:
# the tests of a store it could not fetch skip with the reason).
# Idempotent; fast when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null; then
    echo "test-deps: apt-get install chromium" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! command -v ip >/dev/null; then
    echo "test-deps: apt-get install iproute2" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends iproute2 >/dev/null
fi
scripts/docker-setup.sh
scripts/other-stores.sh
