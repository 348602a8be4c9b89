"""Field labels in markdown bodies: "Label: value" in English, "标签：值" (full-width colon) in Chinese."""

from __future__ import annotations

import json

import pytest

from hookcast.events import Tone
from hookcast.messages.model import Message, MessageField, Text
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget

CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
MARKDOWN_BODIES = (PlatformName.FEISHU, PlatformName.LARK, PlatformName.DINGTALK, PlatformName.WECOM)


def body_text(platform: PlatformName, language: str, label: str) -> str:
    message = Message(
        title="t", tone=Tone.SUCCESS, language=language, fields=(MessageField(label, (Text("ok"),)),)
    )
    request = PLATFORMS[platform].encode(message, WebhookTarget(get_platform(platform).example_url), CTX)
    return json.dumps(json.loads(request.body), ensure_ascii=False)


@pytest.mark.parametrize("platform", MARKDOWN_BODIES)
def test_chinese_fields_use_a_full_width_colon(platform: PlatformName) -> None:
    text = body_text(platform, "zh_CN", "状态")
    assert "**状态**：ok" in text
    assert "**状态**: ok" not in text


@pytest.mark.parametrize("platform", MARKDOWN_BODIES)
def test_english_fields_use_colon_and_space(platform: PlatformName) -> None:
    assert "**Status**: ok" in body_text(platform, "en", "Status")
