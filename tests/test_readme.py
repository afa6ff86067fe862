"""README.md tells the truth: its two commands are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands for a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands() -> None:
    serve, test = readme_commands()
    assert "commensura build" in serve
    assert "commensura serve" in serve
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"^TEST_COMMAND='(.+)'$", ci, flags=re.MULTILINE)
    assert match is not None
    assert match.group(1) == readme_commands()[1]
    assert "shared/data" in ci
    assert "-eq 5" in ci, "pytest's exit code 5 (no tests) must fail CI"
