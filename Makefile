# loadgate: the two commands of the README.
#   make demo  - set everything up, start the bundled demo service, run the gate against it
#   make test  - set everything up, lint (ruff, pinned in the test extra) and run the whole test
#                suite (what .ci/run calls)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_PORT ?= 8089
PYTEST_ARGS ?=

.PHONY: demo test setup prometheus system-deps clean

setup: $(VENV)/.installed prometheus

$(VENV)/.installed: pyproject.toml
	@python3 -c "import ensurepip" 2>/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv >/dev/null; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

prometheus:
	@command -v prometheus >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq prometheus >/dev/null; }
	@prometheus --version 2>&1 | head -1

# Everything the full test suite needs beyond Prometheus (a Docker engine, Chromium): see scripts/.
system-deps: prometheus
	@if [ -x scripts/test-deps.sh ]; then scripts/test-deps.sh; fi

demo: setup
	@$(PY) -m loadgate.demo --port $(DEMO_PORT) >/dev/null 2>&1 & echo $$! > .demo.pid; \
	trap 'kill $$(cat .demo.pid) 2>/dev/null; rm -f .demo.pid' EXIT; \
	for i in $$(seq 50); do $(PY) -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(DEMO_PORT)/health', timeout=1)" 2>/dev/null && break; sleep 0.1; done; \
	$(VENV)/bin/loadgate run --host http://127.0.0.1:$(DEMO_PORT); status=$$?; \
	echo "reports: $$(ls reports | tr '\n' ' ')(exit code $$status)"; exit $$status

test: setup system-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) reports test-artifacts .pytest_cache
