"""Routing: which webhooks want an event (GitLab chat-integration semantics)."""

from __future__ import annotations

from typing import Any

import pytest

from hookcast.events import SUPERSEDED, Event, EventKind, ProjectRef
from hookcast.kinds import DEFAULT_TRIGGERS
from hookcast.routing import (
    NOTIFIED_PIPELINE_STATUSES,
    BranchFilter,
    LabelBehavior,
    PipelineFilter,
    RouteRules,
    parse_labels,
    route,
    trigger_of,
    wants,
)
from hookcast.sources.gitlab import parse_gitlab
from tests.fixtures import gitlab_fixtures

ALL_KINDS = frozenset(EventKind)
PROJECT = ProjectRef(name="app", path_with_namespace="team/app", default_branch="main")


def event(kind: EventKind, **fields: Any) -> Event:
    fields.setdefault("project", PROJECT)
    return Event(kind=kind, **fields)


def rules(**fields: Any) -> RouteRules:
    fields.setdefault("active", True)
    fields.setdefault("triggers", ALL_KINDS)
    fields.setdefault("branches_to_be_notified", BranchFilter.ALL)
    return RouteRules(**fields)


# --------------------------------------------------------------------------- parse_labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~bug, ~ui ,", {"bug", "ui"}),
        ("bug,ui", {"bug", "ui"}),
        ("", set()),
        (" , ,, ", set()),
        ("~", set()),
        ('~"needs review", ~backend', {"needs review", "backend"}),
        ("priority::high, ~Priority::High", {"priority::high", "Priority::High"}),
        ("~bug,~bug", {"bug"}),
    ],
)
def test_parse_labels(text: str, expected: set[str]) -> None:
    assert parse_labels(text) == frozenset(expected)


# --------------------------------------------------------------------------- active and triggers


def test_inactive_webhook_wants_nothing() -> None:
    assert not wants(event(EventKind.PUSH, action="pushed", branch="main"), rules(active=False))


@pytest.mark.parametrize("kind", list(EventKind))
def test_kind_must_be_a_trigger(kind: EventKind) -> None:
    sample = event(kind, action="success")
    assert wants(sample, rules(triggers=frozenset({kind})))
    others = ALL_KINDS - {kind}
    assert not wants(sample, rules(triggers=others))


@pytest.mark.parametrize(
    ("kind", "trigger", "wanted"),
    [
        (EventKind.CONFIDENTIAL_ISSUE, EventKind.ISSUE, False),
        (EventKind.CONFIDENTIAL_ISSUE, EventKind.CONFIDENTIAL_ISSUE, True),
        (EventKind.ISSUE, EventKind.CONFIDENTIAL_ISSUE, False),
        (EventKind.CONFIDENTIAL_NOTE, EventKind.NOTE, False),
        (EventKind.CONFIDENTIAL_NOTE, EventKind.CONFIDENTIAL_NOTE, True),
        (EventKind.NOTE, EventKind.CONFIDENTIAL_NOTE, False),
    ],
)
def test_confidential_kinds_only_go_to_confidential_triggers(
    kind: EventKind, trigger: EventKind, wanted: bool
) -> None:
    sample = event(kind, action="open", confidential=kind.value.startswith("confidential"))
    assert wants(sample, rules(triggers=frozenset({trigger}))) is wanted


@pytest.mark.parametrize(
    ("kind", "twin"),
    [(EventKind.ISSUE, EventKind.CONFIDENTIAL_ISSUE), (EventKind.NOTE, EventKind.CONFIDENTIAL_NOTE)],
)
def test_confidential_flag_on_plain_kind_still_needs_confidential_trigger(
    kind: EventKind, twin: EventKind
) -> None:
    sample = event(kind, action="open", confidential=True)
    assert trigger_of(sample) == twin
    assert not wants(sample, rules(triggers=frozenset({kind})))
    assert wants(sample, rules(triggers=frozenset({twin})))


@pytest.mark.parametrize(
    "kind",
    [
        EventKind.MEMBER,
        EventKind.PROJECT,
        EventKind.SUBGROUP,
        EventKind.ACCESS_TOKEN,
        EventKind.EMOJI,
        EventKind.MILESTONE,
    ],
)
def test_administrative_kinds_need_an_explicit_trigger(kind: EventKind) -> None:
    sample = event(kind, action="create")
    assert not wants(sample, rules(triggers=DEFAULT_TRIGGERS))
    assert wants(sample, rules(triggers=DEFAULT_TRIGGERS | {kind}))


