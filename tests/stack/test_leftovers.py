"""Leftovers of killed runs: stale folders found by their pid, ports in TIME_WAIT are free."""

from __future__ import annotations

import os
import socket
import subprocess
import time

from loadgate.stack.compose import port_is_free
from loadgate.stack.leftovers import remove_stale_folders, run_folder_prefix


def test_folders_of_dead_runs_go_and_the_others_stay(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    mine = tmp_path / f"{run_folder_prefix()}abc"
    stale = tmp_path / f"loadgate-{dead.pid}-xyz"
    kept, stacks, other = (tmp_path / "loadgate-kept-1-a", tmp_path / "loadgate-stacks",
                           tmp_path / "loadgate-x1y")
    for folder in (mine, stale, kept, stacks, other):
        folder.mkdir()
        (folder / "tsdb").mkdir()
    assert remove_stale_folders(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (mine, kept, stacks, other))


def test_a_reused_pid_does_not_keep_a_folder(tmp_path):
    folder = tmp_path / f"loadgate-{os.getpid()}-old"  # this pid, but the folder is older
    folder.mkdir()
    old = time.time() - 365 * 86400
    os.utime(folder, (old, old))
    assert remove_stale_folders(tmp_path) == [folder]


def test_a_port_in_time_wait_counts_as_free():
    with socket.socket() as server:  # as the exporter (gevent) and Prometheus (Go) listen
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first: its end waits in TIME_WAIT
        time.sleep(0.1)
        client.close()
    with socket.socket() as probe:  # what a bind without SO_REUSEADDR sees
        try:
            probe.bind(("127.0.0.1", port))
            plain_bind_free = True
        except OSError:
            plain_bind_free = False
    assert not plain_bind_free  # the situation this is about
    assert port_is_free(port)


def test_a_listening_port_is_not_free():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not port_is_free(server.getsockname()[1])
