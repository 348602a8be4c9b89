"""Fake IM app servers: real aiohttp HTTP on 127.0.0.1, one app per platform at the real paths.

This module is the generic part; each platform's fake (``FakeSlack``, ``FakeFeishu``, ...) is
in its module under ``tests/fakes/platforms/``.

Each plays a platform's token endpoint (tokens that expire, and `expire_tokens()` to expire them
mid-run), its user look-up by email / mobile (unknown users answered as the platform does), and
its send endpoint, which records what it gets. `script()` queues answers for the next sends:
``"rate_limit"``, ``"expired_token"``, ``"busy"``.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web


@dataclass(frozen=True)
class FakeUser:
    user_id: str
    email: str | None = None
    mobile: str | None = None


@dataclass(frozen=True)
class Sent:
    user_id: str
    body: dict[str, Any]


@dataclass
class Calls:
    tokens: int = 0
    lookups: int = 0
    sends: int = 0
    problems: list[str] = field(default_factory=list)


class FakeImServer:
    platform: ClassVar[str]

    def __init__(self, credentials: dict[str, str], token_lifetime: int = 7200) -> None:
        self.credentials = credentials
        self.token_lifetime = token_lifetime
        self.users: list[FakeUser] = []
        self.sent: list[Sent] = []
        self.calls = Calls()
        self.valid_tokens: set[str] = set()
        self._scripted: deque[str] = deque()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- control ------------------------------------------------------------------------

    def add_user(self, user_id: str, *, email: str | None = None, mobile: str | None = None) -> FakeUser:
        user = FakeUser(user_id, email, mobile)
        self.users.append(user)
        return user

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def script(self, *answers: str) -> None:
        self._scripted.extend(answers)

    def next_scripted(self) -> str | None:
        return self._scripted.popleft() if self._scripted else None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeImServer:
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- helpers --------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    def issue_token(self) -> str:
        self.calls.tokens += 1
        token = f"{self.platform}-token-{secrets.token_hex(8)}"
        self.valid_tokens.add(token)
        return token

    def by_email(self, email: str) -> FakeUser | None:
        return next((u for u in self.users if u.email and u.email.lower() == email.lower()), None)

    def by_mobile(self, mobile: str) -> FakeUser | None:
        return next((u for u in self.users if u.mobile == mobile), None)

    def by_id(self, user_id: str) -> FakeUser | None:
        return next((u for u in self.users if u.user_id == user_id), None)


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def bearer(request: web.Request) -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