# --------------------------------------------------------------------------- quiet updates


@pytest.mark.parametrize("kind", [EventKind.ISSUE, EventKind.CONFIDENTIAL_ISSUE, EventKind.MERGE_REQUEST])
@pytest.mark.parametrize(
    ("action", "wanted"),
    [("update", False), ("open", True), ("close", True), ("reopen", True)],
)
def test_plain_updates_are_not_notified(kind: EventKind, action: str, wanted: bool) -> None:
    assert wants(event(kind, action=action), rules()) is wanted


@pytest.mark.parametrize(
    ("action", "wanted"),
    [
        ("review_requested", True),
        ("merge", True),
        ("approved", True),
        ("approval", True),
        ("unapproved", True),
        ("unapproval", True),
        ("update", False),
    ],
)
def test_merge_request_actions(action: str, wanted: bool) -> None:
    assert wants(event(EventKind.MERGE_REQUEST, action=action), rules()) is wanted


def test_note_and_wiki_updates_are_still_notified() -> None:
    assert wants(event(EventKind.NOTE, action="update"), rules())
    assert wants(event(EventKind.WIKI_PAGE, action="update"), rules())


# --------------------------------------------------------------------------- pipelines and jobs


@pytest.mark.parametrize(
    ("status", "normally", "only_broken"),
    [
        ("success", True, False),
        ("failed", True, True),
        ("canceled", True, False),
        ("skipped", True, False),
        ("manual", True, False),
        ("running", False, False),
        ("pending", False, False),
        ("created", False, False),
        ("canceling", False, False),
    ],
)
def test_pipeline_statuses(status: str, normally: bool, only_broken: bool) -> None:
    pipeline = event(EventKind.PIPELINE, action=status, branch="main", ref="main")
    assert wants(pipeline, rules()) is normally
    assert wants(pipeline, rules(pipelines_to_be_notified=PipelineFilter.BROKEN)) is only_broken
    assert (status in NOTIFIED_PIPELINE_STATUSES) is normally


@pytest.mark.parametrize(
    ("status", "only_broken"), [("failed", True), ("success", False), ("running", False)]
)
def test_jobs_follow_only_broken_pipelines(status: str, only_broken: bool) -> None:
    job = event(EventKind.JOB, action=status, branch="main")
    assert wants(job, rules())
    assert wants(job, rules(pipelines_to_be_notified=PipelineFilter.BROKEN)) is only_broken


def test_only_broken_pipelines_does_not_touch_other_kinds() -> None:
    deploy = event(EventKind.DEPLOYMENT, action="success", branch="main")
    assert wants(deploy, rules(pipelines_to_be_notified=PipelineFilter.BROKEN))
    assert wants(deploy, rules(pipelines_to_be_notified=PipelineFilter.BROKEN_AND_FIXED))


@pytest.mark.parametrize(
    ("status", "previous", "wanted"),
    [
        ("failed", "success", True),  # the first failure
        ("failed", None, True),  # the first result hookcast sees on the ref
        ("success", "failed", True),  # the fix
        ("failed", "failed", False),  # still failing
        ("success", "success", False),
        ("success", None, False),
        ("failed", SUPERSEDED, False),  # arrived after a newer pipeline of its ref
        ("canceled", "failed", False),
        ("manual", "success", False),
    ],
)
def test_broken_and_fixed_pipelines_are_the_changes_of_the_ref(
    status: str, previous: str | None, wanted: bool
) -> None:
    pipeline = event(EventKind.PIPELINE, action=status, branch="main", ref="main", previous_status=previous)
    assert wants(pipeline, rules(pipelines_to_be_notified=PipelineFilter.BROKEN_AND_FIXED)) is wanted
    assert wants(pipeline, rules()) is (status in NOTIFIED_PIPELINE_STATUSES)


@pytest.mark.parametrize(("status", "wanted"), [("failed", True), ("success", False)])
def test_jobs_under_broken_and_fixed_notify_when_they_fail(status: str, wanted: bool) -> None:
    job = event(EventKind.JOB, action=status, branch="main", previous_status="failed")
    assert wants(job, rules(pipelines_to_be_notified=PipelineFilter.BROKEN_AND_FIXED)) is wanted


# --------------------------------------------------------------------------- branch filter

