"""Issue-workflow events posted to ``POST /api/v1/projects/{id}/events`` -> canonical Events.

The body is hookcast's own JSON schema (the pydantic models below, published in OpenAPI)::

    {"id": "evt-1", "type": "issue.approval_needed", "occurred_at": "2026-01-02T03:04:05Z",
     "actor": {"name": "Ann", "email": "ann@example.com"},
     "issue": {"id": 42, "title": "Add index", "url": "https://…", "status": "pending_approval",
               "creator": {...}, "assignee": {...}},
     "stage": {"name": "prod", "status": "waiting"}, "task": {...},
     "change": {"field": "assignee", "from": "ann", "to": "bob"}, "comment": {"body": "…"},
     "users": [{"role": "approver", "name": "Bob", "email": "bob@example.com"}]}

``parse_workflow(body)`` is pure: an `Event`, or a `Rejection` (400 not JSON, 422 not the
schema, or lacking what its type needs: the issue's id or title, and for a stage / task status
change, an info change or a comment, that stage / task / change / comment).
``workflow_event(body, source=...)`` maps an already validated body; CloudEvents use it.

Tones: created / approved / completed SUCCESS; approval needed, rollout needed, sent back
WARNING; rollout failed FAILURE; status changes by their new status (`status_tone`); info
changes and comments NEUTRAL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from hookcast.events import (
    DetailKey,
    Event,
    EventKind,
    Item,
    Person,
    ProjectRef,
    RelatedUser,
    Role,
    Tone,
    details_of,
)
from hookcast.sources import ParseResult, Rejection
from hookcast.sources.caps import capped
from hookcast.sources.required import Required
from hookcast.sources.tolerant import load_json

WorkflowType = Literal[
    "issue.created",
    "issue.status_changed",
    "issue.stage_status_changed",
    "issue.task_status_changed",
    "issue.info_changed",
    "issue.comment_created",
    "issue.approval_needed",
    "issue.approved",
    "issue.sent_back",
    "issue.rollout_needed",
    "rollout.failed",
    "rollout.completed",
]
WORKFLOW_KINDS: tuple[EventKind, ...] = tuple(
    k for k in EventKind if k.value.startswith(("issue.", "rollout."))
)

MAX_TEXT = 20_000


def _as_text(value: object) -> object:
    """Ids may come as numbers: keep them as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


