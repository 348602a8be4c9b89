"""The UI's preview shows the package samples as the real parsers read them, for every kind."""

from __future__ import annotations

import json

import pytest

from hookcast.events import EventKind
from hookcast.kinds import TRIGGER_KINDS
from hookcast.platforms import PLATFORMS
from hookcast.sample_events import sample_event, sample_kinds
from hookcast.samples import get_sample
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.gitlab import parse_gitlab
from hookcast.sources.workflow import WORKFLOW_KINDS
from hookcast.web.ui import preview


def test_every_kind_a_webhook_can_select_has_a_preview() -> None:
    assert set(sample_kinds()) == set(TRIGGER_KINDS)
    assert sample_kinds() == [kind for kind in EventKind if kind in TRIGGER_KINDS]  # EventKind order


@pytest.mark.parametrize("kind", sample_kinds(), ids=str)
def test_each_preview_event_is_of_its_kind_and_builds_on_every_platform(kind: EventKind) -> None:
    event = sample_event(kind)
    assert event.kind is kind
    for platform in PLATFORMS:
        shown = preview.build(platform.value, "zh_CN", kind)
        assert shown.kind == kind.value
        assert json.loads(shown.body)


def test_the_preview_is_what_the_parser_makes_of_the_sample() -> None:
    assert sample_event(EventKind.PUSH) == parse_gitlab("Push Hook", get_sample("push").body())
    assert sample_event(EventKind.ALERT) == parse_alertmanager(get_sample("alertmanager").body())
    confidential = sample_event(EventKind.CONFIDENTIAL_ISSUE)
    public = sample_event(EventKind.ISSUE)
    assert confidential.confidential and not public.confidential
    assert confidential.model_copy(update={"kind": EventKind.ISSUE, "confidential": False}) == public


def test_workflow_kinds_are_the_workflow_sample_retyped() -> None:
    titles = {sample_event(kind).title for kind in WORKFLOW_KINDS}
    assert titles == {json.loads(get_sample("workflow").body())["issue"]["title"]}


def test_each_kind_is_parsed_once_per_process() -> None:
    assert sample_event(EventKind.NOTE) is sample_event(EventKind.NOTE)