BRANCH_CASES = [
    # branch, default branch of the project, filter, protected patterns, wanted
    ("main", "main", BranchFilter.DEFAULT, (), True),
    ("dev", "main", BranchFilter.DEFAULT, (), False),
    ("dev", "main", BranchFilter.ALL, (), True),
    ("release/1.2", "main", BranchFilter.PROTECTED, ("release/*",), True),
    ("release/1.2", "main", BranchFilter.PROTECTED, ("release",), False),
    ("main", "main", BranchFilter.PROTECTED, ("release/*",), False),
    ("main", "main", BranchFilter.PROTECTED, (), False),
    ("stable", "main", BranchFilter.PROTECTED, ("stable", "release/*"), True),
    ("Release/1", "main", BranchFilter.PROTECTED, ("release/*",), False),  # case matters, as in GitLab
    ("main", "main", BranchFilter.DEFAULT_AND_PROTECTED, ("release/*",), True),
    ("release/2", "main", BranchFilter.DEFAULT_AND_PROTECTED, ("release/*",), True),
    ("feature/x", "main", BranchFilter.DEFAULT_AND_PROTECTED, ("release/*",), False),
    # default branch unknown: main and master count as default
    ("main", None, BranchFilter.DEFAULT, (), True),
    ("master", None, BranchFilter.DEFAULT, (), True),
    ("develop", None, BranchFilter.DEFAULT, (), False),
    ("master", "develop", BranchFilter.DEFAULT, (), False),
]


@pytest.mark.parametrize("kind", [EventKind.PUSH, EventKind.PIPELINE, EventKind.DEPLOYMENT, EventKind.JOB])
@pytest.mark.parametrize(("branch", "default", "branch_filter", "protected", "wanted"), BRANCH_CASES)
def test_branch_filter(
    kind: EventKind,
    branch: str,
    default: str | None,
    branch_filter: BranchFilter,
    protected: tuple[str, ...],
    wanted: bool,
) -> None:
    project = ProjectRef(name="app", path_with_namespace="team/app", default_branch=default)
    action = "success" if kind in (EventKind.PIPELINE, EventKind.DEPLOYMENT, EventKind.JOB) else "pushed"
    sample = event(kind, action=action, branch=branch, ref=branch, project=project)
    assert wants(sample, rules(branches_to_be_notified=branch_filter), protected) is wanted


@pytest.mark.parametrize("branch_filter", list(BranchFilter))
def test_tags_are_never_branch_filtered(branch_filter: BranchFilter) -> None:
    tag_push = event(EventKind.TAG_PUSH, action="pushed", ref="refs/tags/v1", is_tag=True)
    tag_pipeline = event(EventKind.PIPELINE, action="success", ref="v1", is_tag=True)
    tag_job = event(EventKind.JOB, action="failed", ref="v1", is_tag=True)
    for sample in (tag_push, tag_pipeline, tag_job):
        assert wants(sample, rules(branches_to_be_notified=branch_filter), ())


@pytest.mark.parametrize(
    "kind", [EventKind.ISSUE, EventKind.MERGE_REQUEST, EventKind.NOTE, EventKind.RELEASE]
)
def test_branch_filter_does_not_apply_to_other_kinds(kind: EventKind) -> None:
    sample = event(kind, action="open", branch="feature/x")
    assert wants(sample, rules(branches_to_be_notified=BranchFilter.DEFAULT))


def test_event_without_branch_passes_the_branch_filter() -> None:
    deploy = event(EventKind.DEPLOYMENT, action="success")
    assert wants(deploy, rules(branches_to_be_notified=BranchFilter.PROTECTED), ("release/*",))


def test_gitlab_ref_protected_counts_as_protected() -> None:
    push = event(EventKind.PUSH, action="pushed", branch="prod", details={"ref_protected": "true"})
    assert wants(push, rules(branches_to_be_notified=BranchFilter.PROTECTED))
    unprotected = push.model_copy(update={"details": {"ref_protected": "false"}})
    assert not wants(unprotected, rules(branches_to_be_notified=BranchFilter.PROTECTED))


def test_removed_branch_push_is_branch_filtered() -> None:
    removed = event(EventKind.PUSH, action="removed_branch", branch="feature/x")
    assert not wants(removed, rules(branches_to_be_notified=BranchFilter.DEFAULT))
    assert wants(removed, rules(branches_to_be_notified=BranchFilter.ALL))


# --------------------------------------------------------------------------- label filter

