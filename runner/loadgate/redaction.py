"""Credentials never leave loadgate: the one place that hides them in text and URLs.

Besides ``user:password@`` in URLs, the secrets loadgate was given in its environment (passwords,
tokens, header values: credentials.py) are hidden wherever they occur, once hide() has seen them;
values shorter than HIDE_MIN characters are not (``1`` would blank every digit).

The Locust side (locust_side/, inside the Locust processes) imports it too, so request names are
redacted by the same rule as logs and reports: it imports nothing but the standard library.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
# A query-string value: after ``?key=`` or ``&key=`` up to the next ``&``, ``#``, space or quote.
_QUERY_VALUE = re.compile(r"""([?&][^=&#?\s'"<>]*=)[^&#\s'"<>]*""")


HIDE_MIN = 3
_HIDDEN: set[str] = set()


def hide(*values: str | None) -> None:
    """From now on, ``values`` show as ``***`` in everything redact() passes."""
    _HIDDEN.update(v for v in values if v and len(v) >= HIDE_MIN)


def redact(text: str) -> str:
    """Drop ``user:password@`` from anything in ``text`` that looks like a URL, and every
    secret hide() was given."""
    for value in sorted(_HIDDEN, key=len, reverse=True):
        text = text.replace(value, "***")
    return _CREDENTIALS.sub("***@", text)


def redact_query(text: str) -> str:
    """Query-string values dropped, keys kept: ``/search?q=shoes&token=abc`` -> ``/search?q=&token=``."""
    return _QUERY_VALUE.sub(r"\1", text) if "=" in text else text


def redact_name(name: str) -> str:
    """A Locust request name as loadgate labels and reports it: without credentials, and without
    query-string values (a name taken from a URL without ``name=`` keeps its path and keys)."""
    return redact_query(redact(name))


def redact_text(text: str) -> str:
    """Free text from Locust (an error message quoting a URL): the same two rules."""
    return redact_query(redact(text))


def redact_url(url: str) -> str:
    """One URL with its ``user:password@`` replaced by ``***@``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
