"""What a first hour with the UI runs into, clicked through in headless Chromium: the deliveries
filters, a failed save, the preview's keyword, a paused webhook holding deliveries, resending,
phone width, and Chinese pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Hookcast, sign_in
from tests.browser.test_ui_browser import new_project, post_push
from tests.integration.ui_helpers import ADMIN_PASSWORD, ADMIN_USER

pytestmark = pytest.mark.browser
# Nobody listens on the discard port: every attempt ends in a refused connection.
REFUSING_URL = "http://127.0.0.1:9/open-apis/bot/v2/hook/nobody-listens"


def set_up_feishu(page: Page, project_id: int, url: str, name: str = "") -> int:
    """The Feishu integration of the project, saved through the form; its webhook id."""
    page.goto(f"/ui/projects/{project_id}/integrations/feishu")
    page.get_by_label("Webhook", exact=True).fill(url)
    page.get_by_label("Name (optional)").fill(name)
    page.get_by_label("Branches for which notifications are to be sent").select_option("all")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved.")
    found = re.search(r"/ui/webhooks/(\d+)", page.url)
    assert found
    return int(found.group(1))


def reload_until(page: Page, ready: str, tries: int = 150) -> None:
    """Reload until the page shows ``ready`` (a CSS selector): the worker runs on its own time."""
    for _ in range(tries):
        if page.locator(ready).count():
            return
        page.wait_for_timeout(100)
        page.reload()
    expect(page.locator(ready).first).to_be_visible()


def test_the_deliveries_filters_as_a_user_clicks_them(page: Page, hookcast: Hookcast) -> None:
    bot = hookcast.fake.server.add_bot("feishu")
    project_id, token = new_project(page, "filters")
    webhook_id = set_up_feishu(page, project_id, bot.url)
    post_push(hookcast, token)
    page.goto(f"/ui/projects/{project_id}/deliveries")
    reload_until(page, "tr[data-delivery] .badge-delivered")

    page.get_by_label("Status").select_option("delivered")  # Integration stays "All"
    expect(page).to_have_url(re.compile(r"state=delivered&webhook_id=$"))
    expect(page.get_by_role("heading", name="Deliveries")).to_be_visible()
    expect(page.locator("tr[data-delivery]")).to_have_count(1)
    expect(page.locator("tr[data-delivery]")).to_contain_text("Delivered")

    page.get_by_label("Status").select_option("dead")
    expect(page).to_have_url(re.compile(r"state=dead&webhook_id=$"))
    expect(page.locator("tr[data-delivery]")).to_have_count(0)
    expect(page.get_by_text("No deliveries match these filters.")).to_be_visible()

    page.get_by_label("Status").select_option("")
    page.get_by_label("Integration").select_option(str(webhook_id))
    expect(page).to_have_url(re.compile(rf"state=&webhook_id={webhook_id}$"))
    expect(page.locator("tr[data-delivery]")).to_have_count(1)

    for bad in ("webhook_id=abc", "webhook_id=999999", "state=lost&before_id=x"):
        answer = page.goto(f"/ui/projects/{project_id}/deliveries?{bad}")
        assert answer is not None and answer.status == 400
        assert "text/html" in answer.headers["content-type"]
        expect(page.get_by_test_id("ignored-filters")).to_contain_text("were not understood")
        expect(page.locator("tr[data-delivery]")).to_have_count(1)  # the unfiltered list


def test_a_failed_save_keeps_what_was_entered_and_shows_the_error(page: Page) -> None:
    project_id, _ = new_project(page, "failed-save")
    page.goto(f"/ui/projects/{project_id}/integrations/dingtalk")
    bad_url = "https://evil.example.com/robot/send?access_token=x"
    page.get_by_label("Webhook", exact=True).fill(bad_url)
    page.get_by_label("Signing secret").fill("SECbrowser-secret")
    page.get_by_label("Keyword").fill("deploy")
    page.get_by_label("Name (optional)").fill("ops robot")
    page.get_by_role("button", name="Save", exact=True).click()

    url_field = page.get_by_label("Webhook", exact=True)
    expect(url_field).to_have_attribute("aria-invalid", "true")
    expect(url_field).to_be_focused()
    expect(url_field).to_be_in_viewport()
    expect(page.locator("#url-error")).to_be_in_viewport()
    expect(url_field).to_have_value(bad_url)
    expect(page.get_by_label("Keyword")).to_have_value("deploy")
    expect(page.get_by_label("Name (optional)")).to_have_value("ops robot")
    expect(page.get_by_label("Signing secret")).to_have_value("")
    expect(page.get_by_test_id("secret-not-saved")).to_contain_text("Not saved")
    assert "SECbrowser-secret" not in page.content()


def test_the_preview_keeps_the_keyword_when_the_event_changes(page: Page) -> None:
    project_id, _ = new_project(page, "keyword")
    page.goto(f"/ui/projects/{project_id}/integrations/dingtalk")
    page.get_by_label("Keyword").fill("deploy-bot")
    page.get_by_label("Keyword").press("Tab")  # a change, as when leaving the field
    for kind in ("vulnerability", "push"):
        page.get_by_label("Event", exact=True).select_option(kind)
        preview = page.get_by_test_id("preview")
        expect(preview).to_have_attribute("data-kind", kind)
        expect(preview.locator(".rendition-title")).to_contain_text("deploy-bot")
        expect(page.get_by_test_id("preview-json")).to_contain_text("deploy-bot")


def test_a_paused_webhook_holds_deliveries_and_resending_counts_every_attempt(
    page: Page, browser: Browser, hookcast: Hookcast
) -> None:
    project_id, token = new_project(page, "paused")
    webhook_id = set_up_feishu(
        page, project_id, REFUSING_URL, name="on-call room of the payments-platform-team-shanghai-berlin"
    )
    post_push(hookcast, token)
    page.goto(f"/ui/projects/{project_id}/deliveries")
    reload_until(page, "tr[data-delivery] .badge-dead")
    first = page.locator("tr[data-delivery]").first
    expect(first.get_by_test_id("last-error")).to_contain_text("Connect")
    first_id = first.get_attribute("data-delivery")

    post_push(hookcast, token)  # after four failures in a row the webhook is paused
    page.reload()
    held_row = page.locator("tr[data-delivery]").first
    expect(held_row).to_contain_text("Pending")
    expect(held_row.get_by_test_id("held-row")).to_contain_text("Held: the webhook is paused.")
    held_row.get_by_role("link").first.click()
    held = page.get_by_test_id("held")
    expect(held).to_contain_text("the webhook is paused until")
    expect(held).to_contain_text("4 failures in a row")
    expect(page.get_by_text("when the webhook is resumed")).to_be_visible()
    held_url = page.url
    page.goto(f"{held_url}?lang=zh_CN")
    expect(page.get_by_test_id("held")).to_contain_text("Webhook 已暂停至")
    expect(page.get_by_test_id("held")).to_contain_text("连续失败 4 次")
    page.goto(f"{held_url}?lang=en")
    page.goto(f"/ui/webhooks/{webhook_id}")
    expect(page.get_by_test_id("paused")).to_contain_text("the webhook is paused until")
    expect(page.get_by_test_id("paused")).to_contain_text("4 failures in a row; last: ClientConnectorError")
    page.goto(f"/ui/projects/{project_id}")
    expect(page.locator('article[data-platform="feishu"]')).to_contain_text("4 failures in a row")

    page.goto(f"/ui/deliveries/{first_id}")
    expect(page.locator("details.attempt")).to_have_count(4)
    expect(page.locator("details.attempt .badge").first).to_have_text("No connection")
    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("status").first).to_contain_text("Queued to be sent again.")
    for _ in range(150):
        if page.locator("details.attempt").count() > 4 and page.locator(".badge-sending").count() == 0:
            break
        page.wait_for_timeout(100)
        page.reload()
    listed = page.locator("details.attempt").count()
    assert listed > 4
    expect(page.get_by_test_id("attempt-count")).to_have_text(str(listed))

    phone = browser.new_context(viewport=PHONE, base_url=hookcast.base_url, locale="en-US", is_mobile=True)
    tab = phone.new_page()
    sign_in(tab)
    tab.goto(f"/ui/projects/{project_id}/deliveries")
    expect(tab.locator("tr[data-delivery]").first).to_be_visible()
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the deliveries list scrolls sideways by {overflow}px"
    # Nor is the list cut off inside a box that scrolls sideways.
    hidden = tab.evaluate("(w => w.scrollWidth - w.clientWidth)(document.querySelector('.table-wrap'))")
    assert hidden <= 0, f"{hidden}px of the deliveries list are out of sight"
    expect(tab.get_by_test_id("last-error").first).to_be_visible()
    phone.close()


def test_chinese_pages_are_chinese(browser: Browser, hookcast: Hookcast) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=hookcast.base_url, locale="zh-CN")
    tab = context.new_page()
    tab.goto("/ui/sign-in")
    tab.get_by_label("用户名").fill(ADMIN_USER)
    tab.get_by_label("密码").fill(ADMIN_PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.get_by_label("名称", exact=True).fill("中文页面")
    tab.get_by_role("button", name="创建项目").click()
    found = re.search(r"/ui/projects/(\d+)/rename", tab.content())
    assert found
    project_id = int(found.group(1))
    tab.goto(f"/ui/projects/{project_id}")
    for name in ("飞书", "钉钉", "企业微信", "Slack", "Discord"):
        expect(tab.get_by_role("heading", name=name, exact=True)).to_be_visible()
    tab.goto(f"/ui/projects/{project_id}/integrations/dingtalk")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("钉钉")
    expect(tab.get_by_test_id("preview")).to_contain_text("在钉钉中的样子")
    tab.get_by_label("Webhook 地址", exact=True).fill("https://evil.example.com/robot/send?access_token=x")
    tab.get_by_role("button", name="保存", exact=True).click()
    expect(tab.locator("#url-error")).to_contain_text("钉钉 Webhook 地址必须是以下域名上的 https 地址：")
    icon = tab.request.get("/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    tab.goto("/ui/people")
    tab.get_by_label("GitHub 登录名", exact=True).fill("octo--cat")
    tab.get_by_role("button", name="添加", exact=True).click()
    expect(tab.locator("#github_login-error")).to_contain_text("不是有效的 GitHub 登录名")
    context.close()
