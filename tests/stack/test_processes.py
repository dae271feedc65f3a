import os
import socket

import pytest

from loadgate.errors import InfraError
from loadgate.stack.processes import check_port_free, free_port, port_owner


def test_a_taken_port_names_its_owner():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert port_owner(port).startswith(f"pid {os.getpid()} (")
        with pytest.raises(InfraError, match=f"127.0.0.1:{port} is already taken by pid {os.getpid()}"):
            check_port_free(port, "the exporter")


def test_a_free_port_passes():
    check_port_free(free_port(), "the exporter")