LABEL_CASES = [
    # event labels, filter text, behaviour, wanted
    (("bug", "ui"), "", LabelBehavior.MATCH_ANY, True),
    ((), "", LabelBehavior.MATCH_ALL, True),
    ((), "~bug", LabelBehavior.MATCH_ANY, False),
    ((), "~bug", LabelBehavior.MATCH_ALL, False),
    (("bug",), "~bug, ~ui", LabelBehavior.MATCH_ANY, True),
    (("bug",), "~bug, ~ui", LabelBehavior.MATCH_ALL, False),
    (("bug", "ui", "backend"), "~bug, ~ui", LabelBehavior.MATCH_ALL, True),
    (("docs",), "~bug, ~ui", LabelBehavior.MATCH_ANY, False),
    (("Bug",), "~bug", LabelBehavior.MATCH_ANY, False),
]


@pytest.mark.parametrize(
    "kind",
    [
        EventKind.ISSUE,
        EventKind.CONFIDENTIAL_ISSUE,
        EventKind.MERGE_REQUEST,
        EventKind.NOTE,
        EventKind.CONFIDENTIAL_NOTE,
    ],
)
@pytest.mark.parametrize(("labels", "text", "behavior", "wanted"), LABEL_CASES)
def test_label_filter(
    kind: EventKind, labels: tuple[str, ...], text: str, behavior: LabelBehavior, wanted: bool
) -> None:
    sample = event(kind, action="open", labels=labels, confidential=kind.value.startswith("confidential"))
    webhook = rules(labels_to_be_notified=parse_labels(text), labels_behavior=behavior)
    assert wants(sample, webhook) is wanted


@pytest.mark.parametrize("kind", [EventKind.PUSH, EventKind.PIPELINE, EventKind.RELEASE, EventKind.ALERT])
def test_label_filter_does_not_apply_to_other_kinds(kind: EventKind) -> None:
    sample = event(kind, action="success", branch="main")
    assert wants(sample, rules(labels_to_be_notified=frozenset({"bug"})))


# --------------------------------------------------------------------------- route()


def test_route_keeps_matching_targets_in_order() -> None:
    push = event(EventKind.PUSH, action="pushed", branch="release/3")
    candidates = [
        ("all-branches", rules()),
        ("inactive", rules(active=False)),
        ("issues-only", rules(triggers=frozenset({EventKind.ISSUE}))),
        ("default-only", rules(branches_to_be_notified=BranchFilter.DEFAULT)),
        ("protected", rules(branches_to_be_notified=BranchFilter.PROTECTED)),
        ("labelled", rules(labels_to_be_notified=frozenset({"bug"}))),
    ]
    assert route(push, candidates, ["release/*"]) == ["all-branches", "protected", "labelled"]
    assert route(push, candidates) == ["all-branches", "labelled"]
    assert route(push, []) == []


def test_route_is_generic_over_targets() -> None:
    targets = [(1, rules()), (2, rules(active=False))]
    assert route(event(EventKind.RELEASE, action="create"), targets) == [1]


# --------------------------------------------------------------------------- parsed fixtures end to end


def _parsed(name: str) -> Event:
    header, body = next((header, body) for file, header, body in gitlab_fixtures() if file == name)
    parsed = parse_gitlab(header, body)
    assert isinstance(parsed, Event)
    return parsed


def test_parsed_fixtures_with_default_webhook() -> None:
    default_webhook = rules(triggers=DEFAULT_TRIGGERS, branches_to_be_notified=BranchFilter.DEFAULT)
    expectations = {
        "docs/push.json": True,  # master is the default branch
        "docs/tag_push.json": True,
        "docs/work_item.json": True,
        "docs/merge_request.json": True,
        "docs/note_issue.json": True,
        "docs/pipeline.json": True,
        "docs/deployment.json": True,  # no ref in the payload: nothing to filter on
        "go-gitlab/deployment.json": False,  # ref 1.0.0 is not the default branch
        "go-gitlab/service_merge_request.json": False,  # a plain update
        "docs/job.json": False,  # job is not a default trigger
        "docs/member_add_to_group.json": False,
        "docs/emoji.json": False,
        "docs/vulnerability.json": True,
        "docs/release.json": True,
    }
    for name, wanted in expectations.items():
        assert wants(_parsed(name), default_webhook) is wanted, name


def test_parsed_note_uses_labels_of_its_issue() -> None:
    note = _parsed("docs/note_issue.json")
    assert wants(
        note, rules(labels_to_be_notified=parse_labels("~Afterpod, ~Element"), labels_behavior="match_all")
    )
    assert not wants(note, rules(labels_to_be_notified=parse_labels("~bug")))
    commit_note = _parsed("docs/note_commit.json")
    assert not wants(commit_note, rules(labels_to_be_notified=parse_labels("~Afterpod")))
