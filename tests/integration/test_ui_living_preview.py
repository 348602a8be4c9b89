"""The webhook form's preview shows a living message's states (`messages/living_states.py`): for a
merge request, the card as first posted, after its approval and after its merge, in the mode
selected (or the platform's default), in both languages."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.test_ui_pages import create_project
from tests.integration.ui_helpers import UiClient, ui_client

LABELS = {
    "en": ("First message", "After: approved by Ann", "After: merged by Ann", "Follow-up: merged by Ann"),
    "zh_CN": ("第一条消息", "之后：Ann 已批准", "之后：Ann 已合并", "跟进消息：Ann 已合并"),
}


@pytest.fixture
async def ui(database_url: str, tmp_path: Path) -> AsyncIterator[UiClient]:
    async with ui_client(database_url, tmp_path) as client:
        await client.sign_in()
        yield client


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_the_preview_shows_a_merge_requests_states(ui: UiClient, language: str) -> None:
    first, approved, merged, follow_up = LABELS[language]
    query = f"/ui/preview?platform=discord&kind=merge_request&language={language}&message_mode="
    edited = await ui.get(query + "update")
    assert edited.status_code == 200, edited.text
    shown = html.unescape(edited.text)
    assert shown.count('data-testid="preview-state"') == 3
    assert shown.index(first) < shown.index(approved) < shown.index(merged)
    assert 'data-mode="update"' in shown
    assert "→" in shown  # the edited card's history line

    followed = html.unescape((await ui.get(query + "follow_up")).text)
    assert follow_up in followed and merged not in followed
    assert followed.count('class="state-compact"') == 2


async def test_a_kind_without_an_object_shows_one_message(ui: UiClient) -> None:
    shown = (await ui.get("/ui/preview?platform=slack&kind=push&language=en&message_mode=update")).text
    assert 'data-testid="preview-state"' not in shown and 'data-testid="preview"' in shown


async def test_the_form_page_previews_the_states_in_the_mode_it_names(ui: UiClient) -> None:
    project_id, _ = await create_project(ui)
    page = await ui.get(
        f"/ui/projects/{project_id}/integrations/slack?lang=en&preview=merge_request&message_mode=follow_up"
    )
    assert page.status_code == 200, page.text
    shown = html.unescape(page.text)
    assert "First message" in shown and "Follow-up: approved by Ann" in shown
