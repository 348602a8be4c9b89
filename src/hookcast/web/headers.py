"""Security headers on every answer, and a content security policy on the pages hookcast draws.

- Every answer: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` (a URL
  of hookcast's, which may name a project, never leaks to another site).
- The UI, the guide and the API's documentation (``/ui/...``, ``/guide/...``, ``/docs``): a
  policy that allows scripts from hookcast itself only (no inline script, no other origin), no
  framing by anyone (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` for old
  browsers), forms that post only to hookcast.
  Inline ``style`` attributes stay allowed: the preview colours a card with one.
- UI pages other than static files: ``Cache-Control: no-store``, so a signed-in page is never
  kept by a shared cache or shown again from the browser's history after sign-out.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGES = ("/ui/", "/guide/", "/docs")
STATIC = "/ui/static/"


def headers_for(path: str) -> dict[str, str]:
    headers = dict(EVERY_ANSWER)
    if path.startswith(PAGES):
        headers["Content-Security-Policy"] = PAGE_POLICY
        headers["X-Frame-Options"] = "DENY"
        if path.startswith("/ui/") and not path.startswith(STATIC):
            headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeaders:
    """ASGI middleware adding :func:`headers_for` to each answer (without replacing a header a
    route set itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
