"""The first hour: ``hookcast serve`` and the administration CLI, as real processes started from
different folders, find one data directory; the CLI never makes an instance of its own; a
second server on a busy port says so in one line before touching any database; and "listening"
means a client is answered."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.system.cluster import HOOKCAST, free_port

ADMIN_TOKEN = "first-start-admin-token-0123456789"
HINT = "start 'hookcast serve' first, or set HOOKCAST_DATA_DIR / HOOKCAST_DATABASE_URL"


def environment(tmp_path: Path, data_dir: Path) -> dict[str, str]:
    """The test's environment without any HOOKCAST_ setting but the data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKCAST_") and k != "XDG_DATA_HOME"}
    env.update(
        HOME=str(tmp_path / "home"),
        HOOKCAST_DATA_DIR=str(data_dir),
        HOOKCAST_ADMIN_TOKEN=ADMIN_TOKEN,
        HOOKCAST_LOG_LEVEL="WARNING",
    )
    return env


def folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HOOKCAST, *args], env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


class Served:
    def __init__(self, process: asyncio.subprocess.Process, port: int, lines: list[str]) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.lines = lines  # what it printed on stderr until it said it was listening


async def start_serve(env: dict[str, str], cwd: Path, port: int) -> Served:
    process = await asyncio.create_subprocess_exec(
        HOOKCAST, "serve", "--port", str(port), env=env, cwd=cwd, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    lines: list[str] = []
    while not any("listening on" in line for line in lines):
        raw = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        assert raw, f"hookcast serve ended before listening:\n{''.join(lines)}"
        lines.append(raw.decode(errors="replace"))
    return Served(process, port, lines)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    data_dir = tmp_path / "data"
    server = await start_serve(
        environment(tmp_path, data_dir), folder(tmp_path / "server-folder"), free_port()
    )
    try:
        yield server
    finally:
        server.process.terminate()
        await server.process.wait()


async def test_listening_is_said_once_a_client_is_answered(served: Served, tmp_path: Path) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{served.base}/readyz") as answer:
        assert answer.status == 200  # at once: no retry after the line
    data_dir = tmp_path / "data"
    assert served.lines[-1].strip() == f"hookcast serve: listening on {served.base}"
    db = data_dir / "hookcast.db"
    assert f"hookcast serve: data dir {data_dir}, database sqlite+aiosqlite:///{db}\n" in served.lines
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    private = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data_dir.iterdir()}
    assert private["hookcast.db"] == 0o600 and private["hookcast.key"] == 0o600
    assert all(mode & 0o077 == 0 for mode in private.values()), private  # -wal and -shm too
    assert not (tmp_path / "server-folder" / "hookcast.db").exists()


async def test_the_cli_sees_the_servers_projects_from_another_folder(served: Served, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with (
        aiohttp.ClientSession(headers=headers) as http,
        http.post(f"{served.base}/api/v1/projects", json={"name": "made-by-the-server"}) as answer,
    ):
        assert answer.status == 201, await answer.text()
    elsewhere = folder(tmp_path / "elsewhere")
    env = environment(tmp_path, tmp_path / "data")
    listed = cli(env, elsewhere, "projects", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [p["name"] for p in json.loads(listed.stdout)] == ["made-by-the-server"]
    info = cli(env, elsewhere, "info")
    assert f"data dir:   {tmp_path / 'data'}" in info.stdout
    assert "(exists)" in info.stdout
    assert list(elsewhere.iterdir()) == []


async def test_a_busy_port_fails_in_one_line_before_any_database(served: Served, tmp_path: Path) -> None:
    other = tmp_path / "other-data"
    env = environment(tmp_path, other)
    second = await asyncio.create_subprocess_exec(
        HOOKCAST, "serve", "--port", str(served.base.rsplit(":", 1)[1]),
        env=env, cwd=folder(tmp_path / "second-folder"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(second.communicate(), timeout=60)
    assert second.returncode == 1
    port = served.base.rsplit(":", 1)[1]
    assert err.decode() == f"hookcast: cannot listen on 127.0.0.1:{port}: address already in use\n"
    assert not other.exists(), "no data directory, database, key or admin token was made"
    assert list((tmp_path / "second-folder").iterdir()) == []


@pytest.mark.parametrize("exists", [False, True], ids=["no-data-dir", "empty-data-dir"])
def test_the_cli_on_an_empty_data_dir_fails_and_creates_nothing(tmp_path: Path, exists: bool) -> None:
    data_dir = tmp_path / "empty"
    if exists:
        data_dir.mkdir()
    env = environment(tmp_path, data_dir)
    env.pop("HOOKCAST_ADMIN_TOKEN")  # so that an instance made by mistake would print a new one
    here = folder(tmp_path / "here")
    expected = f"hookcast: no hookcast database at {data_dir / 'hookcast.db'}: {HINT}\n"
    for args in (
        ("projects", "list"),
        ("tokens", "create", "ci"),
        ("people", "list"),
        ("replay", "--project", "1", "--since", "2026-01-01"),
    ):
        done = cli(env, here, *args)
        assert (done.returncode, done.stderr, done.stdout) == (1, expected, ""), args
    assert list(here.iterdir()) == []
    assert (list(data_dir.iterdir()) == []) if exists else not data_dir.exists()
