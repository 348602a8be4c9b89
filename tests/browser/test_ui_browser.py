"""The web UI in headless Chromium: the set-up story end to end ("the seed story": project and token,
Feishu webhook, test message, a push delivered, its history, resend), validation, CSRF, previews of
every platform, Chinese, phone width. Saves the screenshots shown in the README."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName
from hookcast.platforms.telegram import TONE_MARK
from tests.browser.conftest import DESKTOP, PHONE, Hookcast, screenshot, sign_in
from tests.fakes.im_servers import FakeImServer
from tests.fakes.platforms.feishu import FakeFeishu
from tests.fixtures import load_fixture

pytestmark = pytest.mark.browser
SECRET = "browser-test-signing-secret"


def new_project(page: Page, name: str) -> tuple[int, str]:
    page.goto("/ui/projects")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create project").click()
    token = page.locator("#gitlab-token").input_value()
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", page.content()).group(1))  # type: ignore[union-attr]
    return project_id, token


def post_push(hookcast: Hookcast, token: str) -> None:
    answer = httpx.post(
        f"{hookcast.base_url}/hooks/gitlab",
        content=load_fixture("docs/push.json"),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"},
    )
    assert answer.status_code == 202, answer.text


def test_a_wrong_password_is_refused(browser: Browser, hookcast: Hookcast) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=hookcast.base_url, locale="en-US")
    tab = context.new_page()
    tab.goto("/ui/projects")
    expect(tab).to_have_url(re.compile(r"/ui/sign-in\?next="))
    screenshot(tab, "sign-in")
    sign_in(tab, password="not-the-password")
    expect(tab.get_by_role("alert")).to_contain_text("Wrong username or password")
    sign_in(tab)
    expect(tab).to_have_url(re.compile(r"/ui/projects$"))
    tab.get_by_role("button", name="Sign out").click()
    expect(tab).to_have_url(re.compile(r"/ui/sign-in"))
    context.close()


def first_delivery_row(page: Page, listing: str) -> Locator:
    """The first row of the deliveries page ``listing``, once there is one (reloading meanwhile)."""
    page.goto(listing)
    for _ in range(100):
        if page.locator("tr[data-delivery]").count():
            break
        page.wait_for_timeout(100)
        page.reload()
    return page.locator("tr[data-delivery]").first


def test_the_seed_story_from_project_to_resent_delivery(page: Page, hookcast: Hookcast) -> None:
    bot = hookcast.fake.server.add_bot("feishu", secret=SECRET)
    project_id, token = new_project(page, "diaspora")
    assert token.startswith("hcp_")
    expect(page.locator("#gitlab-url")).to_have_value(f"{hookcast.base_url}/hooks/gitlab")
    expect(page.locator("#alertmanager-url")).to_have_value(f"{hookcast.base_url}/hooks/alertmanager")
    copy = page.locator('button[data-copy="#gitlab-token"]')
    copy.click()
    expect(copy).to_have_text("Copied")
    screenshot(page, "project-created")

    page.goto(f"/ui/projects/{project_id}")  # shown once
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rotate token").click()
    rotated = page.locator("#gitlab-token").input_value()
    assert rotated.startswith("hcp_") and rotated != token
    token = rotated

    card = page.locator('article[data-platform="feishu"]')
    expect(card).to_contain_text("Not set up")
    card.get_by_role("link", name="Set up").click()
    page.get_by_label("Active").check()
    page.get_by_label("简体中文").check()
    page.get_by_label("Webhook", exact=True).fill(bot.url)
    page.get_by_label("Signing secret").fill(SECRET)
    page.get_by_label("Branches for which notifications are to be sent").select_option("all")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved.")
    expect(page.get_by_label("Signing secret")).to_have_attribute("placeholder", re.compile("^Set"))
    assert SECRET not in page.content() and bot.url not in page.content()
    screenshot(page, "integration-form")

    page.get_by_role("button", name="Test settings").click()
    answer = page.get_by_test_id("test-answer")
    expect(answer).to_contain_text("Test message sent.")
    expect(answer).to_contain_text('"msg": "success"')
    assert len(bot.received) == 1

    post_push(hookcast, token)
    row = first_delivery_row(page, f"/ui/projects/{project_id}/deliveries?state=delivered")
    expect(row).to_contain_text("Push")
    expect(row).to_contain_text("Delivered")
    screenshot(page, "deliveries")
    row.get_by_role("link").first.click()
    expect(page.locator("details.attempt")).to_have_count(1)
    expect(page.locator("details.attempt").first).to_contain_text("HTTP status 200")
    expect(page.locator("pre.json").first).to_contain_text('"msg_type": "interactive"')
    screenshot(page, "delivery")

    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("status")).to_contain_text("Queued to be sent again.")
    for _ in range(100):
        if page.locator("details.attempt").count() == 2:
            break
        page.wait_for_timeout(100)
        page.reload()
    expect(page.locator("details.attempt")).to_have_count(2)
    assert len(bot.received) == 3

    page.goto(f"/ui/projects/{project_id}")
    card = page.locator('article[data-platform="feishu"]')
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("Delivered")
    screenshot(page, "project")
    page.goto("/ui/projects")
    screenshot(page, "projects")


def test_validation_errors_are_shown_inline(page: Page) -> None:
    project_id, _ = new_project(page, "validation")
    page.goto(f"/ui/projects/{project_id}/integrations/dingtalk")
    page.get_by_label("Webhook", exact=True).fill("https://evil.example.com/robot/send?access_token=x")
    page.get_by_role("button", name="Save", exact=True).click()
    url_field = page.get_by_label("Webhook", exact=True)
    expect(url_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#url-error")).to_contain_text("DingTalk webhook URLs must be https on")
    expect(page.get_by_role("alert").first).to_contain_text("Please fix the errors below.")


def test_posts_without_the_right_csrf_token_are_refused(page: Page) -> None:
    without = page.request.post("/ui/projects", form={"name": "forged"})
    assert without.status == 403
    wrong = page.request.post("/ui/projects", form={"name": "forged", "csrf_token": "not-it"})
    assert wrong.status == 403
    page.goto("/ui/projects")
    expect(page.get_by_role("link", name="forged")).to_have_count(0)


def body_colour(platform: PlatformName, body: dict[str, Any]) -> str:
    """Where each platform's body carries the message colour."""
    if platform in (PlatformName.FEISHU, PlatformName.LARK):
        return str(body["card"]["header"]["template"])
    if platform in (PlatformName.SLACK, PlatformName.MATTERMOST):
        return str(body["attachments"][0]["color"])
    if platform is PlatformName.DISCORD:
        return f"#{body['embeds'][0]['color']:06X}"
    if platform is PlatformName.TEAMS:
        return str(body["attachments"][0]["content"]["body"][0]["color"])
    if platform is PlatformName.TELEGRAM:  # no colours: the text starts with the tone's mark
        return next(mark for mark in TONE_MARK.values() if body["text"].startswith(mark))
    if platform is PlatformName.GOOGLE_CHAT:  # a tone dot opens the card's body paragraph
        content = body["cardsV2"][0]["card"]["sections"][0]["widgets"][0]["textParagraph"]
    else:
        content = body.get("markdown") or body.get("actionCard") or {}
    text = str(content.get("text") or content.get("content") or "")
    found = re.search(r'<font color="([^"]+)">', text)
    assert found
    return found.group(1)


