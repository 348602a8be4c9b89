"""The body hookcast would post for an event, without sending it (``hookcast preview``, UI)."""

from __future__ import annotations

import json
import time
from typing import Any

from hookcast.events import Event
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, WebhookTarget
from hookcast.sources import Ignored, Rejection
from hookcast.sources.registry import GITLAB, SOURCES_BY_NAME


class PreviewError(Exception):
    pass


class IgnoredEvent(PreviewError):
    """The body is well formed but is nothing hookcast notifies about (the hook answers 202)."""


def parse_source(body: bytes, source: str, gitlab_event: str | None) -> Event:
    """The event a body makes, through the same parser its inbound route uses (GitLab's when
    ``source`` names none)."""
    headers = {"x-gitlab-event": gitlab_event} if gitlab_event else {}
    result = SOURCES_BY_NAME.get(source, GITLAB).parse(headers, body)
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
    target = WebhookTarget(url=url or chosen.example_url, secret=secret, keyword=keyword)
    request = chosen.encode(message, target, EncodeContext(time.time(), "preview"))
    return json.loads(request.body)
