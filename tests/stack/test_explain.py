"""A failed process in an error message: a sentence, then the lines that explain it."""

from loadgate.stack.explain import explaining_lines, sentence, with_output

BANNER = """\
[2026-12-04 16:59:13,660] vm/INFO/locust.main: Starting Locust 2.47.0
[2026-12-04 16:59:13,663] vm/INFO/loadgate.exporter: loadgate exporter serving on 127.0.0.1:38829
[2026-12-04 16:59:13,663] vm/INFO/locust.main: Run time limit set to 14 seconds
[2026-12-04 16:59:13,663] vm/INFO/locust.runners: Ramping to 10 users at a rate of 10.00 per second
[2026-12-04 16:59:13,668] vm/INFO/locust.runners: All users spawned: {"Shopper": 10} (10 total users)
"""
# Locust's output of a locustfile that logged why and called os._exit(1) (a real run's tail)
CRASH = BANNER + """\
[2026-12-04 16:59:17,624] vm/ERROR/root: cannot go on without the stock service
Traceback (most recent call last):
  File "/tmp/scenarios/crash.py", line 23, in list_items
    reserve_stock()
  File "/tmp/scenarios/crash.py", line 12, in reserve_stock
    raise ConnectionError("stock service refused the reservation pool")
ConnectionError: stock service refused the reservation pool
"""
HEADLINE = ("Locust exited (code 1) 3.9 s into a 14 s load without reporting its final figures (a "
            "sys.exit() or os._exit() in the locustfile?)")


def test_the_traceback_and_the_error_line_not_the_banner():
    assert with_output(HEADLINE, CRASH).splitlines() == [
        HEADLINE + ".", "Locust printed:", *CRASH.splitlines()[5:]]


def test_only_the_last_traceback_with_its_exception_line():
    first = "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nKeyError: 'x'\n"
    lines = explaining_lines(first + "[t] vm/INFO/locust.main: going on\n" + CRASH.split("\n", 5)[5])
    assert lines[0].endswith("ERROR/root: cannot go on without the stock service")
    assert lines[-1] == "ConnectionError: stock service refused the reservation pool" and "KeyError: 'x'" not in lines


def test_prometheus_docker_and_argparse_errors():
    prometheus = ('ts=2026-12-04T17:00:00Z caller=main.go:1 level=info msg="Starting Prometheus"\n'
                  'ts=2026-12-04T17:00:01Z caller=main.go:2 level=error err="opening storage failed"\n')
    assert explaining_lines(prometheus) == [prometheus.splitlines()[1]]
    assert explaining_lines(" Container x  Starting\nError response from daemon: port is already allocated") == [
        "Error response from daemon: port is already allocated"]
    assert explaining_lines("usage: locust [options]\nlocust: error: unrecognized arguments: --nope") == [
        "locust: error: unrecognized arguments: --nope"]


def test_without_an_error_the_last_lines_that_are_not_the_banner():
    said = with_output("the Locust worker exited with code 2:", BANNER + "Shutting down (exit code 2)\nbye\n")
    assert said.splitlines() == ["the Locust worker exited with code 2.",
                                 "Locust printed no error or traceback; its last lines:",
                                 "Shutting down (exit code 2)", "bye"]
    assert with_output("x", BANNER).splitlines()[1] == (
        "(Locust printed no error or traceback; its last line: " + BANNER.splitlines()[-1] + ")")
    assert with_output("x", "", "prometheus") == "x.\n(prometheus printed no error or traceback; it printed nothing)"


def test_a_headline_is_a_sentence():
    assert sentence("Locust not serving metrics after 30 s:") == "Locust not serving metrics after 30 s."
    assert sentence("is it (sys.exit()?)") == "is it (sys.exit()?)."
    assert sentence("done.") == "done."
