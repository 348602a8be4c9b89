"""A membership's expiry is shown as a day, not as GitLab's midnight timestamp."""

from __future__ import annotations

import pytest

from hookcast.events import Event
from hookcast.messages.gitlab_other import expiry_date
from hookcast.messages.model import plain
from hookcast.messages.render import render
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import load_fixture


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2020-12-14T00:00:00Z", "2020-12-14"),
        ("2020-12-14T00:00:00+00:00", "2020-12-14"),
        ("2020-12-14", "2020-12-14"),
        ("2020-12-14T13:45:00Z", "2020-12-14T13:45:00Z"),  # a real time of day is kept
        ("next week", "next week"),
        (None, None),
    ],
)
def test_expiry_date(value: str | None, shown: str | None) -> None:
    assert expiry_date(value) == shown


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_member_fixture_shows_the_expiry_day(language: str) -> None:
    event = parse_gitlab("Member Hook", load_fixture("docs/member_add_to_group.json"))
    assert isinstance(event, Event)
    message = render(event, language)
    values = [plain(field.value) for field in message.fields]
    assert "2020-12-14" in values
    assert not any("T00:00:00" in value for value in values)
