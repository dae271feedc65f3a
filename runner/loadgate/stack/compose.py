"""Docker plumbing for the docker stack: the engine check, `docker compose` v2 argv, logs."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from loadgate.errors import ConfigError, InfraError
from loadgate.redaction import redact
from loadgate.stack.explain import with_output

log = logging.getLogger("loadgate")

ENGINE_HINT = ("install a Docker engine and Compose v2 (Debian/Ubuntu: `apt-get install docker.io`, "
               "start dockerd, and the `docker compose` v2 plugin, e.g. docker-compose-plugin from "
               "Docker's apt repository), or run scripts/docker-setup.sh as root")
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
COMPOSE_TIMEOUT = 600.0  # `up` may build the Locust image on first use
# `down` on an interrupted run: Locust would wait for a final scrape nobody needs any more.
STOP_TIMEOUT = 3
# Variables that would change what a compose command does behind loadgate's back.
IGNORED_ENV = ("COMPOSE_PROJECT_NAME", "COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_ENV_FILES")
PROMETHEUS_IMAGE = "prom/prometheus:v2.53.4"  # docker-compose.yml's default


def prometheus_image() -> str:
    """The Prometheus image the docker stack runs (its config is written for that version)."""
    return os.environ.get("LOADGATE_PROMETHEUS_IMAGE") or PROMETHEUS_IMAGE


def tail(text: str, lines: int = 30) -> str:
    return "\n".join(redact(text).rstrip().splitlines()[-lines:])


def check_engine():
    """A docker SDK client once the engine answers and Compose v2 is there; else ConfigError."""
    import docker
    from docker.errors import DockerException

    if shutil.which("docker") is None:
        raise ConfigError("the `docker` command is not installed; " + ENGINE_HINT)
    try:
        client = docker.from_env(timeout=10)
        client.ping()
    except (DockerException, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"no Docker engine is reachable ({reason}); " + ENGINE_HINT) from None
    version = compose_version()
    if not version.split(".")[0].isdigit() or int(version.split(".")[0]) < 2:
        raise ConfigError(f"Docker Compose v2 is required (`docker compose version`: "
                          f"{version or 'not installed'}); " + ENGINE_HINT)
    return client


def compose_version() -> str:
    try:
        result = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True,
                                text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip().lstrip("v") if result.returncode == 0 else ""


def find_stack_dir() -> Path:
    """The docker stack's files: $LOADGATE_STACK_DIR, this checkout's stack/, the copy a wheel
    installs under ``<prefix>/share/loadgate/stack``, or ./stack."""
    candidates = [os.environ.get("LOADGATE_STACK_DIR"),
                  Path(__file__).resolve().parents[3] / "stack",
                  Path(sys.prefix) / "share" / "loadgate" / "stack", Path.cwd() / "stack"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "docker-compose.yml").is_file():
            return Path(candidate).resolve()
    raise ConfigError("stack/docker-compose.yml not found: reinstall loadgate, or set "
                      "LOADGATE_STACK_DIR to the folder that holds docker-compose.yml")


def port_is_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:port.  SO_REUSEADDR, as the servers themselves bind: the
    connections of a run that just ended (TIME_WAIT, about a minute) do not count."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def files_dir(project: str) -> Path:
    """Where a stack that outlives loadgate keeps its generated files (`loadgate down` removes it)."""
    return Path(tempfile.gettempdir()) / "loadgate-stacks" / project


def write_public(path: Path, text: str) -> Path:
    """Containers run as other users: generated files are world-readable (no secrets in them)."""
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    path.parent.chmod(0o755)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


def escape(value):
    """Compose interpolates ``$`` in every file: generated values are taken literally."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, list):
        return [escape(v) for v in value]
    return {k: escape(v) for k, v in value.items()}


@dataclass
class Compose:
    """`docker compose` v2 for one project: argv lists, never a shell."""

    project: str
    files: Sequence[Path]
    env: Mapping[str, str] = field(default_factory=dict)
    profiles: Sequence[str] = ()

    def argv(self, *args: str) -> list[str]:
        argv = ["docker", "compose", "--project-name", self.project, "--ansi", "never"]
        for path in self.files:
            argv += ["--file", str(path)]
        for profile in self.profiles:
            argv += ["--profile", profile]
        return argv + list(args)

    def environment(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k not in IGNORED_ENV}
        return {**base, **self.env}

    def run(self, *args: str, timeout: float = COMPOSE_TIMEOUT) -> subprocess.CompletedProcess:
        """Run in its own session, so a Ctrl-C meant for loadgate cannot cut a `down` short."""
        argv = self.argv(*args)
        log.debug("running %s", " ".join(argv))
        try:
            return subprocess.run(argv, env=self.environment(), capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise InfraError(f"`docker compose {args[0]}` did not finish within {timeout:.0f} s") \
                from None

    def check(self, *args: str, what: str, timeout: float = COMPOSE_TIMEOUT) -> None:
        result = self.run(*args, timeout=timeout)
        if result.returncode != 0:
            raise InfraError(with_output(f"{what}: `docker compose {' '.join(args)}` exited with "
                                         f"{result.returncode}", tail(result.stdout + result.stderr),
                                         "docker compose"))

    def down(self) -> bool:
        result = self.run("down", "--volumes", "--remove-orphans", "--timeout", str(STOP_TIMEOUT),
                          timeout=180)
        if result.returncode != 0:
            log.warning("docker compose down (project %s) failed:\n%s", self.project,
                        tail(result.stdout + result.stderr))
        return result.returncode == 0


def project_containers(client, project: str, service: str | None = None) -> list:
    labels = [f"{PROJECT_LABEL}={project}"] + ([f"{SERVICE_LABEL}={service}"] if service else [])
    return client.containers.list(all=True, filters={"label": labels})


def container_logs(container, lines: int = 30) -> str:
    try:
        text = container.logs(tail=lines).decode("utf-8", errors="replace")
    except Exception as exc:
        return f"(no logs: {exc})"
    return tail(text, lines)


def remove_leftovers(client, project: str) -> None:
    """Anything of the project that `down` left behind is removed by force."""
    for container in project_containers(client, project):
        log.warning("removing leftover container %s", container.name)
        container.remove(force=True, v=True)
    for network in client.networks.list(filters={"label": f"{PROJECT_LABEL}={project}"}):
        network.remove()
    for volume in client.volumes.list(filters={"label": f"{PROJECT_LABEL}={project}"}):
        volume.remove(force=True)
