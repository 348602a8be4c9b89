"""Browser tests: a real hookcast (uvicorn on 127.0.0.1, SQLite) and fake chat platforms, driven by
Debian's headless Chromium through Playwright."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from tests.conftest import make_settings, unavailable
from tests.integration.ui_helpers import ADMIN_PASSWORD, ADMIN_USER, ThreadedFakeServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# Where screenshots go: an ignored folder, so that running the tests rewrites no tracked file.
# ``make screenshots`` sets HOOKCAST_SCREENSHOTS=docs/screenshots to refresh the README's pictures.
DEFAULT_SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass
class Hookcast:
    base_url: str
    fake: ThreadedFakeServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def hookcast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hookcast]:
    """hookcast serving on a random local port, in its own thread and event loop."""
    data_dir = tmp_path_factory.mktemp("hookcast")
    settings = make_settings(
        f"sqlite+aiosqlite:///{data_dir / 'hookcast.db'}", data_dir, admin_password=ADMIN_PASSWORD
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, ProcessRole.SERVE), host="127.0.0.1", port=port, log_config=None, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    with ThreadedFakeServer() as fake:
        thread.start()
        ready = threading.Event()
        for _ in range(600):
            if server.started:
                ready.set()
                break
            ready.wait(0.05)
        assert server.started, "hookcast did not start"
        try:
            yield Hookcast(f"http://127.0.0.1:{port}", fake)
        finally:
            server.should_exit = True
            thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, hookcast: Hookcast) -> Iterator[Page]:
    """A signed-in page at desktop size, in English."""
    context = browser.new_context(viewport=DESKTOP, base_url=hookcast.base_url, locale="en-US")
    tab = context.new_page()
    sign_in(tab)
    yield tab
    context.close()


def sign_in(tab: Page, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> None:
    tab.goto("/ui/sign-in")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()


def screenshots_dir() -> Path:
    """HOOKCAST_SCREENSHOTS (relative to the repository), else test-artifacts/screenshots."""
    chosen = os.environ.get("HOOKCAST_SCREENSHOTS", "").strip()
    return ROOT / chosen if chosen else DEFAULT_SCREENSHOTS


def screenshot(tab: Page, name: str) -> None:
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(folder / f"{name}.png"))
