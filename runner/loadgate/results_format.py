"""results.json's format: its version, and the JSON Schema that describes it.

results.json is the file other tools read: later runs (``--baseline``), ``loadgate compare``,
dashboards.  Its ``schema_version`` says which shape it has, and results.schema.json (shipped in
the package beside this module) describes exactly what this loadgate writes.  A release that only
adds fields keeps the version (readers ignore fields they do not know); one that removes a field
or changes its type or meaning raises it.  loadgate reads every version up to its own, and files
written before the field existed (they have the shape of version 1); a newer one is refused,
naming its version.
"""

from __future__ import annotations

import json

SCHEMA_VERSION = 1
READABLE = range(1, SCHEMA_VERSION + 1)
SCHEMA_FILE = "results.schema.json"


def schema() -> dict:
    """The JSON Schema of the results.json this loadgate writes."""
    from importlib import resources  # not on every reader's path (loadgate compare)

    return json.loads(resources.files("loadgate").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def unreadable(data: dict) -> str | None:
    """Why this loadgate cannot read a results.json of this version; None when it can."""
    if "schema_version" not in data:
        return None  # written before the field existed: the shape of version 1
    version = data["schema_version"]
    if isinstance(version, int) and not isinstance(version, bool) and version in READABLE:
        return None
    shown = json.dumps(version)[:40]
    reads = f"{READABLE[0]}" if len(READABLE) == 1 else f"{READABLE[0]} to {READABLE[-1]}"
    return (f"a results.json of schema_version {shown}, which this loadgate cannot read (it reads "
            f"schema_version {reads}): use the loadgate that wrote it, or a newer one")
