"""Credentials never leave loadgate: the one place that hides them in text and URLs.

The exporter (which Locust loads by path, without loadgate installed) loads this file from its own
folder, so request names are redacted by the same rule as logs and reports.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    """Drop ``user:password@`` from anything in ``text`` that looks like a URL."""
    return _CREDENTIALS.sub("***@", text)


def redact_url(url: str) -> str:
    """One URL with its ``user:password@`` replaced by ``***@``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
