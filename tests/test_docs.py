"""The documentation: the site in docs/ builds with warnings as errors (a broken link, a missing
anchor, a page in no table of contents fails), and the links of the pages the site does not build
(README.md, CHANGELOG.md) reach existing pages and headings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors.index import slugify

from tests.helpers import ROOT

README_LINES = 160  # a first visit: what, the two commands, an example, where the docs are


def build(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
                           "-d", str(out / ".doctrees"), str(source), str(out)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_the_site_builds_strictly(tmp_path):
    built = build(ROOT / "docs", tmp_path / "site")
    assert built.returncode == 0, built.stderr[-3000:]
    for page in (ROOT / "docs").glob("*.md"):
        assert (tmp_path / "site" / f"{page.stem}.html").is_file(), page.name


def test_a_broken_link_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text((ROOT / "docs" / "conf.py").read_text())
    (docs / "index.md").write_text("# Home\n\n[a heading that is not there](#nowhere)\n")
    built = build(docs, tmp_path / "site")
    assert built.returncode != 0 and "nowhere" in built.stderr


def links(page: Path) -> list[str]:
    found = []
    for token in MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8")):
        for child in token.children or []:
            if child.type == "link_open" and not re.match(r"\w+:", child.attrs["href"]):
                found.append(child.attrs["href"])
    return found


def anchors(page: Path) -> set[str]:
    tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    return {slugify(tokens[i + 1].content) for i, token in enumerate(tokens) if token.type == "heading_open"}


@pytest.mark.parametrize("name", ["README.md", "CHANGELOG.md"])
def test_links_outside_the_site_reach_pages_and_headings(name):
    page = ROOT / name
    found = links(page)
    assert found, f"{name} links to no documentation page"
    for href in found:
        path, _, anchor = href.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{name}: {href}: no such file"
        if anchor:
            assert anchor in anchors(target), f"{name}: {href}: no such heading"


def test_the_readme_stays_a_first_visit():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_LINES, f"README.md has {lines} lines: put reference text in docs/"


def table_rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| ") and not line.startswith("| ---")]


def test_the_readme_s_store_table_matches_the_stores_page():
    """The README's summary of stores says nothing the reference (docs/stores.md) does not."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    summary = table_rows(readme.split("## Where it measures", 1)[1].split("\n## ", 1)[0])[1:]
    reference = (ROOT / "docs" / "stores.md").read_text(encoding="utf-8")
    assert len(summary) >= 6
    for store, versions, mode, _ in summary:
        name = store.split(" (")[0].split(",")[0]
        rows = [row for row in table_rows(reference) if name in row[0]]
        assert rows, f"{name}: not in docs/stores.md"
        for version in (v for v in versions.replace(";", ",").split(", ") if v[0].isdigit() and "-" not in v):
            assert any(version in row[1] for row in rows), f"{name} {version}: not in docs/stores.md"
        for word in ("judged", "copy", "refused"):
            if word in mode:
                assert any(word in row[2] for row in rows), f"{name}: '{word}' not in docs/stores.md"
