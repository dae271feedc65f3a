"""The file loadgate hands Locust as an extra locustfile (``-f scenario.py,<this file>``).

Locust imports a locustfile by path, as a top-level module named after the file (hence a name no
scenario's own module would take); this one only imports the exporter, which registers its event
listeners with Locust.  It defines no User, so it adds nothing to the user's scenario.
"""

from loadgate.locust_side import exporter  # noqa: F401  (importing it is what starts it)
