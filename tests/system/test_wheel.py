"""hookcast as a user installs it: the wheel, not this checkout.

Every other test imports hookcast from ``src/``, so a template, catalog or migration left out of the
wheel would pass them all and only break for users of ``pip install hookcast``. This test builds the
wheel from the tracked files, checks it holds every file tracked under src/hookcast, installs it
(not editable) into a new venv with the run lock's dependencies, and runs ``hookcast migrate`` and
``hookcast serve`` from there, in a folder away from the checkout.

It takes tens of seconds (build, install, start), hence the ``slow`` marker; it is part of the suite
all the same."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from tests.system.cluster import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
RUN_LOCK = ROOT / "requirements" / "run.txt"
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]


def user_environment() -> dict[str, str]:
    """This environment without hookcast's settings or Python's (a PYTHONPATH naming the checkout's
    src/ would import hookcast from there, not from the venv)."""
    return {name: value for name, value in os.environ.items() if not name.startswith(("HOOKCAST_", "PYTHON"))}


def tracked_files(*paths: str) -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--", *paths], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    return [name for name in listing.split("\0") if name]


def translation(language: str, message: str) -> str:
    with (ROOT / "src/hookcast/locale" / language / "LC_MESSAGES/hookcast.po").open("rb") as po:
        text = read_po(po)[message].string
    assert isinstance(text, str) and text, f"no {language} translation of {message!r}"
    return text


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the tracked files (no stray build/ or untracked file counts)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in tracked_files():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    # The test lock pins setuptools at the build-system's version, so no isolated build env to fetch.
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(work / "dist"), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = (work / "dist").glob("hookcast-*.whl")
    return built


def test_the_wheel_holds_every_tracked_file_of_the_package(wheel: Path) -> None:
    """Templates, static files, catalogs, migrations (their versions/ folder is no package either),
    py.typed, samples: whatever is tracked under src/hookcast, .py or not."""
    tracked = tracked_files("src/hookcast")
    assert any(name.endswith(".po") for name in tracked)  # the listing itself works
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    missing = [name for name in tracked if name.removeprefix("src/") not in inside]
    assert missing == [], f"tracked but not in {wheel.name} (see package-data in pyproject.toml)"


@pytest.fixture(scope="module")
def wheelhouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run lock's wheels, checked against its hashes. Kept in pytest's cache under the lock's
    checksum, so later runs install with no index at all: most of an install from the index is
    spent asking the index, not unpacking."""
    lock_sum = hashlib.sha256(RUN_LOCK.read_bytes()).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir(f"wheelhouse-{lock_sum}") if cache else tmp_path_factory.mktemp("wheelhouse")
    for stale in folder.parent.glob("wheelhouse-*"):  # the wheels of earlier locks
        if cache and stale != folder:
            shutil.rmtree(stale)
    done = folder / "complete"
    if not done.exists():
        subprocess.run(
            [*PIP, "download", "--require-hashes", "-r", str(RUN_LOCK), "--dest", str(folder)], check=True
        )
        done.touch()
    return folder


@pytest.fixture(scope="module")
def installed(wheel: Path, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the run lock and the wheel, installed the way pip installs for users (not
    editable); its bin folder. --no-compile only skips writing .pyc files ahead of time."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = [*PIP, "--python", str(venv / "bin" / "python"), "install", "--no-index", "--no-compile"]
    subprocess.run(
        [*install, "--find-links", str(wheelhouse), "--require-hashes", "-r", str(RUN_LOCK)], check=True
    )
    subprocess.run([*install, "--no-deps", str(wheel)], check=True)
    return venv / "bin"


@pytest.fixture
def server(installed: Path, tmp_path: Path) -> Iterator[str]:
    """`hookcast migrate`, then `hookcast serve` from the venv, on SQLite in a temporary folder."""
    env = user_environment() | {
        "HOOKCAST_DATA_DIR": str(tmp_path / "data"),
        "HOOKCAST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}",
        "HOOKCAST_ADMIN_TOKEN": "wheel-admin-token-0123456789",
    }
    hookcast = str(installed / "hookcast")
    subprocess.run([hookcast, "migrate"], cwd=tmp_path, env=env, check=True, capture_output=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [hookcast, "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, tmp_path / "serve.log")
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        code = process.wait(30)
        log.close()
    # uvicorn shuts down cleanly, then re-raises the signal, so the exit status names SIGTERM.
    said = (tmp_path / "serve.log").read_text()
    assert code in (0, -signal.SIGTERM) and "Application shutdown complete" in said, said


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"hookcast serve exited:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base}/healthz never answered 200:\n{log.read_text()}")


def test_the_installed_wheel_migrates_and_serves_pages(installed: Path, server: str) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import hookcast; print(hookcast.__file__)"],
        env=user_environment(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert Path(where).is_relative_to(installed.parent), f"hookcast imported from {where}, not the venv"

    english = httpx.get(f"{server}/ui/sign-in")  # a template from the wheel
    assert english.status_code == 200
    assert "Sign in to hookcast" in english.text
    chinese = httpx.get(f"{server}/ui/sign-in", params={"lang": "zh_CN"})  # a catalog from the wheel
    assert translation("zh_CN", "Sign in to hookcast") in chinese.text

    stylesheet = re.search(r'href="(/ui/static/[^"]+\.css)"', english.text)
    assert stylesheet, "the page links no stylesheet"
    css = httpx.get(f"{server}{stylesheet[1]}")  # a static file from the wheel
    assert css.status_code == 200
    assert css.content == (ROOT / "src/hookcast/web/static" / Path(stylesheet[1]).name).read_bytes()
