"""Every `loadgate ...` command line the README and the documentation (docs/) show parses with the
real CLI parser, and so do the arguments of the Kubernetes worker Deployment they show."""

import re
import shlex

import pytest
import yaml

from loadgate.cli.definition import build_parser, split_locust_args
from tests.helpers import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [block for page in PAGES
          for block in re.findall(r"^\s*```(\w*)\n(.*?)^\s*```", page.read_text(encoding="utf-8"), re.M | re.S)]


def command_lines() -> list[str]:
    found = []
    for language, body in BLOCKS:
        if language not in ("sh", "bash", "console", "shell", ""):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            words = shlex.split(line.strip().lstrip("$ "), comments=True) if line.strip() else []
            while words and re.fullmatch(r"\w+=.*", words[0]):  # VAR=value loadgate ...
                words.pop(0)
            if words and words[0].endswith("loadgate") and len(words) > 1:
                found.append(words[1:])
    return found


def deployment_args() -> list[list[str]]:
    found = []
    for language, body in BLOCKS:
        if language != "yaml" or "kind: Deployment" not in body:
            continue
        for document in yaml.safe_load_all(body):
            if document and document.get("kind") == "Deployment":
                for container in document["spec"]["template"]["spec"]["containers"]:
                    assert container["command"] == ["loadgate"]
                    found.append(container["args"])
    return found


def parse(argv: list[str]):
    own, _locust = split_locust_args(argv)
    try:
        return build_parser().parse_args(own)
    except SystemExit:
        pytest.fail(f"the documented `loadgate {shlex.join(argv)}` does not parse")


def test_the_docs_show_the_remote_commands():
    commands = {line[0] for line in command_lines()}
    assert {"run", "worker"} <= commands
    assert any("--remote-workers" in line for line in command_lines())
    assert any("--remote-write" in line for line in command_lines())
    assert deployment_args() and deployment_args()[0][0] == "worker"


@pytest.mark.parametrize("argv", command_lines() + deployment_args(), ids=shlex.join)
def test_documented_command_lines_parse(argv):
    args = parse(argv)
    assert args.command == argv[0]


def test_a_wrong_option_would_be_caught():
    with pytest.raises(pytest.fail.Exception, match="does not parse"):
        parse(["worker", "--master-hots", "10.0.0.5"])  # the check itself can fail
