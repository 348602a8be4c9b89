"""Every registered platform through the web UI: its integration form (in both languages), its
preview of every tone it is shown with, and the "send test message" button against its fake.

Parametrized over the registry, so a new platform is exercised here without editing this file:
a declaration it lacks (a palette, an example URL, a fake) fails here rather than as a 500 on a
user's screen.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from hookcast.events import Tone
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import PlatformName
from hookcast.sample_events import sample_kinds
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.ui_helpers import UiClient

SECRET = "SEC-every-platform-secret"
FORM = {
    "active": "on",
    "language": "en",
    "triggers": ["push"],
    "branches_to_be_notified": "all",
    "labels_to_be_notified_behavior": "match_any",
}
LANGUAGES = ("en", "zh_CN")


async def create_project(ui: UiClient) -> int:
    answer = await ui.post("/ui/projects", {"name": "every-platform"})
    assert answer.status_code == 200, answer.text
    found = re.search(r"/ui/projects/(\d+)/rename", answer.text)
    assert found
    return int(found.group(1))


def takes_secret(name: PlatformName) -> bool:
    return any(spec.name == "secret" and spec.secret for spec in get_platform(name).settings)


@pytest.mark.parametrize("name", list(PLATFORMS))
async def test_the_form_and_the_preview_in_both_languages(ui: UiClient, name: PlatformName) -> None:
    platform = get_platform(name)
    project_id = await create_project(ui)
    for language in LANGUAGES:
        answer = await ui.get(f"/ui/projects/{project_id}/integrations/{name.value}?lang={language}")
        assert answer.status_code == 200, answer.text
        page = html.unescape(answer.text)
        assert platform.label_in(language) in page
        assert f"background: {platform.logo_colour}" in page
        for spec in platform.settings:
            assert f'name="{spec.name}"' in page
        assert 'data-testid="preview"' in page  # the form carries the platform's preview

    # the preview of every sample kind (so every tone the kinds have) in English, one in Chinese
    hexes = {platform.palette.of(tone).hex for tone in Tone}
    kinds = sample_kinds()
    shown = [(kind, "en") for kind in kinds] + [(kinds[0], "zh_CN")]
    for kind, language in shown:
        answer = await ui.get(f"/ui/preview?platform={name.value}&kind={kind.value}&lang={language}")
        assert answer.status_code == 200, (kind, answer.text)
        page = html.unescape(answer.text)
        assert f"rendition-{platform.preview_style.value}" in page
        accent = re.search(r"--accent: (#[0-9A-Fa-f]{6})", page)
        assert accent and accent.group(1) in hexes, kind
        body = re.search(r'data-testid="preview-json">(.*?)</pre>', page, re.S)
        assert body and isinstance(json.loads(body.group(1)), dict)


@pytest.mark.parametrize("name", list(PLATFORMS))
async def test_the_test_button_reaches_the_platform(
    ui: UiClient, fake: FakePlatformServer, name: PlatformName
) -> None:
    bot = fake.add_bot(name, secret=SECRET if takes_secret(name) else None)
    project_id = await create_project(ui)
    form = {**FORM, "url": bot.url, **bot.settings} | ({"secret": SECRET} if takes_secret(name) else {})
    saved = await ui.post(f"/ui/projects/{project_id}/integrations/{name.value}", form)
    assert saved.status_code == 303, saved.text
    webhook_id = int(saved.headers["location"].split("/")[-1].split("?")[0])

    tested = await ui.post(f"/ui/webhooks/{webhook_id}/test")
    assert "Test message sent." in tested.text
    assert len(bot.received) == 1 and not bot.rejections
    assert SECRET not in tested.text
