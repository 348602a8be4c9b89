"""The issue-workflow JSON schema -> Event: kinds, tones, people, details, and clear refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hookcast.directmessages.recipients import direct_recipients
from hookcast.events import Event, EventKind, Role, Tone
from hookcast.messages.render import render
from hookcast.sources import Rejection
from hookcast.sources.workflow import WORKFLOW_KINDS, parse_workflow, status_tone


def body(**fields: Any) -> bytes:
    base: dict[str, Any] = {
        "id": "evt-1",
        "type": "issue.approval_needed",
        "occurred_at": "2026-03-01T10:00:00Z",
        "actor": {"name": "Ann", "email": "Ann@Example.com"},
        "project": {"name": "Orders DB", "path": "data/orders", "url": "https://flow.example.com/p/orders"},
        "issue": {
            "id": 42,
            "title": "Add index on orders",
            "url": "https://flow.example.com/issues/42",
            "status": "pending_approval",
            "description": "CREATE INDEX ...",
            "creator": {"name": "Ann", "email": "ann@example.com"},
            "assignee": {"name": "Dan", "mobile": "+8613800000003"},
        },
        "users": [
            {"role": "approver", "name": "Bob", "email": "bob@example.com"},
            {"role": "approver", "name": "Carol", "mobile": "+8613800000002"},
        ],
    }
    base.update(fields)
    return json.dumps(base).encode()


# what each kind needs besides the issue (the base body has the issue)
KIND_EXTRAS: dict[str, dict[str, Any]] = {
    "issue.stage_status_changed": {"stage": {"name": "prod", "status": "waiting"}},
    "issue.task_status_changed": {"task": {"name": "migrate orders", "status": "done"}},
    "issue.info_changed": {"change": {"field": "title", "from": "a", "to": "b"}},
    "issue.comment_created": {"comment": {"body": "Looks good"}},
}


def event(**fields: Any) -> Event:
    parsed = parse_workflow(body(**fields))
    assert isinstance(parsed, Event), parsed
    return parsed


def test_an_approval_needed_event() -> None:
    parsed = event()
    assert parsed.kind is EventKind.ISSUE_APPROVAL_NEEDED
    assert parsed.tone is Tone.WARNING
    assert parsed.source == "workflow"
    assert parsed.source_id == "evt-1"
    assert parsed.object_id == "42"
    assert parsed.title == "Add index on orders"
    assert parsed.url == "https://flow.example.com/issues/42"
    assert parsed.project.name == "Orders DB"
    assert parsed.project.path_with_namespace == "data/orders"
    assert parsed.actor.email == "ann@example.com"
    assert parsed.detail("status") == "pending_approval"
    assert parsed.occurred_at is not None and parsed.occurred_at.year == 2026
    roles = [(user.role, user.person.name) for user in parsed.related_users]
    assert roles == [
        (Role.APPROVER, "Bob"),
        (Role.APPROVER, "Carol"),
        (Role.CREATOR, "Ann"),
        (Role.ASSIGNEE, "Dan"),
    ]


@pytest.mark.parametrize(
    ("kind", "tone"),
    [
        ("issue.created", Tone.SUCCESS),
        ("issue.approved", Tone.SUCCESS),
        ("rollout.completed", Tone.SUCCESS),
        ("issue.approval_needed", Tone.WARNING),
        ("issue.rollout_needed", Tone.WARNING),
        ("issue.sent_back", Tone.WARNING),
        ("rollout.failed", Tone.FAILURE),
        ("issue.comment_created", Tone.NEUTRAL),
        ("issue.info_changed", Tone.NEUTRAL),
    ],
)
def test_tones_by_kind(kind: str, tone: Tone) -> None:
    assert event(type=kind, **KIND_EXTRAS.get(kind, {})).tone is tone


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("done", Tone.SUCCESS),
        ("FAILED", Tone.FAILURE),
        ("pending approval", Tone.WARNING),
        ("open", Tone.NEUTRAL),
    ],
)
def test_status_changes_take_the_tone_of_the_new_status(status: str, tone: Tone) -> None:
    parsed = event(type="issue.status_changed", change={"field": "status", "from": "open", "to": status})
    assert parsed.detail("status") == status
    assert parsed.tone is tone


def test_stage_and_task_status_changes_read_their_own_status() -> None:
    stage = event(
        type="issue.stage_status_changed",
        stage={"name": "prod", "status": "failed", "environment": "production"},
    )
    assert stage.detail("stage") == "prod"
    assert stage.detail("status") == "failed"
    assert stage.detail("environment") == "production"
    assert stage.tone is Tone.FAILURE
    task = event(type="issue.task_status_changed", task={"name": "migrate orders", "status": "done"})
    assert task.detail("task") == "migrate orders"
    assert task.tone is Tone.SUCCESS
    title = render(task, "en").title
    assert "migrate orders" in title and "#42" in title


def test_an_info_change_carries_from_and_to() -> None:
    parsed = event(type="issue.info_changed", change={"field": "assignee", "from": "ann", "to": "bob"})
    assert parsed.details["changed"] == "assignee"
    assert parsed.details["change_from"] == "ann"
    assert parsed.details["change_to"] == "bob"
    assert [item.title for item in parsed.items] == ["assignee: ann → bob"]
    text = repr(render(parsed, "en").lines)
    assert "assignee: ann → bob" in text


def test_a_comment_is_the_description() -> None:
    parsed = event(type="issue.comment_created", comment={"body": "Looks good", "url": "https://c/1"})
    assert parsed.description == "Looks good"
    assert parsed.detail("comment_url") == "https://c/1"


def test_every_workflow_kind_parses_and_renders_in_both_languages() -> None:
    for kind in WORKFLOW_KINDS:
        parsed = event(type=kind.value, **KIND_EXTRAS.get(kind.value, {}))
        assert parsed.kind is kind
        for language in ("en", "zh_CN"):
            assert render(parsed, language).title


def test_direct_recipients_by_kind() -> None:
    assert [p.name for p in direct_recipients(event(type="issue.approval_needed"))] == ["Bob", "Carol"]
    assert [p.name for p in direct_recipients(event(type="issue.approved"))] == ["Ann"]
    assert [p.name for p in direct_recipients(event(type="issue.sent_back"))] == ["Ann"]
    assert direct_recipients(event(type="issue.rollout_needed")) == ()
    releasers = event(type="issue.rollout_needed", users=[{"role": "releaser", "email": "rel@example.com"}])
    assert [p.email for p in direct_recipients(releasers)] == ["rel@example.com"]
    assert direct_recipients(event(type="issue.created")) == ()


def test_the_same_person_twice_in_a_role_is_kept_once() -> None:
    users = [
        {"role": "approver", "email": "bob@example.com"},
        {"role": "approver", "email": "BOB@example.com"},
    ]
    parsed = event(users=users)
    assert sum(1 for u in parsed.related_users if u.role is Role.APPROVER) == 1


def test_minimal_body() -> None:
    parsed = parse_workflow(b'{"id": "x", "type": "rollout.completed", "issue": {"id": 7}}')
    assert isinstance(parsed, Event)
    assert parsed.tone is Tone.SUCCESS
    assert parsed.related_users == ()


@pytest.mark.parametrize("kind", [kind.value for kind in WORKFLOW_KINDS])
@pytest.mark.parametrize("issue", [None, {}, {"title": "  ", "url": "https://flow.example.com/i/1"}])
def test_an_event_without_its_issue_is_refused_naming_it(kind: str, issue: dict[str, Any] | None) -> None:
    fields: dict[str, Any] = {"type": kind, **KIND_EXTRAS.get(kind, {})}
    raw = json.loads(body(**fields))
    if issue is None:
        del raw["issue"]
    else:
        raw["issue"] = issue
    assert parse_workflow(json.dumps(raw).encode()) == Rejection(
        422, f"{kind}: missing issue.id or issue.title"
    )


@pytest.mark.parametrize(("kind", "extras"), sorted(KIND_EXTRAS.items()))
def test_a_kind_without_what_it_is_about_is_refused_naming_it(kind: str, extras: dict[str, Any]) -> None:
    ((name, value),) = extras.items()
    needed = "change.field" if name == "change" else f"{name}.{'body' if name == 'comment' else 'name'}"
    without = parse_workflow(body(type=kind))
    assert without == Rejection(422, f"{kind}: missing {needed}")
    blank = {**value, needed.split(".")[1]: " "}
    if name != "change":  # a change without its field is already refused by the schema
        assert parse_workflow(body(type=kind, **{name: blank})) == Rejection(422, f"{kind}: missing {needed}")
    assert isinstance(parse_workflow(body(type=kind, **extras)), Event)


@pytest.mark.parametrize(
    ("raw", "status", "words"),
    [
        (b"{not json", 400, "malformed JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"type": "issue.created"}', 422, "id"),
        (b'{"id": "x", "type": "issue.deleted"}', 422, "type"),
        (b'{"id": "x", "type": "issue.created", "users": [{"role": "boss"}]}', 422, "users.0.role"),
        (b'{"id": "", "type": "issue.created"}', 422, "id"),
        (b'{"id": "x", "type": "issue.created", "occurred_at": "yesterday"}', 422, "occurred_at"),
    ],
)
def test_refusals_are_clear(raw: bytes, status: int, words: str) -> None:
    parsed = parse_workflow(raw)
    assert isinstance(parsed, Rejection)
    assert parsed.status == status
    assert words in parsed.reason


def test_status_tone_words() -> None:
    assert status_tone("Completed") is Tone.SUCCESS
    assert status_tone("rejected") is Tone.FAILURE
    assert status_tone(None) is Tone.NEUTRAL
