"""Silences in headless Chromium: reached from the project page, made with the form (pre-filled
as an alert card's "Silence 1 h" link fills it), listed as in force and ending within a day,
expired with the button, then listed as expired; a silenced push shows "silenced by" in the
history, linked to its silence; the page in Chinese."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Hookcast, screenshot
from tests.browser.test_ui_browser import new_project, post_push
from tests.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.browser


def test_a_silence_is_made_listed_mutes_a_push_and_is_expired(page: Page, hookcast: Hookcast) -> None:
    project_id, token = new_project(page, "silenced-app")
    page.goto(f"/ui/projects/{project_id}")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Silences")).to_be_visible()
    page.locator(f'main a[href="/ui/silences?project={project_id}"]').click()
    expect(page).to_have_url(f"{hookcast.base_url}/ui/silences?project={project_id}")
    expect(page.locator("#scope")).to_have_value(str(project_id))

    # What the alert card's button opens: the form filled with the group's labels and an hour.
    page.goto(f"/ui/silences?project={project_id}&match=alertname%3D%22DiskFull%22&duration=1h")
    expect(page.locator("#alert_labels")).to_have_value('alertname="DiskFull"')
    expect(page.locator("#duration")).to_have_value("1h")
    page.get_by_role("button", name="Create silence").click()
    expect(page.locator("#comment")).to_have_attribute("aria-invalid", "true")  # a comment is required

    page.locator("#alert_labels").fill("")
    page.get_by_label("Branches or tags").fill("master")
    page.get_by_role("textbox", name="Comment").fill("freeze during the migration")
    page.get_by_role("button", name="Create silence").click()
    expect(page.get_by_test_id("silence-created")).to_be_visible()
    active = page.get_by_test_id("silences-active")
    expect(active).to_contain_text("freeze during the migration")
    expect(active).to_contain_text("refs: master")
    expect(active.get_by_test_id("expiring-soon")).to_be_visible()
    screenshot(page, "silences")

    # A push to master is recorded as silenced, with its silence linked, and never sent.
    bot = hookcast.fake.server.add_bot("discord")
    made = httpx.post(
        f"{hookcast.base_url}/api/v1/projects/{project_id}/webhooks",
        json={"platform": "discord", "url": bot.url, "branches_to_be_notified": "all"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert made.status_code == 201, made.text
    post_push(hookcast, token)
    page.goto(f"/ui/projects/{project_id}/deliveries")
    row = page.get_by_test_id("silenced-row")
    expect(row).to_contain_text("Silenced by freeze during the migration")
    row.get_by_role("link").click()
    expect(page.locator("tr[id^=silence-]").first).to_contain_text("freeze during the migration")
    assert bot.received == []

    page.goto(f"/ui/silences?project={project_id}")
    page.get_by_role("button", name="Expire now").first.click()
    expect(page.get_by_test_id("silences-active")).to_have_count(0)
    expect(page.get_by_test_id("silences-expired")).to_contain_text("freeze during the migration")

    page.goto(f"/ui/silences?project={project_id}&lang=zh_CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("静默")
