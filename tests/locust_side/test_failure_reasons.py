"""locust_side/failure_reasons.py, the part of the exporter that counts why requests failed and what the
locustfile raised.  It imports Locust (which monkey-patches the interpreter), so each check runs
in a fresh Python process, as Locust runs it."""

import json
import subprocess
import sys


def run(code: str, tmp_path) -> object:
    """Import failure_reasons as exporter.py does, run ``code`` from a file (a locustfile of
    sorts); return what it prints as JSON."""
    script = tmp_path / "locustfile.py"
    script.write_text("import json\nfrom loadgate.locust_side import failure_reasons as fr\n" + code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_reasons_are_grouped_as_locust_groups_them_and_cleaned(tmp_path):
    texts = run("""
from locust.exception import CatchResponseError
class Thing: pass
print(json.dumps([
    fr.failure_reason(CatchResponseError(f"bad body {Thing()}")),
    fr.failure_reason(ConnectionError(f"refused by {Thing()}")),
    fr.failure_reason(ValueError("see http://user:pw@host/x?token=s3cret&a=1 \\x1b[31m")),
    fr.failure_reason(ValueError("x" * 400)),
]))""", tmp_path)
    assert texts[0].startswith("bad body <__main__.Thing object at 0x....>")  # address masked
    assert texts[1].startswith("ConnectionError('refused by <__main__.Thing object at 0x....>')")
    assert texts[2] == "ValueError('see http://***@host/x?token=&a= \\x1b[31m')"  # repr escapes ESC
    assert len(texts[3]) == 300 and texts[3].endswith("…")


def test_reasons_are_bounded_per_request_with_an_other_bucket_and_merge_as_deltas(tmp_path):
    found = run("""
worker, master = fr.Reasons(), fr.Reasons()
for i in range(12):
    worker.add_failure("GET", "/a", "window", f"reason {i}", 2)
worker.add_failure("GET", "/b", "window", "reason 0")
master.merge(worker.take())
assert worker.take() == {"failures": [], "errors": []}  # shipped once: nothing twice
for i in range(25):
    master.add_error("KeyError", f"k{i}", "locustfile.py:9", "continued")
print(json.dumps({"failures": sorted([list(k) + [n] for k, n in master.failures.items()]),
                  "errors": len(master.errors), "other": master.errors[("other", "", "", "continued")]}))
""", tmp_path)
    a = [f for f in found["failures"] if f[1] == "/a"]
    assert len(a) == 11 and ["GET", "/a", "window", "other", 4] in a  # 10 texts + other
    assert ["GET", "/b", "window", "reason 0", 1] in found["failures"]  # the bound is per request
    assert found["errors"] == 21 and found["other"] == 5  # 20 distinct exceptions + other


def test_location_is_the_locustfile_line_not_a_library(tmp_path):
    location = run("""
import json as lib, traceback
try:
    lib.loads("{")  # raises inside the standard library
except ValueError as exc:
    print(json.dumps(fr.user_code_location(exc.__traceback__)))
""", tmp_path)
    assert location == "locustfile.py:6"  # relative to the working directory: lib.loads, after run()'s 2 lines
