"""Routing rules and "why did (not) this notify?" in headless Chromium: a rule typed into the
webhook form, the one-click bots rule (JavaScript puts it first), the rules tried on the push
sample, saved, and a delivered push's explanation opened from the deliveries list."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Hookcast, screenshot
from tests.browser.test_ui_browser import first_delivery_row, new_project, post_push

pytestmark = pytest.mark.browser


def test_a_rule_is_edited_tried_saved_and_an_event_explained(page: Page, hookcast: Hookcast) -> None:
    bot = hookcast.fake.server.add_bot("feishu")
    project_id, token = new_project(page, "ruled")
    page.locator('article[data-platform="feishu"]').get_by_role("link", name="Set up").click()
    page.get_by_label("Webhook", exact=True).fill(bot.url)
    page.get_by_label("Branches for which notifications are to be sent").select_option("all")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved.")

    rules = page.get_by_label("Rules (JSON)")
    rules.fill(json.dumps([{"name": "frontend only", "match": {"paths": ["web/**"]}, "action": "skip"}]))
    page.get_by_test_id("exclude-bots").click()
    edited = json.loads(rules.input_value())
    assert [rule.get("name") for rule in edited] == ["exclude bots and service accounts", "frontend only"]
    assert edited[0]["match"] == {"only_bots": True} and edited[0]["action"] == "skip"

    page.get_by_label("Try these rules on").select_option("sample:push")
    page.get_by_test_id("try-rules").click()
    answer = page.get_by_test_id("try-answer")
    expect(page.get_by_test_id("try-outcome")).to_have_text("Delivered")
    expect(answer).to_contain_text("No rule decided: delivered.")
    expect(answer.get_by_test_id("rule-step").nth(0)).to_contain_text("did not match: only_bots")
    expect(answer.get_by_test_id("rule-step").nth(1)).to_contain_text("did not match: paths")
    assert [rule.get("name") for rule in json.loads(rules.input_value())] == [
        "exclude bots and service accounts",
        "frontend only",
    ], "trying keeps what was typed"
    answer.scroll_into_view_if_needed()
    screenshot(page, "rules-tried")

    rules.fill("[{]")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#rules-error")).to_contain_text("rules: not JSON (line 1, column 3)")
    rules.fill(json.dumps(edited))
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved.")
    assert len(json.loads(page.get_by_label("Rules (JSON)").input_value())) == 2

    post_push(hookcast, token)
    first_delivery_row(page, f"/ui/projects/{project_id}/deliveries").get_by_test_id("why").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why did (not) this notify?")
    explained = page.get_by_test_id("explained-webhook")
    expect(explained).to_have_count(1)
    expect(explained.get_by_test_id("outcome")).to_have_text("Delivered")
    expect(explained).to_contain_text("no rule decided")
    expect(explained.get_by_test_id("explained-delivery")).to_have_count(1)
    screenshot(page, "event-explained")
    page.goto(page.url + "?lang=zh_CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("为什么通知了（或没有通知）？")
