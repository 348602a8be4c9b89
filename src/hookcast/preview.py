"""The body hookcast would post for an event, without sending it (``hookcast preview``, UI)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from hookcast.events import Event
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext
from hookcast.platforms.targets import target_from
from hookcast.sources import Ignored, Rejection
from hookcast.sources.registry import GITLAB, SOURCES_BY_NAME


class PreviewError(Exception):
    pass


class IgnoredEvent(PreviewError):
    """The body is well formed but is nothing hookcast notifies about (the hook answers 202)."""


# The header each source reads its event's name from (``--event`` / ``--gitlab-event``).
_EVENT_HEADERS = {"github": "x-github-event"}


def parse_source(body: bytes, source: str, gitlab_event: str | None) -> Event:
    """The event a body makes, through the same parser its inbound route uses (GitLab's when
    ``source`` names none). ``gitlab_event`` is the event header's value: ``X-Gitlab-Event``, or
    ``X-GitHub-Event`` for GitHub."""
    header = _EVENT_HEADERS.get(source, "x-gitlab-event")
    headers = {header: gitlab_event} if gitlab_event else {}
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
    settings: Mapping[str, str] | None = None,
) -> Any:
    """``settings``: the platform's settings by FieldSpec name (empty values are not set)."""
    if platform not in PLATFORMS:
        raise PreviewError(f"unknown platform {platform!r}; one of: {', '.join(PLATFORMS)}")
    if language not in LANGUAGES:
        raise PreviewError(f"unknown language {language!r}; one of: {', '.join(LANGUAGES)}")
    chosen = get_platform(platform)
    event = parse_source(body, source, gitlab_event)
    message = render(event, language)
    given = {k: v for k, v in (settings or {}).items() if v}
    target = target_from(url or chosen.example_url, {**chosen.example_settings, **given})
    request = chosen.encode(message, target, EncodeContext(time.time(), "preview"))
    return json.loads(request.body)
