"""Helpers for the web UI tests: a signed-in browser-like client over ASGI."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from tests.conftest import make_settings

ADMIN_USER = "admin"
ADMIN_PASSWORD = "correct-horse-battery"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class UiClient:
    """An HTTP client that keeps cookies and fills in the CSRF token like a browser form does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""

    async def get(self, path: str, **kwargs: object) -> httpx.Response:
        answer = await self.http.get(path, **kwargs)  # type: ignore[arg-type]
        if "csrf_token" in answer.text:
            self.csrf = csrf_of(answer.text)
        return answer

    async def post(self, path: str, data: dict[str, object] | None = None) -> httpx.Response:
        if not self.csrf:
            await self.get("/ui/sign-in")
        answer = await self.http.post(path, data={"csrf_token": self.csrf, **(data or {})})  # type: ignore[arg-type]
        if "csrf_token" in answer.text:
            self.csrf = csrf_of(answer.text)
        return answer

    async def sign_in(self, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> httpx.Response:
        await self.get("/ui/sign-in")
        answer = await self.post(
            "/ui/sign-in", {"username": username, "password": password, "next": "/ui/projects"}
        )
        if answer.status_code == 303:
            # Like a browser: the page signed in to carries the form token of the new session.
            await self.get(answer.headers["location"])
        return answer


@asynccontextmanager
async def ui_client(database_url: str, data_dir: Path, **overrides: object) -> AsyncIterator[UiClient]:
    settings = make_settings(database_url, data_dir, admin_password=ADMIN_PASSWORD, **overrides)
    app = create_app(settings, ProcessRole.SERVE)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hookcast.test") as http:
            http.app = app  # type: ignore[attr-defined]
            yield UiClient(http)


class ThreadedFakeServer:
    """A FakePlatformServer on its own event loop in a thread, for synchronous tests (CLI, browser)."""

    def __init__(self) -> None:
        import asyncio
        import threading

        from tests.fakes.platform_server import FakePlatformServer

        self.loop = asyncio.new_event_loop()
        self.server = FakePlatformServer()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ThreadedFakeServer:
        import asyncio

        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(timeout=30)
        return self

    def __exit__(self, *exc_info: object) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
