"""The webhook form's message templates in headless Chromium: the live preview follows what is
typed (in English and Chinese), a template's error is shown with its part and line in the preview
and on saving, and a saved template comes back in the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_ui_browser import new_project

pytestmark = pytest.mark.browser
SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/templates0123456789"


def settled(page: Page) -> None:
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")


def test_a_template_is_previewed_checked_and_saved(page: Page) -> None:
    project_id, _ = new_project(page, "templates")
    page.goto(f"/ui/projects/{project_id}/integrations/slack")
    page.get_by_label("Webhook", exact=True).fill(SLACK_URL)
    section = page.get_by_test_id("templates")
    expect(section.get_by_label("Template for")).to_have_value("push")
    title = section.get_by_label("Title", exact=True)
    title.fill("{{ actor.name }} pushed {{ items|length }} to {{ branch }}")
    title.dispatch_event("change")
    settled(page)
    preview = page.get_by_test_id("preview")
    expect(preview.locator(".rendition-title").first).to_have_text("John Smith pushed 2 to master")
    expect(page.get_by_test_id("templated")).to_be_visible()

    lines = section.get_by_label("Lines", exact=True)
    lines.fill("{% for c in items %}\n* {{ c.title }}\n{% endfor %}\n{{ nosuch }}")
    lines.dispatch_event("change")
    settled(page)
    expect(page.get_by_test_id("template-error")).to_contain_text(
        "push: lines, line 4: 'nosuch' is undefined"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#templates-error")).to_contain_text("template of push, lines, line 4")
    expect(section.get_by_label("Title", exact=True)).to_have_value(
        "{{ actor.name }} pushed {{ items|length }} to {{ branch }}"
    )  # what was typed is kept

    section.get_by_label("Lines", exact=True).fill("{% for c in items %}\n* {{ c.title }}\n{% endfor %}")
    section.get_by_label("Title in Chinese").fill("{{ actor.name }} 推送到 {{ branch }}")
    section.locator("[name=template_field_label_0]").fill("{{ _('Project') }}")
    section.locator("[name=template_field_value_0]").fill("{{ project.name }}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved.")
    expect(page.get_by_test_id("templated-kinds")).to_contain_text("push")
    expect(section.get_by_label("Title in Chinese")).to_have_value("{{ actor.name }} 推送到 {{ branch }}")
    settled(page)
    expect(preview.locator(".rendition-body p").first).to_have_text(
        "* Update Catalan translation to e38cb41."
    )

    page.locator("input[name=language][value=zh_CN]").check()
    settled(page)
    expect(preview.locator(".rendition-title").first).to_have_text("John Smith 推送到 master")
    expect(preview.locator(".rendition-fields dt").first).to_have_text("项目")
    section.scroll_into_view_if_needed()
    screenshot(page, "templates")
