"""The management API and the UI check who is asking before reading what they send, and every
body is bounded (web/guard.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from hookcast.services import api_tokens
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.integration.ui_helpers import ui_client

CHUNK = b"x" * 65_536


@pytest.fixture
async def app_http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}", tmp_path)
    app = create_app(settings, ProcessRole.SERVE)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hookcast.test") as http:
            yield http


class CountedBody:
    """A streamed request body that counts how much of it the server pulled."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield CHUNK


async def test_a_stranger_body_is_not_read_before_the_token_is_checked(app_http: httpx.AsyncClient) -> None:
    body = CountedBody(chunks=256)  # 16 MiB, streamed without a length
    answer = await app_http.post("/api/v1/projects", content=body)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert body.pulled <= 1


async def test_deep_json_from_a_stranger_is_401_not_400(app_http: httpx.AsyncClient) -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    answer = await app_http.post(
        "/api/v1/projects", content=deep, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 401


async def test_a_wrong_token_is_refused_before_the_body_too(app_http: httpx.AsyncClient) -> None:
    body = CountedBody(chunks=64)
    answer = await app_http.patch(
        "/api/v1/webhooks/1", content=body, headers={"authorization": "Bearer hca_not-a-token"}
    )
    assert answer.status_code == 401
    assert body.pulled <= 1


@pytest.mark.parametrize("declared", [True, False])
async def test_an_admin_body_over_the_api_cap_is_413(app_http: httpx.AsyncClient, declared: bool) -> None:
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}", "content-type": "application/json"}
    big = b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    answer = await app_http.post(
        "/api/v1/projects", content=big if declared else CountedBody(chunks=40), headers=headers
    )
    assert answer.status_code == 413
    assert "over" in answer.json()["detail"]
    listed = await app_http.get("/api/v1/projects", headers=headers)
    assert listed.json() == []  # nothing was created


async def test_an_admin_request_within_the_cap_works(app_http: httpx.AsyncClient) -> None:
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    created = await app_http.post("/api/v1/projects", json={"name": "team/app"}, headers=headers)
    assert created.status_code == 201


async def test_a_ui_post_without_a_session_is_sent_to_sign_in_unread(app_http: httpx.AsyncClient) -> None:
    body = CountedBody(chunks=64)
    answer = await app_http.post(
        "/ui/projects", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/sign-in"
    assert body.pulled <= 1


async def test_a_signed_in_form_over_the_ui_cap_is_413(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}"
    async with ui_client(database, tmp_path) as ui:
        await ui.sign_in()
        fields = {f"f{n}": "v" * 10_000 for n in range(200)}  # 2 MB of fields
        answer = await ui.post("/ui/projects", fields)
        assert answer.status_code == 413
        assert (await ui.post("/ui/projects", {"name": "fits"})).status_code == 200


async def test_the_sign_in_form_is_bounded_too(app_http: httpx.AsyncClient) -> None:
    answer = await app_http.post("/ui/sign-in", content=CountedBody(chunks=64))
    assert answer.status_code == 413


async def test_inbound_routes_keep_their_own_auth_and_limits(app_http: httpx.AsyncClient) -> None:
    answer = await app_http.post("/hooks/gitlab", content=b"{}", headers={"x-gitlab-token": "nope"})
    assert answer.status_code == 401
    answer = await app_http.post("/api/v1/projects/1/events", json={}, headers={"authorization": "Bearer x"})
    assert answer.status_code == 401


async def test_a_write_looks_its_api_token_up_once(tmp_path: Path) -> None:
    """The guard checks the token before the body; the route's own check trusts it, instead of a
    second lookup (and a second 'last used' write) on every API write."""
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}", tmp_path)
    app = create_app(settings, ProcessRole.SERVE)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        async with runtime.sessions.begin() as session:
            token = (await api_tokens.create(session, "ci")).token
        lookups: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "FROM api_tokens" in statement:
                lookups.append(statement)

        event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hookcast.test") as http:
            headers = {"authorization": f"Bearer {token}"}
            created = await http.post("/api/v1/projects", json={"name": "team/app"}, headers=headers)
            assert created.status_code == 201
            assert len(lookups) == 1
            lookups.clear()
            listed = await http.get("/api/v1/projects", headers=headers)  # no body: the route checks
            assert listed.status_code == 200
            assert len(lookups) == 1
            refused = await http.get("/api/v1/projects", headers={"authorization": "Bearer hca_wrong"})
            assert refused.status_code == 401
