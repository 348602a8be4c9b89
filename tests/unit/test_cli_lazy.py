"""``hookcast --help`` and ``hookcast --version`` stay light: the heavy libraries are imported by
the commands that use them, and the administration sub-commands only when one of them runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hookcast.cli import HookcastGroup, app
from hookcast.cli.lazy import Lazy

HEAVY = ("sqlalchemy", "fastapi", "uvicorn", "argon2", "alembic", "aiohttp", "hookcast.services")

PROBE = """
import json, sys
from hookcast.cli import app
sys.argv = ["hookcast", *sys.argv[1:]]
try:
    app()
except SystemExit:
    pass
heavy = json.loads({heavy!r})
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps(loaded), file=sys.stderr)
"""


def heavy_modules_after(*args: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running ``hookcast *args``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=json.dumps(HEAVY)), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("args", [(), ("--help",), ("--version",)])
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...]) -> None:
    assert heavy_modules_after(*args) == []


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = f"import sys, hookcast.cli; print([m for m in sys.modules if m.split('.')[0] in {HEAVY!r}])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_root_help_lists_every_sub_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for entry in HookcastGroup.lazy:
        assert entry.name in result.stdout


@pytest.mark.parametrize("entry", HookcastGroup.lazy, ids=lambda e: e.name)
def test_each_lazy_sub_command_loads_with_the_help_the_root_shows(entry: Lazy) -> None:
    command = entry.load()
    assert command.name == entry.name
    assert command.get_short_help_str(limit=200) == entry.help
    result = CliRunner().invoke(app, [entry.name, "--help"])
    assert result.exit_code == 0, result.output