def css_rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_the_preview_of_every_platform(page: Page, platform: PlatformName) -> None:
    project_id, _ = new_project(page, f"preview-{platform.value}")
    page.goto(f"/ui/projects/{project_id}/integrations/{platform.value}")
    for kind, tone_word in (("push", "success"), ("vulnerability", "failure")):
        page.get_by_label("Event", exact=True).select_option(kind)
        expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
        preview = page.get_by_test_id("preview")
        expect(preview).to_have_attribute("data-kind", kind)
        body = json.loads(page.get_by_test_id("preview-json").inner_text())
        rendition = preview.locator(".rendition")
        colour = rendition.get_attribute("data-colour")
        assert colour is not None
        assert colour.lower() == body_colour(platform, body).lower(), tone_word
        accent = rendition.evaluate("el => getComputedStyle(el).getPropertyValue('--accent').trim()")
        painted = rendition.evaluate(
            "el => { const s = getComputedStyle(el);"
            " const t = getComputedStyle(el.querySelector('.rendition-title'));"
            " return [s.borderLeftColor, s.borderTopColor, t.backgroundColor, t.color]; }"
        )
        assert css_rgb(accent) in painted
    page.get_by_label("简体中文").check()
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_test_id("preview-json")).to_contain_text("漏洞")
    if platform is PlatformName.FEISHU:
        page.locator("#preview-title").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('preview-title').scrollIntoView()")
        screenshot(page, "preview")


def test_the_ui_switches_to_chinese(page: Page) -> None:
    project_id, _ = new_project(page, "中文项目")
    page.goto(f"/ui/projects/{project_id}/integrations/feishu")
    page.get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="项目")).to_be_visible()
    for text in (
        "启用集成",
        "触发器",
        "需要通知的流水线",  # the label of the select whose options say "仅通知失败的流水线"
        "发送通知的分支",
        "需要通知的标记",
        "需要通知的标记的匹配方式",
    ):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot(page, "integration-form-zh")
    page.goto("/ui/projects")
    expect(page.get_by_role("heading", name="项目", exact=True)).to_be_visible()  # the choice is remembered
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()