Id = Annotated[str, BeforeValidator(_as_text), Field(max_length=200)]
ShortText = Annotated[str, Field(max_length=1000)]
LongText = Annotated[str, Field(max_length=MAX_TEXT)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class PersonIn(_In):
    """Someone the event names; email or mobile lets hookcast find them in the IM apps."""

    name: ShortText = ""
    email: ShortText | None = None
    mobile: ShortText | None = None
    username: ShortText | None = None


class UserIn(PersonIn):
    role: Role = Field(description="Why this person is concerned: approver, releaser, assignee, ...")


class ProjectIn(_In):
    name: ShortText = ""
    path: ShortText | None = Field(default=None, description="A stable path, e.g. 'team/db'.")
    url: ShortText | None = None


class IssueIn(_In):
    id: Id | None = None
    title: ShortText = ""
    url: ShortText | None = None
    status: ShortText | None = None
    description: LongText = ""
    labels: list[ShortText] = Field(default_factory=list, max_length=100)
    creator: PersonIn | None = None
    assignee: PersonIn | None = None


class StageIn(_In):
    id: Id | None = None
    name: ShortText = ""
    status: ShortText | None = None
    environment: ShortText | None = None


class TaskIn(_In):
    id: Id | None = None
    name: ShortText = ""
    status: ShortText | None = None
    url: ShortText | None = None


class ChangeIn(_In):
    field: ShortText = Field(description="assignee, title, description, status, ...")
    from_: LongText | None = Field(default=None, alias="from")
    to: LongText | None = None


class CommentIn(_In):
    id: Id | None = None
    body: LongText = ""
    url: ShortText | None = None


class WorkflowEventIn(_In):
    """One issue-workflow event. ``id`` is the idempotency key: a retry with the same id is
    accepted once."""

    id: Id = Field(min_length=1)
    type: WorkflowType
    occurred_at: datetime | None = None
    actor: PersonIn = Field(default_factory=PersonIn)
    project: ProjectIn | None = None
    issue: IssueIn = Field(default_factory=IssueIn)
    stage: StageIn | None = None
    task: TaskIn | None = None
    change: ChangeIn | None = None
    comment: CommentIn | None = None
    users: list[UserIn] = Field(default_factory=list, max_length=200)


# --- parsing --------------------------------------------------------------------------------


def parse_workflow(body: bytes, *, source: str = "workflow") -> ParseResult:
    try:
        payload = load_json(body)
    except ValueError as exc:
        return Rejection(400, f"malformed JSON body: {str(exc)[:80]}")
    if not isinstance(payload, dict):
        return Rejection(400, "the body must be a JSON object")
    return parse_workflow_payload(payload, source=source)


# Every message names the issue; some kinds also name a stage, a task, a change or a comment.
_THE_ISSUE = "issue.id | issue.title"
_KIND_NEEDS: Mapping[EventKind, tuple[str, ...]] = {
    EventKind.ISSUE_STAGE_STATUS_CHANGED: ("stage.name",),
    EventKind.ISSUE_TASK_STATUS_CHANGED: ("task.name",),
    EventKind.ISSUE_INFO_CHANGED: ("change.field",),
    EventKind.ISSUE_COMMENT_CREATED: ("comment.body",),
}
REQUIRED: Mapping[EventKind, Required] = {
    kind: Required(kind.value, (_THE_ISSUE, *_KIND_NEEDS.get(kind, ()))) for kind in WORKFLOW_KINDS
}


def parse_workflow_payload(payload: Mapping[str, Any], *, source: str = "workflow") -> ParseResult:
    try:
        data = WorkflowEventIn.model_validate(payload)
    except ValidationError as exc:
        return Rejection(422, validation_summary(exc))
    lacking = REQUIRED[EventKind(data.type)].check(payload, status=422)
    if lacking is not None:
        return lacking
    return workflow_event(data, source=source)


def validation_summary(exc: ValidationError, limit: int = 5) -> str:
    """``issue.title: Input should be a valid string; type: ...`` — the first few problems."""
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def workflow_event(data: WorkflowEventIn, *, source: str = "workflow") -> Event:
    kind = EventKind(data.type)
    issue = data.issue
    status = _status_of(kind, data)
    details: dict[DetailKey, str | None] = {
        "status": status,
        "stage": data.stage.name if data.stage else None,
        "task": data.task.name if data.task else None,
        "environment": data.stage.environment if data.stage else None,
        "changed": data.change.field if data.change else None,
        "change_from": data.change.from_ if data.change else None,
        "change_to": data.change.to if data.change else None,
        "comment_url": data.comment.url if data.comment else None,
        "task_url": data.task.url if data.task else None,
    }
    event = Event(
        kind=kind,
        action=kind.value.split(".", 1)[1],
        tone=tone_of(kind, status),
        source=source,
        source_id=data.id,
        project=_project(data.project),
        actor=_person(data.actor),
        labels=tuple(label for label in issue.labels if label),
        title=issue.title,
        url=issue.url or None,
        object_id=issue.id or None,
        description=_description(kind, data),
        details=details_of(details),
        items=_change_items(data.change),
        related_users=_related(data),
        occurred_at=data.occurred_at,
    )
    return capped(event)


# --- tones ----------------------------------------------------------------------------------

_KIND_TONES: Mapping[EventKind, Tone] = {
    EventKind.ISSUE_CREATED: Tone.SUCCESS,
    EventKind.ISSUE_APPROVED: Tone.SUCCESS,
    EventKind.ROLLOUT_COMPLETED: Tone.SUCCESS,
    EventKind.ISSUE_APPROVAL_NEEDED: Tone.WARNING,
    EventKind.ISSUE_ROLLOUT_NEEDED: Tone.WARNING,
    EventKind.ISSUE_SENT_BACK: Tone.WARNING,
    EventKind.ROLLOUT_FAILED: Tone.FAILURE,
    EventKind.ISSUE_INFO_CHANGED: Tone.NEUTRAL,
    EventKind.ISSUE_COMMENT_CREATED: Tone.NEUTRAL,
}
_STATUS_KINDS = frozenset(
    {
        EventKind.ISSUE_STATUS_CHANGED,
        EventKind.ISSUE_STAGE_STATUS_CHANGED,
        EventKind.ISSUE_TASK_STATUS_CHANGED,
    }
)
_SUCCESS_WORDS = frozenset(
    {"done", "completed", "complete", "success", "succeeded", "approved", "resolved", "finished", "passed"}
)
_FAILURE_WORDS = frozenset({"failed", "failure", "error", "errored", "rejected"})
_WARNING_WORDS = frozenset(
    {"pending_approval", "waiting", "waiting_approval", "blocked", "sent_back", "needs_attention"}
)


def status_tone(status: str | None) -> Tone:
    """The colour of a status word: done green, failed red, waiting for someone orange."""
    word = (status or "").strip().lower().replace(" ", "_").replace("-", "_")
    if word in _SUCCESS_WORDS:
        return Tone.SUCCESS
    if word in _FAILURE_WORDS:
        return Tone.FAILURE
    if word in _WARNING_WORDS:
        return Tone.WARNING
    return Tone.NEUTRAL


def tone_of(kind: EventKind, status: str | None) -> Tone:
    if kind in _STATUS_KINDS:
        return status_tone(status)
    return _KIND_TONES.get(kind, Tone.NEUTRAL)


# --- pieces ---------------------------------------------------------------------------------


def _status_of(kind: EventKind, data: WorkflowEventIn) -> str | None:
    if kind is EventKind.ISSUE_STAGE_STATUS_CHANGED and data.stage and data.stage.status:
        return data.stage.status
    if kind is EventKind.ISSUE_TASK_STATUS_CHANGED and data.task and data.task.status:
        return data.task.status
    if data.change and data.change.field == "status" and data.change.to:
        return data.change.to
    return data.issue.status or None


def _description(kind: EventKind, data: WorkflowEventIn) -> str:
    if kind is EventKind.ISSUE_COMMENT_CREATED and data.comment:
        return data.comment.body
    if kind is EventKind.ISSUE_INFO_CHANGED:
        return ""
    return data.issue.description


def _change_items(change: ChangeIn | None) -> tuple[Item, ...]:
    """An info change shows as one line: ``assignee: ann → bob``."""
    if change is None or change.field == "description":
        return ()
    before, after = change.from_ or "—", change.to or "—"
    return (Item(title=f"{change.field}: {before} → {after}"),)


def _project(project: ProjectIn | None) -> ProjectRef:
    if project is None:
        return ProjectRef()
    return ProjectRef(name=project.name, path_with_namespace=project.path or project.name, url=project.url)


def _person(person: PersonIn) -> Person:
    return Person(
        name=person.name,
        username=person.username or None,
        email=(person.email or "").lower() or None,
        mobile=person.mobile or None,
    )


def _related(data: WorkflowEventIn) -> tuple[RelatedUser, ...]:
    pairs: list[tuple[Role, PersonIn]] = [(user.role, user) for user in data.users]
    if data.issue.creator is not None:
        pairs.append((Role.CREATOR, data.issue.creator))
    if data.issue.assignee is not None:
        pairs.append((Role.ASSIGNEE, data.issue.assignee))
    return tuple(_distinct(RelatedUser(role=role, person=_person(p)) for role, p in pairs))


def _distinct(users: Iterable[RelatedUser]) -> list[RelatedUser]:
    seen: set[tuple[Role, str]] = set()
    kept: list[RelatedUser] = []
    for user in users:
        person = user.person
        key = (user.role, person.email or person.mobile or person.username or person.name)
        if person.is_someone and key not in seen:
            seen.add(key)
            kept.append(user)
    return kept
