r"""Text from outside (Locust request names, error texts, SLO names) made valid and safe to show.

Text that is not valid Unicode -- a lone surrogate such as ``\udcff``, which Python makes of
bytes that are not UTF-8 (``surrogateescape``) and YAML or a locustfile can spell -- cannot be
encoded as UTF-8: one in a request name broke every scrape, one in an SLO name the reports.  It
becomes the visible escape ``\udcff`` too, so every report, console line and metric label is
valid UTF-8.

Control characters (C0, DEL, C1 and the Unicode line/paragraph separators) become visible escapes
such as ``\x1b``: an escape sequence in a request name can neither drive a terminal nor break
junit.xml (XML 1.0 forbids most of them), a Markdown table or an HTML page.  Every report and the
console pass outside text through :func:`visible`; JSON escapes such characters by itself.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def _escape(char: str) -> str:
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def valid(text: object) -> str:
    r"""``text`` as valid Unicode: each lone surrogate becomes a visible ``\udxxx`` escape."""
    text = str(text)
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def visible(text: object, newlines: bool = False) -> str:
    """``text`` valid, with every control character escaped; ``newlines=True`` keeps line breaks."""
    text = valid(text)
    if newlines:
        return "\n".join(_CONTROL.sub(lambda m: _escape(m.group()), line)
                         for line in text.replace("\r\n", "\n").split("\n"))
    return _CONTROL.sub(lambda m: _escape(m.group()), text)


def markdown_cell(text: object) -> str:
    """Outside text in a Markdown table cell: one line, control characters visible, ``|`` escaped,
    and ``<`` escaped where GitHub would take it for an HTML tag (``<object at 0x....>``)."""
    return _TAG.sub("&lt;", visible(str(text).replace("\n", " ")).replace("|", "\\|"))
