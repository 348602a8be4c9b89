"""Real hookcast processes for system tests: ``hookcast api``, ``worker`` and ``serve`` started as
subprocesses on one database, stopped or killed with SIGKILL and restarted at will."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

HOOKCAST = str(Path(sys.executable).parent / "hookcast")
ADMIN_TOKEN = "system-admin-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Cluster:
    def __init__(self, workdir: Path, database_url: str, **settings: str) -> None:
        self.workdir = workdir
        self.env = {
            **os.environ,
            "HOOKCAST_DATABASE_URL": database_url,
            "HOOKCAST_ADMIN_TOKEN": ADMIN_TOKEN,
            "HOOKCAST_DATA_DIR": str(workdir),
            "HOOKCAST_EXTRA_ALLOWED_HOSTS": "127.0.0.1",
            "HOOKCAST_LOG_LEVEL": "WARNING",
            **{f"HOOKCAST_{k.upper()}": v for k, v in settings.items()},
        }
        self.apis: dict[str, subprocess.Popen[bytes]] = {}
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs = 0

    def migrate(self) -> None:
        subprocess.run([HOOKCAST, "migrate"], env=self.env, cwd=self.workdir, check=True, capture_output=True)

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        self._logs += 1
        log = (self.workdir / f"process-{self._logs}.log").open("wb")
        return subprocess.Popen([HOOKCAST, *args], env=self.env, cwd=self.workdir, stdout=log, stderr=log)

    async def start_api(self, port: int | None = None) -> str:
        port = port or free_port()
        base = f"http://127.0.0.1:{port}"
        self.apis[base] = self._spawn("api", "--port", str(port))
        await wait_http(f"{base}/readyz")
        return base

    async def start_serve(self, port: int | None = None) -> tuple[str, subprocess.Popen[bytes]]:
        """``hookcast serve`` (API and worker in one process, as on SQLite)."""
        port = port or free_port()
        base = f"http://127.0.0.1:{port}"
        process = self.apis[base] = self._spawn("serve", "--port", str(port))
        await wait_http(f"{base}/readyz")
        return base, process

    def start_worker(self) -> subprocess.Popen[bytes]:
        process = self._spawn("worker")
        self.workers.append(process)
        return process

    def kill_api(self, base: str) -> None:
        kill(self.apis.pop(base))

    def kill_workers(self) -> None:
        for process in self.workers:
            kill(process)
        self.workers.clear()

    def stop(self) -> None:
        for process in [*self.apis.values(), *self.workers]:
            kill(process)

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.workdir.glob("process-*.log"))
        )


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(10)


async def wait_http(url: str, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if loop.time() > deadline:
                raise AssertionError(f"{url} did not come up")
            await asyncio.sleep(0.1)
