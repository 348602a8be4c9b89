"""The golden cases: every GitLab fixture, GitHub example and Alertmanager sample x platform x
language, encoded with a fixed clock, a fixed example URL (and settings, such as Telegram's chat)
per platform and, where the platform signs, a fixed secret.

Shared by the golden-file test and the contract test that posts the same bodies to the fake
platform server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hookcast.events import Event
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import EncodeContext, HttpRequest, PlatformName, WebhookTarget
from hookcast.sources import Ignored, Rejection
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.github import parse_github
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import alertmanager_payloads, github_fixtures, gitlab_fixtures

DATA = Path(__file__).resolve().parent / "data"
FROZEN = EncodeContext(now=1700000000.0, idempotency_key="golden")
SECRET = "SECgolden0123456789abcdef"
# The platforms that take a signing secret (declared as a secret setting named "secret").
SIGNED = frozenset(
    name
    for name, platform in PLATFORMS.items()
    if any(spec.name == "secret" and spec.secret for spec in platform.settings)
)
# What changes with the clock: Feishu / Lark sign in the body, DingTalk in the URL's query.
CLOCK_FIELDS = ("timestamp", "sign")


@dataclass(frozen=True, slots=True)
class Case:
    platform: PlatformName
    language: str
    fixture: str  # "gitlab-docs-push", "alertmanager-firing"

    @property
    def id(self) -> str:
        return f"{self.platform.value}/{self.language}/{self.fixture}"

    @property
    def path(self) -> Path:
        return DATA / self.platform.value / self.language / f"{self.fixture}.json"


def fixture_name(source: str, file: str) -> str:
    return f"{source}-{file.removesuffix('.json').replace('/', '-')}"


@cache
def events() -> dict[str, Event]:
    """Every fixture event by name, in a stable order."""
    found: dict[str, Event] = {}
    parsed = [
        (fixture_name("gitlab", file), parse_gitlab(header, body)) for file, header, body in gitlab_fixtures()
    ]
    parsed += [
        (fixture_name("alertmanager", stem), parse_alertmanager(body))
        for stem, body in alertmanager_payloads().items()
    ]
    parsed += [
        (fixture_name("github", file), parse_github(event, body)) for file, event, body in github_fixtures()
    ]
    for name, result in parsed:
        if isinstance(result, Rejection | Ignored):
            raise AssertionError(f"fixture {name} does not parse: {result.reason}")
        found[name] = result
    return found


def cases() -> list[Case]:
    return [
        Case(platform, language, fixture)
        for platform in PLATFORMS
        for language in LANGUAGES
        for fixture in events()
    ]


def target(platform: PlatformName, url: str | None = None) -> WebhookTarget:
    secret = SECRET if platform in SIGNED else None
    return WebhookTarget(
        url=url or get_platform(platform).example_url,
        secret=secret,
        settings=get_platform(platform).example_settings,
    )


def encode(case: Case, ctx: EncodeContext = FROZEN, url: str | None = None) -> HttpRequest:
    message = render(events()[case.fixture], case.language)
    return PLATFORMS[case.platform].encode(message, target(case.platform, url), ctx)


def golden_form(request: HttpRequest) -> dict[str, Any]:
    """What a golden file holds: the URL posted to (DingTalk's signature is in it) and the body."""
    return {"url": request.url, "body": json.loads(request.body)}


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def without_clock(body: Any) -> Any:
    """The body without the fields that depend on the clock (signature and its timestamp)."""
    if isinstance(body, dict):
        return {key: without_clock(value) for key, value in body.items() if key not in CLOCK_FIELDS}
    return body
