"""A built wheel, installed (not editable) into a fresh venv, runs the gate and finds the docker
stack's files, from a folder that is not a checkout."""

from __future__ import annotations

import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers import LOCUSTFILE, ROOT, Target, read_results

pytestmark = pytest.mark.integration


def run(argv: list, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding loadgate's wheel; its dependencies come from this test's environment
    (a .pth file that adds its site-packages, without running the .pth files there, so the
    editable loadgate of the checkout stays invisible)."""
    work = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "-w", work / "dist", ROOT], cwd=work)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (work / "dist").glob("loadgate-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    python = work / "venv" / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work)
    (Path(purelib.stdout.strip()) / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    installed = run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], cwd=work)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return work


def test_the_wheel_is_not_the_checkout_and_finds_the_stack_files(installed):
    python = installed / "venv" / "bin" / "python"
    where = run([python, "-c", "import loadgate, loadgate.stack.compose as c; "
                 "print(loadgate.__file__); print(c.find_stack_dir())"], cwd=installed)
    module, stack_dir = where.stdout.split()
    assert str(installed / "venv") in module and str(ROOT) not in module
    assert Path(stack_dir) == (installed / "venv" / "share" / "loadgate" / "stack").resolve()
    for name in ("docker-compose.yml", "Dockerfile", "prometheus/prometheus.yml",
                 "grafana/provisioning/dashboards/loadgate.json"):
        assert (Path(stack_dir) / name).is_file(), name
    package = Path(module).parent  # the Locust side and the pure helpers it shares
    source = ROOT / "runner" / "loadgate"
    carried = {p.relative_to(source) for p in (source / "locust_side").glob("*.py")}
    assert len(carried) >= 8
    for name in sorted(carried) + [Path("redaction.py"), Path("printable.py"), Path("roster_file.py"),
                                Path("results.schema.json")]:
        assert (package / name).is_file(), name


def test_the_installed_gate_runs_on_the_local_stack(installed):
    (installed / "locustfile.py").write_text(LOCUSTFILE)
    with Target() as target:
        (installed / "slo.yaml").write_text(
            f"version: 1\nname: wheel\ntarget:\n  host: {target.url}\nload:\n  users: 2\n"
            "  spawn_rate: 2\n  duration: 3s\nslos:\n  - sli: error_rate\n    max: 0%\n")
        result = run([installed / "venv" / "bin" / "loadgate", "run", "-f", "locustfile.py", "--quiet"],
                     cwd=installed)
    assert result.returncode == 0, result.stdout + result.stderr
    results = read_results(installed / "reports" / "results.json")
    assert results["verdict"] == "pass" and results["totals"]["requests"] > 0
