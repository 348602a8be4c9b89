"""The body hookcast would post for an event, without sending it (``hookcast preview``, UI)."""

from __future__ import annotations

import json
import time
from typing import Any

from hookcast.events import Event
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget
from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.gitlab import parse_gitlab
from hookcast.sources.workflow import parse_workflow

# Where a preview posts when no URL is given: a placeholder on the platform's own host.
EXAMPLE_URLS: dict[PlatformName, str] = {
    PlatformName.FEISHU: "https://open.feishu.cn/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000",
    PlatformName.LARK: "https://open.larksuite.com/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000",
    PlatformName.DINGTALK: "https://oapi.dingtalk.com/robot/send?access_token=example",
    PlatformName.WECOM: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=example",
    PlatformName.SLACK: "https://hooks.slack.com/services/T000/B000/XXXX",
    PlatformName.DISCORD: "https://discord.com/api/webhooks/0/example",
    PlatformName.TEAMS: "https://example.logic.azure.com/workflows/example/triggers/manual/paths/invoke",
    PlatformName.TELEGRAM: "https://api.telegram.org/bot123456:example/sendMessage",
}
# The settings a preview encodes with (a chat to post into), where the platform needs one.
EXAMPLE_SETTINGS: dict[PlatformName, dict[str, str]] = {
    PlatformName.TELEGRAM: {"chat_id": "-1001234567890"},
}


class PreviewError(Exception):
    pass


class IgnoredEvent(PreviewError):
    """The body is well formed but is nothing hookcast notifies about (the hook answers 202)."""


def parse_source(body: bytes, source: str, gitlab_event: str | None) -> Event:
    """The event a body makes, through the same parser its inbound door uses."""
    result: ParseResult
    if source == "alertmanager":
        result = parse_alertmanager(body)
    elif source == "workflow":
        result = parse_workflow(body)
    else:
        result = parse_gitlab(gitlab_event, body)
    if isinstance(result, Ignored):
        raise IgnoredEvent(result.reason)
    if isinstance(result, Rejection):
        raise PreviewError(result.reason)
    return result


def preview_body(
    body: bytes,
    *,
    platform: str,
    language: str,
    source: str = "gitlab",
    gitlab_event: str | None = None,
    url: str | None = None,
    secret: str | None = None,
    keyword: str | None = None,
) -> Any:
    if platform not in PLATFORMS:
        raise PreviewError(f"unknown platform {platform!r}; one of: {', '.join(PLATFORMS)}")
    if language not in LANGUAGES:
        raise PreviewError(f"unknown language {language!r}; one of: {', '.join(LANGUAGES)}")
    chosen = get_platform(platform)
    event = parse_source(body, source, gitlab_event)
    message = render(event, language)
    target = WebhookTarget(
        url=url or EXAMPLE_URLS[chosen.name],
        secret=secret,
        keyword=keyword,
        settings=EXAMPLE_SETTINGS.get(chosen.name, {}),
    )
    request = chosen.encode(message, target, EncodeContext(time.time(), "preview"))
    return json.loads(request.body)