def test_pages_fit_a_phone(browser: Browser, hookcast: Hookcast) -> None:
    context = browser.new_context(viewport=PHONE, base_url=hookcast.base_url, locale="en-US", is_mobile=True)
    tab = context.new_page()
    sign_in(tab)
    project_id, _ = new_project(tab, "phone")
    pages = [
        "/ui/projects",
        f"/ui/projects/{project_id}",
        f"/ui/projects/{project_id}/integrations/feishu",
        f"/ui/projects/{project_id}/deliveries",
        "/ui/settings",
        "/ui/tokens",
    ]
    for path in pages:
        tab.goto(path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    tab.goto(f"/ui/projects/{project_id}/integrations/feishu")
    expect(tab.get_by_role("button", name="Save", exact=True)).to_be_visible()
    screenshot(tab, "phone-integration-form")
    context.close()


def test_settings_and_api_tokens(page: Page) -> None:
    page.goto("/ui/settings")
    expect(page.get_by_role("link", name="IM apps")).to_have_attribute("href", "/ui/settings/im-apps")
    page.get_by_label("Keep delivery history (days)").fill("14")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    screenshot(page, "settings")
    page.goto("/ui/tokens")
    page.get_by_label("Name").fill("ci-bot")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#api-token").input_value()
    assert token.startswith("hca_")
    screenshot(page, "api-tokens")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke ci-bot").click()
    expect(page.get_by_role("button", name="Revoke ci-bot")).to_have_count(0)


@contextmanager
def threaded(server: FakeImServer) -> Iterator[FakeImServer]:
    """A fake IM app server on its own event loop in a thread (the browser tests are synchronous)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(timeout=30)
        yield server
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(timeout=30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)


def test_the_feishu_im_app_is_checked_and_people_are_imported(page: Page) -> None:
    app_secret = "browser-feishu-app-secret"
    with threaded(FakeFeishu("cli_browser01", app_secret)) as fake:
        page.goto("/ui/settings")
        page.get_by_role("link", name="IM apps").click()
        card = page.locator('article[data-platform="feishu"]')
        expect(card).to_contain_text("Not set up")
        card.get_by_label("App ID").fill("cli_browser01")
        card.get_by_label("App Secret").fill("not-the-secret")
        card.get_by_label("API base URL (optional)").fill(fake.base_url)
        card.get_by_role("button", name="Save Feishu").click()
        expect(card.get_by_role("alert")).to_contain_text("app secret invalid")
        expect(card.get_by_label("App ID")).to_have_value("cli_browser01")
        card.get_by_label("App Secret").fill(app_secret)
        card.get_by_role("button", name="Save Feishu").click()
        expect(page.get_by_role("status")).to_contain_text("The Feishu app was checked and saved.")
        expect(card).to_contain_text("Enabled")
        secret_field = card.get_by_label("App Secret")
        expect(secret_field).to_have_value("")
        expect(secret_field).to_have_attribute("placeholder", "Set — leave empty to keep it")
        assert app_secret not in page.content()
        assert fake.calls.tokens == 1
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "im-apps")

    page.get_by_role("link", name="People").click()
    page.get_by_label("Name", exact=True).fill("Alice Wang")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status")).to_contain_text("Person added.")
    page.get_by_label("Name", exact=True).fill("Octo Cat")
    page.get_by_label("GitHub login", exact=True).fill("octo--cat")
    page.get_by_role("button", name="Add person").click()
    login = page.get_by_label("GitHub login", exact=True)
    expect(login).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#github_login-error")).to_contain_text("Not a GitHub login")
    login.fill("OctoCat")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status")).to_contain_text("Person added.")
    expect(page.get_by_role("cell", name="OctoCat", exact=True)).to_be_visible()
    csv_text = (
        "name,email,mobile,gitlab_username,feishu_id\n"
        "Bob Li,bob@example.com,+8613800000001,bob,ou_bob\n"
        "Carol Zhang,carol@example.com,,carol,\n"
        "Dan,not-an-email,,,\n"
        "Alice Wang,alice@example.com,+8613800000003,alice,\n"
    )
    page.get_by_label("CSV file (UTF-8)").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("Import done: 2 added, 1 updated.")
    expect(page.get_by_test_id("import-errors").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("import-errors").locator("tbody tr")).to_contain_text("4")
    expect(page.get_by_test_id("import-errors")).to_contain_text("not an email address")
    expect(page.get_by_role("cell", name="feishu: ou_bob")).to_be_visible()
    expect(page.get_by_role("cell", name="+8613800000003")).to_be_visible()
    screenshot(page, "people")
    page.get_by_label("Search", exact=True).fill("carol")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Search", exact=True).fill("octocat")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Octo Cat")


def test_the_preview_shows_a_merge_requests_later_messages(page: Page) -> None:
    project_id, _ = new_project(page, "preview-living")
    page.goto(f"/ui/projects/{project_id}/integrations/slack")
    page.get_by_label("Event", exact=True).select_option("merge_request")
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
    states = page.get_by_test_id("preview-state")
    expect(states).to_have_count(3)
    expect(states.nth(0)).to_have_text("First message")
    expect(states.nth(2)).to_contain_text("merged by Ann")
    expect(page.get_by_test_id("preview").locator(".rendition")).to_have_count(3)
