"""The integration form's platform settings, drawn from the FieldSpecs: a keyword over the declared
length is refused on the field (in the reader's language), secrets show only as set / not set
and can be removed, and a setting a platform newly declares is on the form and saved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import FieldSpec, PlatformName
from hookcast.store.tables import Webhook
from tests.integration.ui_helpers import UiClient, ui_client

FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-ui-settings-token"
SLACK_URL = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"
SECRET = "SEC-ui-settings-secret"
FORM = {"active": "on", "language": "en", "triggers": ["push"], "branches_to_be_notified": "all"}
FORM["labels_to_be_notified_behavior"] = "match_any"


@pytest.fixture
async def ui(database_url: str, tmp_path: Path) -> AsyncIterator[UiClient]:
    async with ui_client(database_url, tmp_path) as client:
        await client.sign_in()
        yield client


async def new_project(ui: UiClient) -> int:
    answer = await ui.post("/ui/projects", {"name": "app"})
    assert answer.status_code == 200, answer.text
    return int(answer.text.split("/ui/projects/")[1].split("/")[0])


async def test_a_keyword_over_its_declared_length_is_refused_on_the_field(ui: UiClient) -> None:
    project_id = await new_project(ui)
    declared = next(s for s in PLATFORMS[PlatformName.FEISHU].settings if s.name == "keyword")
    form = f"/ui/projects/{project_id}/integrations/feishu"
    page = (await ui.get(form)).text
    assert f'maxlength="{declared.max_length}"' in page
    refused = await ui.post(form, {**FORM, "url": FEISHU_URL, "keyword": "k" * (declared.max_length + 1)})
    assert refused.status_code == 422
    assert (
        'id="keyword-error"' in refused.text and f"at most {declared.max_length} characters" in refused.text
    )
    chinese = await ui.post(
        f"{form}?lang=zh_CN", {**FORM, "url": FEISHU_URL, "keyword": "k" * (declared.max_length + 1)}
    )
    assert f"最多 {declared.max_length} 个字符" in chinese.text


async def test_settings_are_saved_shown_and_secrets_removed(ui: UiClient) -> None:
    project_id = await new_project(ui)
    saved = await ui.post(
        f"/ui/projects/{project_id}/integrations/feishu",
        {**FORM, "url": FEISHU_URL, "secret": SECRET, "keyword": "deploy"},
    )
    assert saved.status_code == 303, saved.text
    edit = saved.headers["location"].split("?")[0]
    page = (await ui.get(edit)).text
    assert SECRET not in page and 'value="deploy"' in page and 'name="clear_secret"' in page
    cleared = await ui.post(edit, {**FORM, "clear_secret": "on", "keyword": "ship"})
    assert cleared.status_code == 303, cleared.text
    page = (await ui.get(edit)).text
    assert 'name="clear_secret"' not in page and 'value="ship"' in page


async def test_a_newly_declared_setting_is_on_the_form_and_saved(
    ui: UiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat_id = FieldSpec("chat_id", "Chat ID", "The chat's numeric id.", required=True, pattern=r"-?[0-9]+")
    monkeypatch.setattr(type(PLATFORMS[PlatformName.SLACK]), "settings", (chat_id,))
    project_id = await new_project(ui)
    form = f"/ui/projects/{project_id}/integrations/slack"
    assert 'name="chat_id"' in (await ui.get(form)).text
    refused = await ui.post(form, {**FORM, "url": SLACK_URL, "chat_id": "abc"})
    assert refused.status_code == 422 and 'id="chat_id-error"' in refused.text
    saved = await ui.post(form, {**FORM, "url": SLACK_URL, "chat_id": "-100"})
    assert saved.status_code == 303, saved.text
    assert 'value="-100"' in (await ui.get(saved.headers["location"].split("?")[0])).text
    async with ui.http.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        webhook = (await session.scalars(select(Webhook))).one()
    assert webhook.settings == {"plain": {"chat_id": "-100"}, "sealed": {}}
