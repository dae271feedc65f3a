#!/usr/bin/env bash
# What the full test suite needs beyond the venv and Prometheus: Chromium (report.html is rendered
# in a test), and a Docker engine with Compose v2 and locally built images (the docker stack tests).
# Idempotent; fast when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null; then
    echo "test-deps: apt-get install chromium" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
scripts/docker-setup.sh
