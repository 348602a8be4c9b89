"""Each platform's declaration is complete and coherent: what the UI, the preview and the IM app
registry read from it is there, well formed, and agrees with the rest of the product."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import orjson
import pytest

from hookcast.directmessages import MESSENGERS
from hookcast.events import Tone
from hookcast.messages.i18n import translator
from hookcast.messages.model import Message
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, PlatformName, PreviewStyle, WebhookTarget
from tests.golden.cases import events

HEX = re.compile(r"#[0-9A-Fa-f]{6}")
NAMES = list(PLATFORMS)


def a_message() -> Message:
    return render(next(iter(events().values())), "en")


@pytest.mark.parametrize("name", NAMES)
def test_the_labels_and_logo(name: PlatformName) -> None:
    platform = get_platform(name)
    assert platform.label and platform.label_zh
    assert platform.label_in("en") == platform.label
    assert platform.label_in("zh_CN") == platform.label_zh
    # errors name the platform through the catalog (services.errors.Term): the same words
    assert translator("zh_CN").gettext(platform.label) == platform.label_zh
    assert HEX.fullmatch(platform.logo_colour)


@pytest.mark.parametrize("name", NAMES)
def test_the_example_url_is_on_the_platforms_host(name: PlatformName) -> None:
    """(Not necessarily a complete URL: Teams' example has no sig, and the golden files keep it.)"""
    platform = get_platform(name)
    parts = urlsplit(platform.example_url)
    assert parts.scheme == "https" and platform.host_allowed(parts.hostname or "")


@pytest.mark.parametrize("name", NAMES)
def test_the_palette_colours_what_the_body_carries(name: PlatformName) -> None:
    platform = get_platform(name)
    assert isinstance(platform.preview_style, PreviewStyle)
    for tone in Tone:
        colour = platform.palette.of(tone)
        assert HEX.fullmatch(colour.hex) and colour.value
    message = a_message()
    request = platform.encode(message, WebhookTarget(platform.example_url), EncodeContext(0.0, "k"))
    body = request.body.decode()
    value = platform.palette.of(message.tone).value
    if value.startswith("#"):  # as "#2EB67D", "2EB67D" or (Discord) the number 3061373
        digits = value[1:]
        assert digits.upper() in body.upper() or str(int(digits, 16)) in body
    else:  # a named colour: "green", "info", "good"
        assert value in body


@pytest.mark.parametrize("name", NAMES)
def test_encode_posts_the_payload(name: PlatformName) -> None:
    """The body on the wire is the payload object, and a direct message gets the same object
    unsigned: no encoding to bytes and back."""
    platform = get_platform(name)
    rendered = a_message()
    ctx = EncodeContext(0.0, "k")
    target = WebhookTarget(platform.example_url)
    assert orjson.loads(platform.encode(rendered, target, ctx).body) == platform.payload(
        rendered, target, ctx
    )
    direct = platform.direct_payload(rendered, "k")
    assert "sign" not in direct and "timestamp" not in direct


def test_the_im_app_registry_derives_from_the_declarations() -> None:
    assert {
        name: platform.im_app for name, platform in PLATFORMS.items() if platform.im_app is not None
    } == MESSENGERS
    for name, client in MESSENGERS.items():
        assert client.credentials, name
