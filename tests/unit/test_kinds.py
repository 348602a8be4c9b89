"""The kinds catalogue: every EventKind has one complete entry, and the tables derived from it
(triggers, the form, routing, recipients, renderers) cover every kind."""

from __future__ import annotations

import pytest

from hookcast.events import Event, EventKind, Role
from hookcast.kinds import (
    CATALOGUE,
    DEFAULT_TRIGGERS,
    KINDS,
    SEED_TRIGGERS,
    TRIGGER_KINDS,
    Filter,
    kinds_with,
    spec_of,
)
from hookcast.messages.i18n import translator
from hookcast.messages.render import RENDERERS, kind_label
from hookcast.sample_events import sample_event
from hookcast.web.ui.triggers import trigger_options
from tests.unit.parsed_events import parsed_events

ZH = translator("zh_CN")


def test_every_kind_has_exactly_one_entry() -> None:
    assert [spec.kind for spec in CATALOGUE].count(EventKind.PUSH) == 1
    assert sorted(spec.kind for spec in CATALOGUE) == sorted(EventKind)
    assert set(KINDS) == set(EventKind)


@pytest.mark.parametrize("kind", list(EventKind), ids=str)
def test_every_kind_is_complete(kind: EventKind) -> None:
    spec = spec_of(kind)
    assert spec.label and spec.explanation
    # in both languages: the catalog translates both
    assert ZH.gettext(spec.label) != spec.label
    assert ZH.gettext(spec.explanation) != spec.explanation
    assert kind in RENDERERS
    if spec.made_here:  # hookcast makes it (a review reminder): no source, no sample, no trigger
        assert not spec.sample and not spec.default_trigger and kind not in TRIGGER_KINDS
    else:
        assert sample_event(kind).kind is kind  # the preview's sample parses as this kind
        assert kind in TRIGGER_KINDS
    assert spec.direct <= spec.concerned
    assert all(roles <= spec.concerned for roles in spec.direct_on.values())


def test_the_default_triggers_are_the_seed_triggers_in_the_seed_form_order() -> None:
    assert SEED_TRIGGERS == (
        EventKind.PUSH,
        EventKind.ISSUE,
        EventKind.CONFIDENTIAL_ISSUE,
        EventKind.MERGE_REQUEST,
        EventKind.NOTE,
        EventKind.CONFIDENTIAL_NOTE,
        EventKind.TAG_PUSH,
        EventKind.PIPELINE,
        EventKind.WIKI_PAGE,
        EventKind.DEPLOYMENT,
        EventKind.VULNERABILITY,
        EventKind.ALERT,
        EventKind.RELEASE,
    )
    assert frozenset(SEED_TRIGGERS) == DEFAULT_TRIGGERS


def test_the_form_lists_every_kind_once_with_its_explanation() -> None:
    main, more = trigger_options("zh_CN")
    assert [option.value for option in main] == [kind.value for kind in SEED_TRIGGERS]
    assert sorted(option.value for option in main + more) == sorted(kind.value for kind in TRIGGER_KINDS)
    assert all(option.explanation and option.label for option in main + more)
    assert all(option.default for option in main) and not any(option.default for option in more)
    assert main[0].label == kind_label(EventKind.PUSH, "zh_CN") == "推送"


def test_a_confidential_twin_is_routed_like_its_public_kind() -> None:
    twins = {spec.kind: spec.confidential_twin for spec in CATALOGUE if spec.confidential_twin}
    assert twins == {
        EventKind.ISSUE: EventKind.CONFIDENTIAL_ISSUE,
        EventKind.NOTE: EventKind.CONFIDENTIAL_NOTE,
    }
    for public, twin in twins.items():
        assert spec_of(public).filters == spec_of(twin).filters
        assert spec_of(public).concerned == spec_of(twin).concerned


def test_filters_apply_where_gitlab_applies_them() -> None:
    assert kinds_with(Filter.BRANCHES) == {
        EventKind.PUSH,
        EventKind.PIPELINE,
        EventKind.DEPLOYMENT,
        EventKind.JOB,
    }
    assert kinds_with(Filter.PIPELINE_STATES) == {EventKind.PIPELINE}
    assert kinds_with(Filter.ONLY_BROKEN) == {EventKind.PIPELINE, EventKind.JOB}
    assert kinds_with(Filter.QUIET_UPDATES) == {
        EventKind.ISSUE,
        EventKind.CONFIDENTIAL_ISSUE,
        EventKind.MERGE_REQUEST,
    }


def test_direct_messages_go_to_the_roles_declared() -> None:
    assert spec_of(EventKind.ISSUE_APPROVAL_NEEDED).direct_roles("approval_needed") == {Role.APPROVER}
    assert spec_of(EventKind.MERGE_REQUEST).direct_roles("review_requested") == {Role.REVIEWER}
    assert spec_of(EventKind.MERGE_REQUEST).direct_roles("open") == frozenset()
    assert spec_of(EventKind.PUSH).direct_roles("pushed") == frozenset()


@pytest.mark.parametrize(("name", "event"), parsed_events(), ids=[name for name, _ in parsed_events()])
def test_the_people_a_parsed_event_names_have_roles_its_kind_declares(name: str, event: Event) -> None:
    assert {related.role for related in event.related_users} <= spec_of(event.kind).concerned


def test_only_the_review_reminder_is_made_by_hookcast_and_it_is_no_trigger() -> None:
    assert {spec.kind for spec in CATALOGUE if spec.made_here} == {EventKind.REVIEW_REMINDER}
    assert set(TRIGGER_KINDS) == set(EventKind) - {EventKind.REVIEW_REMINDER}
    main, more = trigger_options("en")
    assert EventKind.REVIEW_REMINDER.value not in {option.value for option in main + more}
    assert spec_of(EventKind.REVIEW_REMINDER).always_mention
