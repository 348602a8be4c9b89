"""Message bodies for direct messages, reusing each platform's group encoding (so a DM looks
like the card the group gets): encode for a placeholder target, then take the parts the app
API wants."""

from __future__ import annotations

import json
from typing import Any

from hookcast.messages.model import Message
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget

_NOWHERE = WebhookTarget(url="https://direct-message.invalid/")


def group_payload(platform: PlatformName, message: Message, idempotency_key: str) -> dict[str, Any]:
    """The JSON body the group webhook of ``platform`` would get (unsigned, no keyword)."""
    request = get_platform(platform).encode(message, _NOWHERE, EncodeContext(0.0, idempotency_key))
    payload: dict[str, Any] = json.loads(request.body)
    return payload


def feishu_card(platform: PlatformName, message: Message, key: str) -> dict[str, Any]:
    card: dict[str, Any] = group_payload(platform, message, key)["card"]
    return card


def slack_parts(message: Message, key: str) -> dict[str, Any]:
    """``text`` (notification fallback) and ``attachments`` (coloured, holding the blocks)."""
    payload = group_payload(PlatformName.SLACK, message, key)
    return {"text": payload["text"], "attachments": payload["attachments"]}


def dingtalk_template(message: Message, key: str) -> tuple[str, dict[str, str]]:
    """(msgKey, msgParam) for the robot's one-to-one messages: sampleMarkdown, or
    sampleActionCard when the group would get an action card (one button)."""
    payload = group_payload(PlatformName.DINGTALK, message, key)
    if payload.get("msgtype") == "actionCard":
        card = payload["actionCard"]
        return "sampleActionCard", {
            "title": card["title"],
            "text": card["text"],
            "singleTitle": card["singleTitle"],
            "singleURL": card["singleURL"],
        }
    markdown = payload["markdown"]
    return "sampleMarkdown", {"title": markdown["title"], "text": markdown["text"]}


def wecom_markdown(message: Message, key: str) -> str:
    content: str = group_payload(PlatformName.WECOM, message, key)["markdown"]["content"]
    return content
