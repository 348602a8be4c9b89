"""Encoding costs what the platform can show, not what the sender wrote: texts are cut before
they are escaped (`precut`), a body is built at most `FIT_ATTEMPTS` times, and whatever the
sizes, every platform's body stays within its limit. Work is counted, never timed."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookcast.events import Tone
from hookcast.messages.model import Action, Link, Mention, Message, MessageField, Text
from hookcast.platforms import PLATFORMS
from hookcast.platforms import text as text_module
from hookcast.platforms.base import EncodeContext, Platform, PlatformName, WebhookTarget
from hookcast.platforms.telegram.html import escape_text
from hookcast.platforms.text import (
    FIT_ATTEMPTS,
    LONGEST_SHOWN,
    char_len,
    escape_discord_markdown,
    escape_feishu_markdown,
    escape_slack_mrkdwn,
    neutralize_markdown,
    neutralize_plain,
    precut,
    truncate,
    utf8_len,
    utf16_len,
)

T = TypeVar("T")
CONTEXT = EncodeContext(now=1700000000.0, idempotency_key="bounded")
UNIT = "a*_[x](y)<b>&@all 构建😀 "


def hostile(size: int) -> str:
    return (UNIT * (size // len(UNIT) + 1))[:size]


def message_of(size: int) -> Message:
    """Every text of a Message ``size`` characters long, as a stored event of an older release
    (nothing cut at parse time) renders."""
    text = hostile(size)
    return Message(
        title=text,
        tone=Tone.FAILURE,
        url="https://gitlab.example.com/g/p",
        summary=text,
        lines=(
            (Text(text, bold=True),),
            (
                Text("by "),
                Mention(text, ids={"slack": "U024BE7LH"}),
                Text(" in "),
                Link(text, "https://x.example/"),
            ),
            (Text(text, code=True),),
        ),
        fields=tuple(MessageField(text, (Text(text),), short=False) for _ in range(4)),
        actions=(Action(text, "https://gitlab.example.com/g/p/-/merge_requests/1"),),
        footer=text,
        mentions=(Mention(text, ids={"feishu": "ou_1", "telegram": "12345"}),),
    )


def target_of(platform: Platform) -> WebhookTarget:
    return WebhookTarget(
        url=platform.example_url, secret="SECbounded", keyword="deploy", settings=platform.example_settings
    )


class CountingPattern:
    """Stands in for `text._LINE_BREAKS`: every escaper starts with `one_line`, so the characters
    it is given are the characters escaped."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.characters = 0

    def sub(self, replacement: str, text: str) -> str:
        self.characters += len(text)
        return self.pattern.sub(replacement, text)


def platform_modules() -> Iterator[Any]:
    return (
        module
        for name, module in list(sys.modules.items())
        if name.startswith("hookcast.platforms.") and hasattr(module, "fit_to_budget")
    )


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> tuple[CountingPattern, list[int]]:
    """Characters escaped, and the builds of each body fitted."""
    pattern = CountingPattern(text_module._LINE_BREAKS)
    monkeypatch.setattr(text_module, "_LINE_BREAKS", pattern)
    builds: list[int] = []
    fit = text_module.fit_to_budget

    def counting_fit(build: Callable[[int], T], fits: Callable[[T], bool], full: int) -> T:
        builds.append(0)

        def counted_build(budget: int) -> T:
            builds[-1] += 1
            return build(budget)

        return fit(counted_build, fits, full)

    for module in platform_modules():
        monkeypatch.setattr(module, "fit_to_budget", counting_fit)
    return pattern, builds


@pytest.mark.parametrize("name", list(PLATFORMS), ids=str)
def test_every_body_is_within_its_limit_whatever_the_sizes(name: PlatformName) -> None:
    platform = PLATFORMS[name]
    for size in (10, 3_000, 70_000, 600_000):
        for language in ("en", "zh_CN"):
            message = message_of(size)
            request = platform.encode(
                Message(**{**_fields(message), "language": language}), target_of(platform), CONTEXT
            )
            assert len(request.body) <= platform.max_body_bytes, (name, size)
            json.loads(request.body)


def _fields(message: Message) -> dict[str, Any]:
    return {slot: getattr(message, slot) for slot in Message.__slots__}


@pytest.mark.parametrize("name", list(PLATFORMS), ids=str)
def test_the_work_of_encoding_does_not_grow_with_the_text(
    name: PlatformName, counted: tuple[CountingPattern, list[int]]
) -> None:
    pattern, builds = counted
    platform = PLATFORMS[name]
    escaped: list[int] = []
    for size in (200_000, 2_000_000):
        pattern.characters = 0
        builds.clear()
        platform.encode(message_of(size), target_of(platform), CONTEXT)
        escaped.append(pattern.characters)
        assert all(count <= FIT_ATTEMPTS for count in builds), builds
    assert escaped[0] == escaped[1], (
        f"{name}: ten times the text, {escaped[1] / escaped[0]:.1f} times the work"
    )
    # Each text of the message is escaped a bounded number of times, each at most LONGEST_SHOWN.
    assert escaped[1] <= 40 * (LONGEST_SHOWN + 1)


def test_a_body_that_does_not_fit_at_once_is_built_a_bounded_number_of_times() -> None:
    attempts: list[int] = []

    def build(budget: int) -> int:
        attempts.append(budget)
        return budget

    result = text_module.fit_to_budget(build, lambda size: size <= 12_345, 64_000)
    assert len(attempts) <= FIT_ATTEMPTS
    assert 12_345 - 64_000 / 1024 <= result <= 12_345


def test_no_platform_shows_more_than_the_longest_text_kept() -> None:
    """`precut` keeps LONGEST_SHOWN characters: no body can show more than its bytes."""
    assert all(platform.max_body_bytes <= LONGEST_SHOWN for platform in PLATFORMS.values())


ESCAPERS = [
    neutralize_plain,
    neutralize_markdown,
    escape_slack_mrkdwn,
    escape_discord_markdown,
    escape_feishu_markdown,
    escape_text,
]
MEASURES = [char_len, utf8_len, utf16_len]


@given(
    st.text(alphabet=st.sampled_from(list("ab_*@<>&[]()#-\n\r\t 1é\u0301😀构")), max_size=120),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(ESCAPERS),
    st.sampled_from(MEASURES),
)
def test_cutting_before_escaping_changes_nothing_shown(
    text: str, budget: int, escape: Callable[[str], str], measure: Callable[[str], int]
) -> None:
    """What any budget below the cut keeps of a text is the same, cut first or not."""
    longest = 41
    assert truncate(escape(precut(text, longest)), budget, measure) == truncate(escape(text), budget, measure)


@given(st.text(max_size=200), st.integers(min_value=0, max_value=60))
def test_truncate_reads_no_further_than_its_limit(text: str, limit: int) -> None:
    for measure in MEASURES:
        expected = _reference_truncate(text, limit, measure)
        assert truncate(text, limit, measure) == expected


def _reference_truncate(text: str, limit: int, measure: Callable[[str], int]) -> str:
    """The definition: the longest prefix that fits with an ellipsis, found by trying them all."""
    if measure(text) <= limit:
        return text
    room = limit - measure("…")
    if room < 0:
        return ""
    return next(text[:end] for end in range(len(text), -1, -1) if measure(text[:end]) <= room) + "…"
