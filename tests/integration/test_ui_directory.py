"""The IM apps and people pages of the web UI, on SQLite and PostgreSQL: sign-in, CSRF, IM apps
validated against fake platform servers (secrets never rendered), people CRUD and CSV import."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.platforms.feishu import FakeFeishu
from tests.fakes.platforms.slack import FakeSlack
from tests.integration.ui_helpers import UiClient, ui_client

FEISHU_SECRET = "feishu-app-secret-value-1234"
SLACK_TOKEN = "xoxb-slack-bot-token-secret-5678"
PAGES = ["/ui/settings/im-apps", "/ui/people"]


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
        "/ui/people",
        "/ui/people/1",
        "/ui/people/1/delete",
        "/ui/people/import",
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


async def test_people_are_added_searched_edited_and_deleted(ui: UiClient) -> None:
    nav = (await ui.get("/ui/people")).text
    assert 'href="/ui/people" aria-current="page"' in nav
    assert "No people yet" in nav
    added = await ui.post(
        "/ui/people",
        {
            "name": "Bob",
            "email": "Bob@Example.com",
            "mobile": "+86 138-0000-0001",
            "gitlab_username": "@bob",
            "id_feishu": "ou_bob",
        },
    )
    assert added.status_code == 303, added.text
    listing = (await ui.get(added.headers["location"])).text
    assert "Person added." in listing
    assert "bob@example.com" in listing and "+8613800000001" in listing and "feishu: ou_bob" in listing
    person_id = int(re.search(r'href="/ui/people/(\d+)"', listing).group(1))  # type: ignore[union-attr]

    await ui.post("/ui/people", {"name": "Carol", "email": "carol@example.com"})
    found = (await ui.get("/ui/people", params={"search": "EXAMPLE.com"})).text
    assert "Bob" in found and "Carol" in found
    found = (await ui.get("/ui/people", params={"search": "caro"})).text
    assert "Carol" in found and "bob@example.com" not in found
    assert "Nobody matches" in (await ui.get("/ui/people", params={"search": "zed"})).text

    duplicate = await ui.post("/ui/people", {"name": "Bob 2", "email": "bob@example.com"})
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.text and 'value="Bob 2"' in duplicate.text
    bad = await ui.post("/ui/people", {"name": "Bad", "email": "not-an-email"})
    assert bad.status_code == 422
    assert re.search(r'id="email-error"[^>]*>[^<]*not an email address', bad.text)
    nobody = await ui.post("/ui/people", {"name": "No handle"})
    assert (
        nobody.status_code == 422
        and "give an email, a mobile, a GitLab username or a GitHub login" in nobody.text
    )

    form = (await ui.get(f"/ui/people/{person_id}")).text
    assert 'value="bob@example.com"' in form and 'value="ou_bob"' in form
    clash = await ui.post(f"/ui/people/{person_id}", {"name": "Bob", "email": "carol@example.com"})
    assert clash.status_code == 422 and "already exists" in clash.text
    edited = await ui.post(
        f"/ui/people/{person_id}",
        {"name": "Robert", "email": "bob@example.com", "gitlab_username": "bob", "id_slack": "U1"},
    )
    assert edited.status_code == 303, edited.text
    listing = (await ui.get("/ui/people")).text
    assert "Robert" in listing and "slack: U1" in listing
    assert "feishu: ou_bob" not in listing and "+8613800000001" not in listing  # cleared in the form

    deleted = await ui.post(f"/ui/people/{person_id}/delete")
    assert deleted.status_code == 303
    listing = (await ui.get(deleted.headers["location"])).text
    assert "Person deleted." in listing and "Robert" not in listing and "Carol" in listing


async def test_a_csv_import_reports_each_bad_row_by_its_line(ui: UiClient) -> None:
    await ui.post("/ui/people", {"name": "Old Bob", "email": "bob@example.com"})
    csv_text = (
        "name,email,mobile,gitlab_username,feishu_id\n"
        "Bob,bob@example.com,,bob,ou_bob\n"  # updates Old Bob
        "Carol,carol@example.com,+8613800000002,,\n"  # new
        "Bad,not-an-email,,,\n"  # line 4
        "Nobody,,,,ou_x\n"  # line 5
    )
    files = {"file": ("people.csv", csv_text.encode(), "text/csv")}
    answer = await ui.http.post("/ui/people/import", data={"csrf_token": ui.csrf}, files=files)
    assert answer.status_code == 200, answer.text
    assert "Import done: 1 added, 1 updated." in answer.text
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", answer.text)
    assert [line for line, _ in rows] == ["4", "5"]
    assert "not an email address" in rows[0][1]
    assert "no email, mobile, GitLab username or GitHub login" in rows[1][1]
    listing = (await ui.get("/ui/people")).text
    assert "feishu: ou_bob" in listing and "+8613800000002" in listing and "Old Bob" not in listing

    unknown = {"file": ("people.csv", b"name,phone\nX,1\n", "text/csv")}
    answer = await ui.http.post("/ui/people/import", data={"csrf_token": ui.csrf}, files=unknown)
    assert re.search(r"<tr><td>1</td><td>unknown column\(s\) phone", answer.text)
    latin1 = {"file": ("people.csv", "name,email\nJosé,j@example.com\n".encode("latin-1"), "text/csv")}
    answer = await ui.http.post("/ui/people/import", data={"csrf_token": ui.csrf}, files=latin1)
    assert answer.status_code == 422 and "the CSV must be UTF-8" in answer.text
    empty = {"file": ("", b"", "application/octet-stream")}
    answer = await ui.http.post("/ui/people/import", data={"csrf_token": ui.csrf}, files=empty)
    assert answer.status_code == 422 and "choose a CSV file" in answer.text
