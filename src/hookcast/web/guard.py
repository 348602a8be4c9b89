"""Who is asking is checked before what they send is read, and what they send is bounded.

FastAPI reads and parses a request's body before it solves the route's dependencies, so a token
check written as a dependency comes too late: a stranger's 256 MiB body would be read and parsed
first. This middleware runs before all of that, for the management surfaces:

- ``/api/...`` (the management API): a request that may carry a body needs a valid API token
  before one byte of the body is read (401 otherwise);
- ``/ui/...`` forms: a post needs a signed-in session, except the sign-in form itself (303 to the
  sign-in page otherwise);
- every body is capped (413): small for the API and the UI, larger only for the CSV imports; the
  body is read here, up to the cap, and handed to the app whole.

The inbound routes (``/hooks/...``, the sources' routes) authenticate with their project's token
and bound their bodies themselves, with ``HOOKCAST_MAX_BODY_BYTES``; they pass through untouched.
Headers are bounded by the HTTP server (uvicorn refuses a request head over 16 KiB).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hookcast.runtime import Runtime
from hookcast.services import projects, users
from hookcast.web.deps import API_TOKEN_CHECKED, PROJECT_TOKEN_PATHS, is_admin_token

KIB = 1024
MIB = 1024 * KIB
# Paths under /hooks/ authenticate themselves (the sources, the Feishu bot's event pushes).
SELF_AUTHENTICATED = "/hooks/"
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "hookcast_session"


@dataclass(frozen=True, slots=True)
class BodyLimits:
    api: int = 1 * MIB
    ui: int = 1 * MIB
    other: int = 64 * KIB
    upload: int = 5 * MIB + 64 * KIB  # a CSV of people (5 MiB) and its form's wrapping
    uploads: frozenset[str] = frozenset({"/api/v1/people/import", "/ui/people/import"})

    def of(self, path: str) -> int:
        if path in self.uploads:
            return self.upload
        if path.startswith("/api/"):
            return self.api
        if path.startswith("/ui/"):
            return self.ui
        return self.other


class Refused(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class RequestGuard:
    """ASGI middleware; see the module's docstring."""

    def __init__(
        self, app: ASGIApp, inbound_paths: Sequence[str] = (), limits: BodyLimits | None = None
    ) -> None:
        """``inbound_paths``: the sources' routes (``/api/v1/projects/{project_id}/events``)."""
        self.app = app
        self.limits = limits or BodyLimits()
        self.inbound = [_path_pattern(path) for path in inbound_paths]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or self._is_inbound(path):
            await self.app(scope, receive, send)
            return
        try:
            if scope["method"] in WITH_BODY:
                await self._check_caller(scope, path)
            body = await _read_capped(scope, receive, self.limits.of(path))
        except Refused as refused:
            await _answer(send, refused)
            return
        await self.app(scope, _replay(body, receive), send)

    def _is_inbound(self, path: str) -> bool:
        return path.startswith(SELF_AUTHENTICATED) or any(p.fullmatch(path) for p in self.inbound)

    async def _check_caller(self, scope: Scope, path: str) -> None:
        runtime: Runtime = scope["app"].state.runtime
        if path.startswith("/api/"):
            token = _bearer(scope)
            async with runtime.sessions.begin() as session:
                if token is None or not (
                    await is_admin_token(runtime, session, token) or await _own_project(session, path, token)
                ):
                    raise Refused(
                        401,
                        "a valid API token is required (Authorization: Bearer …)",
                        {"WWW-Authenticate": "Bearer"},
                    )
            scope.setdefault("state", {})[API_TOKEN_CHECKED] = True
        elif path.startswith("/ui/") and path != "/ui/sign-in":
            cookie = _cookie(scope, SESSION_COOKIE)
            async with runtime.sessions() as session:
                if await users.user_of_session(session, cookie) is None:
                    raise Refused(303, "sign in first", {"Location": "/ui/sign-in"})


async def _own_project(session: AsyncSession, path: str, token: str) -> bool:
    """A project's token on one of its own project's routes that take it (`PROJECT_TOKEN_PATHS`);
    the route checks the caller again (it may also answer 403 rather than 401)."""
    found = PROJECT_TOKEN_PATHS.fullmatch(path)
    if found is None:
        return False
    owner = await projects.find_by_token(session, token)
    return owner is not None and str(owner.id) == found["project_id"]


def _path_pattern(path: str) -> re.Pattern[str]:
    """``/a/{name}/b`` matches ``/a/<one segment>/b``."""
    return re.compile(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(path)))


async def _read_capped(scope: Scope, receive: Receive, limit: int) -> bytes:
    declared = _header(scope, b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refused(413 if declared.isdigit() else 400, f"request body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"request body over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as the server would

    return replayed


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1").strip()
    return None


def _bearer(scope: Scope) -> str | None:
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _cookie(scope: Scope, name: str) -> str:
    for part in (_header(scope, b"cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def _answer(send: Send, refused: Refused) -> None:
    body = json.dumps({"detail": refused.detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(key.lower().encode(), value.encode()) for key, value in refused.headers.items()]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
