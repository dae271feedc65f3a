from loadgate import roster_file
from loadgate.locust_side import roster

MASTER = {"loadgate": "0.1.0", "locust": "2.47.0"}


def worker(**changes):
    return {"loadgate": "0.1.0", "locust": "2.47.0", "addr": "198.18.0.2", "host": "w1", "pid": 7,
            "local": False, **changes}


class Node:
    def __init__(self, state="ready"):
        self.state = state


def test_same_versions_join_other_versions_are_refused_naming_both():
    assert roster.mismatch(worker(), MASTER) is None
    why = roster.mismatch(worker(locust="2.31.0"), MASTER)
    assert "worker 198.18.0.2 (host w1, pid 7) runs loadgate 0.1.0 with Locust 2.31.0" in why
    assert "the master loadgate 0.1.0 with Locust 2.47.0" in why


def test_the_roll_written_by_the_master_reads_back(tmp_path, monkeypatch):
    monkeypatch.setenv("LOADGATE_VERSION", "0.1.0")
    path = tmp_path / "roster.jsonl"
    roll = roster.Roll(str(path), "2.47.0")
    assert roll.greeted("a", worker()) is None
    assert roll.greeted("b", worker(addr="198.18.0.3", local=True)) is None
    assert roll.greeted("c", worker(loadgate="0.0.9")) is not None
    read = roster_file.read(path)
    assert (read.count(local=False), read.count(local=True)) == (1, 1)
    assert "0.0.9" in read.refused[0] and not read.lost
    roll.check({"a": Node()}, load_running=False, load_started=False)  # b left before the load
    roll.check({"a": Node("missing")}, load_running=True, load_started=True, now=100.0)
    assert not roster_file.read(path).lost  # missing is not lost yet: a blocked event loop comes back
    roll.check({"a": Node()}, load_running=True, load_started=True, now=110.0)  # it did
    roll.check({"a": Node("missing")}, load_running=True, load_started=True, now=120.0)
    roll.check({"a": Node("missing")}, load_running=True, load_started=True,
               now=120.0 + roster.LOST_AFTER - 0.1)
    assert not roster_file.read(path).lost
    roll.check({"a": Node("missing")}, load_running=True, load_started=True,
               now=120.0 + roster.LOST_AFTER)  # a: heartbeats stopped for good
    read = roster_file.read(path)
    assert [w["addr"] for w in read.lost] == ["198.18.0.2"]  # b left earlier: gone, not lost
    assert read.count(local=False) == read.count(local=True) == 0


def test_a_worker_without_loadgate_s_exporter_is_refused(tmp_path):
    path = tmp_path / "roster.jsonl"
    roll = roster.Roll(str(path), "2.47.0")
    roll.reported("ci-7_abc", {"stats": []})
    assert roster_file.read(path).refused[0].startswith("worker ci-7_abc runs Locust without loadgate's exporter")
