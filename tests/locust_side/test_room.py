"""The Locust side is a room of its own: loadgate's stages never import it (importing locust
monkey-patches the interpreter), and it imports nothing of theirs but the pure helpers it shares,
which import only the standard library (the docker image runs them without loadgate's
dependencies)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "runner" / "loadgate"
SHARED = {"loadgate.redaction", "loadgate.printable", "loadgate.roster_file", "loadgate.protobuf_wire",
          "loadgate.units"}


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, ``from loadgate import x`` counted as ``loadgate.x``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def test_no_stage_imports_the_locust_side():
    stages = [p for p in PACKAGE.rglob("*.py") if "locust_side" not in p.relative_to(PACKAGE).parts]
    assert len(stages) > 30
    wrong = {module_name(p): sorted(m for m in imported(p) if m.startswith("loadgate.locust_side"))
             for p in stages}
    assert not {k: v for k, v in wrong.items() if v}


def test_the_locust_side_imports_only_itself_and_the_shared_helpers():
    side = list((PACKAGE / "locust_side").glob("*.py"))
    assert len(side) >= 9
    for path in side:
        own = {m for m in imported(path) if m.startswith("loadgate.")}
        allowed = SHARED | {"loadgate.locust_side"}
        outside = {m for m in own if not any(m == a or m.startswith(a + ".") for a in allowed)}
        assert not outside, (module_name(path), outside)


def test_the_shared_helpers_need_only_the_standard_library():
    for name in SHARED:
        path = PACKAGE / f"{name.split('.')[1]}.py"
        top = {m.split(".")[0] for m in imported(path)} - {"__future__"}
        assert top and top <= set(sys.stdlib_module_names), (name, top - set(sys.stdlib_module_names))
