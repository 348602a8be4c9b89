"""The lock files agree with pyproject.toml, so a pin changed in one place cannot drift from the other.

``make run`` and ``make test`` install from ``requirements/run.txt`` and ``requirements/test.txt``
(written by ``scripts/lock.sh``), never from pyproject.toml itself. If someone bumps a pin in
pyproject.toml and forgets to re-lock, every install would quietly keep the old version; these tests
fail instead and say which package to re-lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# `name[extra,...]==version`, the only form pyproject.toml uses for a pin.
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;]+)\s*$")
# A requirement line of a lock: `name==version \` or `name==version ; marker \`.
LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
TEST_TOOLS = ("pytest", "playwright", "mypy", "ruff", "hypothesis")


def normalize(name: str) -> str:
    """PEP 503: pip and the lock spell `Foo_Bar` as `foo-bar`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"pyproject.toml: {requirement!r} is not pinned exactly (name==version)"
        found[normalize(match[1])] = match[2]
    return found


def locked(name: str) -> dict[str, str]:
    """Package -> version in a lock file; every entry must carry at least one hash."""
    text = (ROOT / "requirements" / name).read_text()
    versions: dict[str, str] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = LOCKED.match(entry)
        if not match:
            continue
        package = normalize(match[1])
        assert "--hash=sha256:" in entry, f"requirements/{name}: {package} has no hash"
        assert package not in versions, f"requirements/{name}: {package} is locked twice"
        versions[package] = match[2]
    return versions


RUN_PINS = pins(PYPROJECT["project"]["dependencies"])
TEST_PINS = pins(PYPROJECT["project"]["optional-dependencies"]["test"])
BUILD_PINS = pins(PYPROJECT["build-system"]["requires"])


def stale(wanted: dict[str, str], lock: dict[str, str]) -> list[str]:
    return [
        f"{name}: pyproject.toml pins {version}, the lock has {lock.get(name, 'nothing')}"
        for name, version in sorted(wanted.items())
        if lock.get(name) != version
    ]


@pytest.mark.parametrize(
    ("lock_file", "wanted"),
    [
        ("run.txt", {**RUN_PINS, **BUILD_PINS}),
        ("test.txt", {**RUN_PINS, **TEST_PINS, **BUILD_PINS}),
    ],
)
def test_every_pin_in_pyproject_is_locked_at_the_same_version(lock_file: str, wanted: dict[str, str]) -> None:
    problems = stale(wanted, locked(lock_file))
    assert not problems, f"requirements/{lock_file} is out of date; run `make lock`:\n" + "\n".join(problems)


def test_the_test_lock_holds_the_run_lock_at_the_same_versions() -> None:
    """`make test` marks the run install done too; that is only true if test.txt contains run.txt."""
    run, test = locked("run.txt"), locked("test.txt")
    assert stale(run, test) == []


def test_the_run_lock_brings_no_test_tools() -> None:
    run = locked("run.txt")
    assert [tool for tool in TEST_TOOLS if tool in run] == []
    assert all(tool in locked("test.txt") for tool in TEST_TOOLS)
