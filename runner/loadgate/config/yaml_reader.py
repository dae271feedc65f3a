"""slo.yaml read defensively: bounded size, bounded aliases, no duplicate keys.

PyYAML alone takes a 50 MB file or an alias bomb (``a: &a [x, x]; b: &b [*a, *a]; ...``) and
hands it on; validation then walks every shared copy (minutes and gigabytes).  Here the file's
kind and size are checked before it is read (input_files.py), the composed node graph is counted
with aliases expanded (in time linear in the file, whatever it expands to), and a mapping that
repeats a key is refused naming both lines (PyYAML keeps the last one silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from loadgate import input_files
from loadgate.errors import ConfigError

MAX_BYTES = 1024 * 1024  # an slo.yaml is a few kB; 1 MiB leaves room for generated ones
MAX_VALUES = 100_000  # YAML values (mappings, lists, scalars) once aliases are expanded


def read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_BYTES (input_files.py)."""
    return input_files.read_text(path, "SLO file", MAX_BYTES, missing="pass --slo PATH")


def parse(path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    """Compose, check and construct the document: (root node, plain data)."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            if root is not None:
                check_size(path, root)
                check_duplicates(path, root)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"invalid YAML: {problem}", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise ConfigError("invalid YAML: nested too deeply", path=str(path)) from None
    return root, data


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_size(path: Path, root: yaml.Node) -> None:
    """Count values with aliases expanded; memoised, so a bomb is counted without expanding it."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes and sizes[id(node)] >= 0:
            continue
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in _children(node)), MAX_VALUES + 1)
            continue
        if sizes.get(id(node)) == -1:
            raise ConfigError("a YAML alias refers to itself (a recursive structure)",
                              path=str(path), line=node.start_mark.line + 1)
        sizes[id(node)] = -1  # being counted
        stack.append((node, True))
        for child in _children(node):
            if sizes.get(id(child)) == -1:
                raise ConfigError("a YAML alias refers to itself (a recursive structure)",
                                  path=str(path), line=child.start_mark.line + 1)
            if id(child) not in sizes:
                stack.append((child, False))
    if sizes[id(root)] > MAX_VALUES:
        raise ConfigError(f"the document expands to more than {MAX_VALUES} values (YAML aliases "
                          "repeating large parts?); the limit keeps a bad file from taking the "
                          "machine's memory", path=str(path))


def check_duplicates(path: Path, root: yaml.Node) -> None:
    """A key given twice in one mapping is refused, naming both lines."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key, _value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
                    continue
                line = key.start_mark.line + 1
                if key.value in first_line:
                    raise ConfigError(f"duplicate key (first on line {first_line[key.value]}, "
                                      f"again on line {line}); remove one", path=str(path),
                                      line=line, key=key.value)
                first_line[key.value] = line
        stack.extend(_children(node))
