"""The half of loadgate that runs inside the Locust processes, under gevent.

Locust is given one file of this package as an extra locustfile (``-f scenario.py,<entry>``, the
entry being loadgate_entry.py): importing it starts
the exporter (exporter.py), which counts every request (tally.py), serves Prometheus (scrape.py:
the protobuf and text expositions), counts why requests failed (failure_reasons.py), watches the
event loop (event_loop.py), and links a master to its workers (worker_link.py, roster.py); its
settings come from the environment (settings.py).

loadgate's own process never imports this package (importing locust monkey-patches the
interpreter); it only names the entry file's path (stack/locust_argv.py) and reads the roster file
the master writes (roster_file.py).  This package imports nothing of loadgate's stages, only the
pure helpers it shares with them: redaction.py, printable.py, roster_file.py,
protobuf_wire.py and units.py.  The docker image
carries it with the rest of loadgate's source, without loadgate's dependencies.
"""
