"""The documentation site: Sphinx with MyST (the pages are Markdown, as the README was).

Built strictly by tests/test_docs.py (``sphinx-build -W --keep-going -n``): a broken link, a
missing anchor or a page left out of the table of contents fails the tests.  By hand:
    .venv/bin/sphinx-build -W -n docs site     # then open site/index.html
"""

from importlib import metadata

project = "loadgate"
release = metadata.version("loadgate")  # (a name `version` here would be Sphinx's own setting)
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "conf.py"]
myst_heading_anchors = 4  # `page.md#a-heading` links, slugged as GitHub slugs them
myst_enable_extensions = ["deflist"]
html_theme = "furo"
html_title = f"loadgate {release}"
html_show_sourcelink = False
