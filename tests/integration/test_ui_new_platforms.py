"""Google Chat and Mattermost in the web UI, in both languages: the integration form (with Google
Chat's thread key), its live preview, saving a webhook, its test button, and no secret shown."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.platform_server import FakePlatformServer
from tests.integration.test_ui_pages import FORM, create_project
from tests.integration.ui_helpers import UiClient, ui_client

PLATFORMS = ["google_chat", "mattermost"]
LABELS = {"google_chat": "Google Chat", "mattermost": "Mattermost"}


@pytest.fixture
async def ui(database_url: str, tmp_path: Path) -> AsyncIterator[UiClient]:
    """A signed-in UI client and, below, a fake platform server (as test_ui_pages.py has them)."""
    async with ui_client(database_url, tmp_path) as client:
        await client.sign_in()
        yield client


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_the_form_and_preview_render(ui: UiClient, platform: str, language: str) -> None:
    project_id, _ = await create_project(ui)
    form = await ui.get(f"/ui/projects/{project_id}/integrations/{platform}?lang={language}")
    assert form.status_code == 200, form.text
    assert LABELS[platform] in form.text
    assert ('name="thread_key"' in form.text) is (platform == "google_chat")
    if platform == "google_chat":
        assert ("话题键" in form.text) is (language == "zh_CN")
    preview = await ui.get(f"/ui/preview?platform={platform}&kind=pipeline&language={language}")
    assert preview.status_code == 200, preview.text
    shown = html.unescape(preview.text)
    assert ('"cardsV2"' if platform == "google_chat" else '"attachments"') in shown


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_webhook_is_saved_and_tested_from_the_form(
    ui: UiClient, fake: FakePlatformServer, platform: str
) -> None:
    bot = fake.add_bot(platform)
    project_id, _ = await create_project(ui)
    saved = await ui.post(f"/ui/projects/{project_id}/integrations/{platform}", {**FORM, "url": bot.url})
    assert saved.status_code == 303, saved.text
    webhook_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    tested = await ui.post(f"/ui/webhooks/{webhook_id}/test")
    assert "Test message sent." in tested.text
    assert len(bot.received) == 1 and bot.rejections == []
    for path in (f"/ui/webhooks/{webhook_id}", f"/ui/projects/{project_id}"):
        page = (await ui.get(path)).text
        assert bot.token not in page, path
