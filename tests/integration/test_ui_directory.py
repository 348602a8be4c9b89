"""The IM apps and people pages of the web UI, on SQLite and PostgreSQL: sign-in, CSRF, IM apps
validated against fake platform servers (secrets never rendered), people CRUD and CSV import."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.im_servers import FakeFeishu, FakeSlack
from tests.integration.ui_helpers import UiClient, ui_client

FEISHU_SECRET = "feishu-app-secret-value-1234"
SLACK_TOKEN = "xoxb-slack-bot-token-secret-5678"
PAGES = ["/ui/settings/im-apps"]


@pytest.fixture
async def anonymous(database_url: str, tmp_path: Path) -> AsyncIterator[UiClient]:
    async with ui_client(database_url, tmp_path) as client:
        yield client


@pytest.fixture
async def ui(anonymous: UiClient) -> AsyncIterator[UiClient]:
    await anonymous.sign_in()
    yield anonymous


def card(html: str, platform: str) -> str:
    found = re.search(rf'<article [^>]*data-platform="{platform}".*?</article>', html, re.S)
    assert found, f"no {platform} card"
    return found.group(0)


@pytest.mark.parametrize("path", PAGES)
async def test_the_pages_need_sign_in(anonymous: UiClient, path: str) -> None:
    answer = await anonymous.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/ui/sign-in?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/ui/settings/im-apps/feishu",
        "/ui/settings/im-apps/feishu/delete",
    ],
)
async def test_posts_without_the_csrf_token_are_refused(ui: UiClient, path: str) -> None:
    assert (await ui.http.post(path, data={"name": "x"})).status_code == 403
    forged = await ui.http.post(path, data={"name": "x", "csrf_token": "forged" + ui.csrf})
    assert forged.status_code == 403


async def test_every_app_platform_has_a_card_with_its_credential_fields(ui: UiClient) -> None:
    html = (await ui.get("/ui/settings/im-apps")).text
    for platform in ("slack", "feishu", "lark", "dingtalk", "wecom"):
        assert "Not set up" in card(html, platform)
    assert 'name="app_id"' in card(html, "feishu") and 'name="app_secret"' in card(html, "feishu")
    assert 'name="bot_token"' in card(html, "slack")
    wecom = card(html, "wecom")
    assert all(f'name="{name}"' in wecom for name in ("corp_id", "agent_id", "secret"))
    assert 'data-platform="discord"' not in html
    assert 'href="/ui/settings/im-apps"' in (await ui.get("/ui/settings")).text


async def test_an_im_app_is_validated_saved_and_its_secret_never_shown(ui: UiClient) -> None:
    async with FakeFeishu("cli_a1b2c3d4", FEISHU_SECRET) as server:
        form = {"app_id": "cli_a1b2c3d4", "api_base_url": server.base_url, "enabled": "on"}
        wrong = await ui.post("/ui/settings/im-apps/feishu", {**form, "app_secret": "wrong-secret"})
        assert wrong.status_code == 422
        feishu = card(wrong.text, "feishu")
        assert "not saved" in feishu and "app secret invalid" in feishu
        assert 'value="cli_a1b2c3d4"' in feishu  # the form is shown again as sent
        assert "wrong-secret" not in wrong.text
        assert "Not set up" in feishu

        saved = await ui.post("/ui/settings/im-apps/feishu", {**form, "app_secret": FEISHU_SECRET})
        assert saved.status_code == 303, saved.text
        assert server.calls.tokens == 1  # tokens issued: the wrong secret got none
        page = await ui.get(saved.headers["location"])
        feishu = card(page.text, "feishu")
        assert "Enabled" in feishu and "Validated" in feishu and "UTC" in feishu
        assert "Set — leave empty to keep it" in feishu
        assert server.base_url in feishu

        # The secret left empty keeps the stored one, which is checked again.
        kept = await ui.post("/ui/settings/im-apps/feishu", form)
        assert kept.status_code == 303, kept.text
        assert server.calls.tokens == 2

        bad_url = await ui.post("/ui/settings/im-apps/feishu", {**form, "api_base_url": "ftp://x"})
        assert bad_url.status_code == 422
        assert re.search(r'id="feishu-api_base_url-error"[^>]*>[^<]*http', bad_url.text)

        disabled = await ui.post("/ui/settings/im-apps/feishu", {"app_id": "cli_a1b2c3d4"})
        assert disabled.status_code == 303
        assert server.calls.tokens == 2  # a disabled app is not checked
        shown = [
            wrong.text,
            bad_url.text,
            (await ui.get("/ui/settings/im-apps")).text,
            (await ui.get("/ui/settings")).text,
        ]
        assert "Disabled" in card(shown[2], "feishu")
        assert not any(FEISHU_SECRET in html for html in shown)


async def test_slack_scopes_are_checked_and_an_app_is_deleted(ui: UiClient) -> None:
    async with FakeSlack(SLACK_TOKEN, scopes="chat:write") as server:
        form = {"bot_token": SLACK_TOKEN, "api_base_url": server.base_url, "enabled": "on"}
        missing = await ui.post("/ui/settings/im-apps/slack", form)
        assert missing.status_code == 422
        assert "users:read" in card(missing.text, "slack")
        assert SLACK_TOKEN not in missing.text
        assert "Not set up" in card((await ui.get("/ui/settings/im-apps")).text, "slack")
    async with FakeSlack(SLACK_TOKEN) as server:
        form["api_base_url"] = server.base_url
        assert (await ui.post("/ui/settings/im-apps/slack", form)).status_code == 303
        html = (await ui.get("/ui/settings/im-apps")).text
        assert "Enabled" in card(html, "slack") and SLACK_TOKEN not in html
        deleted = await ui.post("/ui/settings/im-apps/slack/delete")
        assert deleted.status_code == 303
        html = (await ui.get(deleted.headers["location"])).text
        assert "The Slack app was deleted." in html
        assert "Not set up" in card(html, "slack")
