"""Security headers on every answer, a script-tight policy on the pages, Secure cookies behind
an https:// public URL (web/headers.py, web/ui/sessions.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from tests.conftest import make_settings
from tests.integration.ui_helpers import ui_client

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "hookcast" / "web" / "templates"


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}", tmp_path)
    app = create_app(settings, ProcessRole.SERVE)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hookcast.test") as client:
            yield client


async def test_pages_allow_only_their_own_scripts_and_no_framing(http: httpx.AsyncClient) -> None:
    answer = await http.get("/ui/sign-in")
    policy = answer.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["cache-control"] == "no-store"


async def test_static_files_may_be_cached_and_other_answers_are_nosniff(http: httpx.AsyncClient) -> None:
    css = await http.get("/ui/static/hookcast.css")
    assert css.status_code == 200
    assert "no-store" not in css.headers.get("cache-control", "")
    health = await http.get("/healthz")
    assert health.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in health.headers
    refused = await http.post("/api/v1/projects", json={})
    assert refused.status_code == 401
    assert refused.headers["x-content-type-options"] == "nosniff"


def test_no_template_carries_inline_script() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(("public_url", "secure"), [("https://hooks.example.com", True), (None, False)])
async def test_cookies_are_secure_behind_an_https_public_url(
    tmp_path: Path, public_url: str | None, secure: bool
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}"
    async with ui_client(database, tmp_path, public_url=public_url) as ui:
        form = await ui.get("/ui/sign-in")
        nonce = form.cookies["hookcast_csrf"]
        # Sent by hand: the test talks plain HTTP, and a client keeps Secure cookies for HTTPS.
        signed_in = await ui.http.post(
            "/ui/sign-in",
            data={"csrf_token": ui.csrf, "username": "admin", "password": "correct-horse-battery"},
            headers={"cookie": f"hookcast_csrf={nonce}"},
        )
        assert signed_in.status_code == 303
        for answer, cookie in ((form, "hookcast_csrf"), (signed_in, "hookcast_session")):
            header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(cookie + "="))
            assert ("; secure" in header.lower()) is secure
