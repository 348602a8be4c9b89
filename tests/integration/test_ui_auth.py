"""Signing in and out of the web UI; the first user from HOOKCAST_ADMIN_PASSWORD."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hookcast.crypto import token_digest
from hookcast.store.accounts import User, WebSession
from tests.integration.ui_helpers import ADMIN_PASSWORD, UiClient, ui_client


@pytest.fixture
async def ui(database_url: str, tmp_path: Path) -> AsyncIterator[UiClient]:
    async with ui_client(database_url, tmp_path) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    ["/ui/projects", "/ui/projects/1", "/ui/tokens", "/ui/settings", "/ui/deliveries/1", "/ui/webhooks/1"],
)
async def test_pages_send_strangers_to_sign_in(ui: UiClient, path: str) -> None:
    answer = await ui.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/ui/sign-in?next=")


async def test_the_root_leads_to_the_ui(ui: UiClient) -> None:
    answer = await ui.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/projects"


async def test_a_wrong_password_is_refused(ui: UiClient) -> None:
    answer = await ui.sign_in(password="not-the-password")
    assert answer.status_code == 401
    assert "Wrong username or password" in answer.text
    assert "hookcast_session" not in answer.headers.get("set-cookie", "")
    assert (await ui.get("/ui/projects")).status_code == 303


async def test_an_unknown_user_is_refused(ui: UiClient) -> None:
    answer = await ui.sign_in(username="nobody")
    assert answer.status_code == 401


async def test_sign_in_then_out(ui: UiClient) -> None:
    answer = await ui.sign_in()
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/projects"
    assert (await ui.get("/ui/projects")).status_code == 200
    cookie = ui.http.cookies["hookcast_session"]
    out = await ui.post("/ui/sign-out")
    assert out.status_code == 303
    ui.http.cookies.set("hookcast_session", cookie)  # a stolen copy of the old cookie
    assert (await ui.get("/ui/projects")).status_code == 303


async def test_only_the_session_digest_is_stored(ui: UiClient) -> None:
    await ui.sign_in()
    cookie = ui.http.cookies["hookcast_session"]
    runtime = ui.http.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        stored = (await session.scalars(select(WebSession.session_digest))).all()
        user = await session.scalar(select(User))
    assert stored == [token_digest(cookie)]
    assert user is not None and user.username == "admin"
    assert ADMIN_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2")


async def test_next_only_follows_paths_inside_the_ui(ui: UiClient) -> None:
    await ui.get("/ui/sign-in")
    answer = await ui.post(
        "/ui/sign-in", {"username": "admin", "password": ADMIN_PASSWORD, "next": "https://evil.example/"}
    )
    assert answer.headers["location"] == "/ui/projects"


async def test_the_language_follows_the_browser_then_the_choice(ui: UiClient) -> None:
    chinese = await ui.get("/ui/sign-in", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "登录" in chinese.text
    english = await ui.get("/ui/sign-in?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Sign in to hookcast" in english.text
    assert "hookcast_lang=en" in english.headers["set-cookie"]


async def test_repeated_wrong_passwords_are_throttled_with_retry_after(ui: UiClient) -> None:
    for _ in range(5):
        assert (await ui.sign_in(password="not-the-password")).status_code == 401
    # Now even the right password waits: the guesser cannot tell when they hit it.
    held = await ui.sign_in()
    assert held.status_code == 429
    assert int(held.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in held.text
    assert "hookcast_session" not in held.cookies


async def test_a_throttled_name_says_so_in_chinese(ui: UiClient) -> None:
    for _ in range(5):
        await ui.sign_in(username="ghost", password="not-the-password")
    await ui.get("/ui/sign-in?lang=zh_CN")
    held = await ui.post("/ui/sign-in", {"username": "ghost", "password": "x"})
    assert held.status_code == 429
    assert "登录失败次数过多" in held.text


async def test_a_right_password_resets_the_count_of_its_name(ui: UiClient) -> None:
    for _ in range(4):
        await ui.sign_in(password="not-the-password")
    assert (await ui.sign_in()).status_code == 303
    await ui.post("/ui/sign-out")
    for _ in range(4):
        assert (await ui.sign_in(password="not-the-password")).status_code == 401
