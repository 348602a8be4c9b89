"""The "Silence 1 h" button: on firing alert cards when the public URL is known, linking to the
silence form pre-filled with the project, the group's labels and an hour; on nothing else; and
carried by the platforms' cards as a button (or a link where they have none)."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from hookcast.events import Event, EventKind, Tone
from hookcast.messages.render import render
from hookcast.messages.silence_action import with_silence_action
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget

PUBLIC = "https://hookcast.example.com/"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")


def firing(**labels: str) -> Event:
    return Event(
        kind=EventKind.ALERT,
        action="firing",
        tone=Tone.FAILURE,
        source="alertmanager",
        title="DiskFull",
        url="https://alertmanager.example.com/#/alerts",
        alert_labels=labels,
    )


def test_a_firing_alert_gets_a_button_to_the_prefilled_silence_form() -> None:
    event = firing(alertname="DiskFull", instance='db-1:9100 "main"')
    message = with_silence_action(render(event, "en"), event, PUBLIC, 7)
    *own, silence = message.actions
    assert tuple(own) == render(event, "en").actions  # the card's own buttons stay, first
    assert silence.label == "Silence 1 h"
    address = urlsplit(silence.url)
    assert f"{address.scheme}://{address.netloc}{address.path}" == "https://hookcast.example.com/ui/silences"
    query = parse_qs(address.query)
    assert query == {
        "project": ["7"],
        "kind": ["alert"],
        "match": ['alertname="DiskFull"', 'instance="db-1:9100 \\"main\\""'],
        "duration": ["1h"],
    }
    chinese = with_silence_action(render(event, "zh_CN"), event, PUBLIC, 7)
    assert chinese.actions[-1].label == "静默 1 小时"


def test_a_card_whose_only_button_was_its_link_keeps_it() -> None:
    event = firing(alertname="DiskFull")
    bare = replace(render(event, "en"), actions=())
    open_link, silence = with_silence_action(bare, event, PUBLIC, 7).actions
    assert (open_link.label, open_link.url, silence.label) == ("Open link", bare.url, "Silence 1 h")


def test_no_button_without_a_public_url_on_resolved_alerts_or_on_other_events() -> None:
    event = firing(alertname="DiskFull")
    assert with_silence_action(render(event, "en"), event, None, 7).actions == render(event, "en").actions
    resolved = event.model_copy(update={"action": "resolved", "tone": Tone.SUCCESS})
    assert with_silence_action(render(resolved, "en"), resolved, PUBLIC, 7) == render(resolved, "en")
    push = Event(kind=EventKind.PUSH, title="push", branch="main", url="https://gitlab.example.com/c")
    assert with_silence_action(render(push, "en"), push, PUBLIC, 7) == render(push, "en")


@pytest.mark.parametrize(
    "platform", [PlatformName.SLACK, PlatformName.FEISHU, PlatformName.TEAMS, PlatformName.GOOGLE_CHAT]
)
def test_cards_with_buttons_carry_it(platform: PlatformName) -> None:
    event = firing(alertname="DiskFull")
    message = with_silence_action(render(event, "en"), event, PUBLIC, 7)
    request = PLATFORMS[platform].encode(message, WebhookTarget(get_platform(platform).example_url), CTX)
    body = json.dumps(json.loads(request.body))
    assert "Silence 1 h" in body
    assert "hookcast.example.com/ui/silences?project=7" in body
