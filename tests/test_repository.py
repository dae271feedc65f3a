"""The repository itself: one version everywhere, the lint step in `make test`, no stray binaries."""

import re
import subprocess

import pytest

import loadgate
from tests.helpers import ROOT

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_one_version_in_pyproject_the_package_and_the_changelog():
    newest = re.search(r"^## (\d+\.\d+\.\d+)\b", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert newest, "CHANGELOG.md names no release"
    assert PYPROJECT["project"]["version"] == loadgate.__version__ == newest.group(1)


def test_make_test_lints_with_a_pinned_ruff_before_the_tests():
    pins = [r for r in PYPROJECT["project"]["optional-dependencies"]["test"] if r.startswith("ruff")]
    assert len(pins) == 1 and re.fullmatch(r"ruff==\d+\.\d+\.\d+", pins[0]), pins
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M).group(1)
    steps = [line.strip() for line in recipe.splitlines()]
    assert steps[0] == "$(VENV)/bin/ruff check ." and steps[1].startswith("$(PY) -m pytest"), steps


def test_no_binary_package_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout (an unpacked source archive)")
    found = [p for p in tracked.stdout.splitlines() if re.search(r"\.(whl|egg|tar\.gz|zip)$", p)]
    assert not found, found
