"""The canonical Event: what every source is parsed into and every renderer reads.

Sources (GitLab, Alertmanager, the issue-workflow API, CloudEvents) produce an `Event`;
routing decides which webhooks want it; renderers turn it into a platform-neutral `Message`.
The vocabulary here (kinds, tones, roles) is defined once and used everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class EventKind(StrEnum):
    """What happened. Each kind is also the name of the webhook trigger that selects it; what
    hookcast knows about each kind (label, default trigger, filters ...) is in `hookcast.kinds`."""

    # GitLab
    PUSH = "push"
    TAG_PUSH = "tag_push"
    ISSUE = "issue"
    CONFIDENTIAL_ISSUE = "confidential_issue"
    MERGE_REQUEST = "merge_request"
    NOTE = "note"
    CONFIDENTIAL_NOTE = "confidential_note"
    PIPELINE = "pipeline"
    JOB = "job"
    WIKI_PAGE = "wiki_page"
    DEPLOYMENT = "deployment"
    RELEASE = "release"
    VULNERABILITY = "vulnerability"
    FEATURE_FLAG = "feature_flag"
    EMOJI = "emoji"
    MILESTONE = "milestone"
    MEMBER = "member"
    PROJECT = "project"
    SUBGROUP = "subgroup"
    ACCESS_TOKEN = "access_token"
    # Alerts (GitLab alert integrations, Prometheus Alertmanager)
    ALERT = "alert"
    # Issue-workflow events posted to hookcast's own API
    ISSUE_CREATED = "issue.created"
    ISSUE_STATUS_CHANGED = "issue.status_changed"
    ISSUE_STAGE_STATUS_CHANGED = "issue.stage_status_changed"
    ISSUE_TASK_STATUS_CHANGED = "issue.task_status_changed"
    ISSUE_INFO_CHANGED = "issue.info_changed"
    ISSUE_COMMENT_CREATED = "issue.comment_created"
    ISSUE_APPROVAL_NEEDED = "issue.approval_needed"
    ISSUE_APPROVED = "issue.approved"
    ISSUE_SENT_BACK = "issue.sent_back"
    ISSUE_ROLLOUT_NEEDED = "issue.rollout_needed"
    ROLLOUT_FAILED = "rollout.failed"
    ROLLOUT_COMPLETED = "rollout.completed"
    # Made by hookcast itself, not received (`kinds.KindSpec.made_here`): no trigger selects them
    REVIEW_REMINDER = "review_reminder"


class Tone(StrEnum):
    """The colour of a message: green for done / success, red for errors, grey for void."""

    SUCCESS = "success"
    FAILURE = "failure"
    NEUTRAL = "neutral"
    WARNING = "warning"


class Role(StrEnum):
    """Why a person is named by an event (for mentions and direct messages)."""

    ASSIGNEE = "assignee"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    CREATOR = "creator"
    RELEASER = "releaser"
    AUTHOR = "author"


# The closed set of `Event.details` keys: mypy checks every read (`Event.detail`) and every write
# (`details_of`) against it, so a renderer cannot read a key no source writes. Each key is written
# by some parser over the shipped samples (tests/unit/test_details.py); what each means for GitLab
# is in the `hookcast.sources.gitlab` docstring, for Alertmanager and workflow events in theirs.
DetailKey = Literal[
    # code: push, tag push, merge requests, notes
    "before",
    "after",
    "commit_sha",
    "commit_title",
    "commit_url",
    "commit_author",
    "ref_protected",
    "tag",
    "source_branch",
    "target_branch",
    "merge_status",
    "draft",
    "created_at",
    "noteable_type",
    "target_title",
    "target_id",
    "target_url",
    "target_state",
    "system",
    # issues (GitLab and workflow)
    "state",
    "severity",
    "due_date",
    "work_item_type",
    "changed",
    "change_from",
    "change_to",
    "comment_url",
    "task",
    "task_url",
    # CI: pipelines, jobs, deployments, releases
    "status",
    "detailed_status",
    "duration",
    "queued_duration",
    "pipeline_source",
    "stages",
    "stage",
    "merge_request_iid",
    "merge_request_title",
    "merge_request_url",
    "failure_reason",
    "allow_failure",
    "pipeline_id",
    "retries_count",
    "environment",
    "environment_tier",
    "environment_url",
    "deployable_url",
    "released_at",
    "workflow",
    # other GitLab events: wiki, vulnerability, emoji, milestone, member, project, subgroup, token
    "message",
    "slug",
    "diff_url",
    "report_type",
    "confidence",
    "location",
    "identifiers",
    "emoji",
    "awardable_type",
    "start_date",
    "member_username",
    "member_email",
    "access_level",
    "expires_at",
    "visibility",
    "owners",
    "old_path",
    "full_path",
    "token_id",
    # alerts (GitLab alerts, Alertmanager)
    "events",
    "started_at",
    "alertname",
    "receiver",
    "group_labels",
    "firing",
    "resolved",
    "truncated",
    "runbook_url",
    "group_key",
]
DETAIL_KEYS: frozenset[str] = frozenset(get_args(DetailKey))
# The ``workflow`` detail of a GitHub check suite starts so (a workflow run's is its workflow id):
# renderers call it a check suite.
CHECK_SUITE_WORKFLOW = "check_suite:"
Details = dict[DetailKey, str]


def details_of(values: Mapping[DetailKey, str | None]) -> Details:
    """The details a parser fills, without the keys the payload had no value for."""
    return {key: value for key, value in values.items() if value}


def _known_details(value: object) -> object:
    """Events are stored as JSON (``events.event``): a row written before the key set was closed
    may hold a key no source writes any more. It is dropped, so old rows still load."""
    if isinstance(value, dict):
        return {key: entry for key, entry in value.items() if key in DETAIL_KEYS}
    return value


class PipelineChange(StrEnum):
    """What a finished pipeline changed on its ref, against the ref's previous result."""

    BROKEN = "broken"  # failed, and the ref passed before (or hookcast had not seen it yet)
    STILL_FAILING = "still_failing"  # failed again
    FIXED = "fixed"  # passed, and the ref failed before


# The results a ref is remembered by: a canceled or skipped pipeline says nothing of whether the
# ref builds, so it neither fixes nor breaks it and is not remembered.
PASSED = "success"
FAILED = "failed"
REMEMBERED_RESULTS: frozenset[str] = frozenset({PASSED, FAILED})
# `Event.previous_status` of a pipeline older than the ref's newest one seen (it arrived late):
# it changed nothing, so it is neither a breakage nor a fix.
SUPERSEDED = "superseded"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Frozen):
    name: str = ""
    username: str | None = None
    email: str | None = None
    mobile: str | None = None
    avatar_url: str | None = None

    @property
    def is_someone(self) -> bool:
        """Whether the payload named anybody (a name, login, e-mail or mobile): an empty user
        object names nobody, and is left out of an event's people."""
        return bool(self.name or self.username or self.email or self.mobile)


class RelatedUser(_Frozen):
    role: Role
    person: Person


class ProjectRef(_Frozen):
    name: str = ""
    path_with_namespace: str = ""
    url: str | None = None
    default_branch: str | None = None


class Item(_Frozen):
    """One entry of a list an event carries: a commit, a failed job, an alert."""

    title: str
    url: str | None = None
    id: str | None = None
    author: str | None = None
    status: str | None = None
    stage: str | None = None  # a job's CI stage
    failure_reason: str | None = None  # a failed job's, as GitLab names it (``script_failure``)
    # A merge request in a review reminder: when it was opened, who was asked to review it and
    # has not approved it yet, and how many approved it.
    since: datetime | None = None
    waiting_on: tuple[str, ...] = ()
    approvals: int | None = None


class Event(_Frozen):
    """A development event, independent of where it came from.

    `details` holds the small per-kind facts renderers show as fields, keyed by the closed set
    `DetailKey` (e.g. ``source_branch``, ``environment``, ``severity``, ``status``, ``duration``).
    """

    kind: EventKind
    action: str = ""
    tone: Tone = Tone.NEUTRAL
    source: str = "gitlab"
    source_id: str | None = None
    project: ProjectRef = Field(default_factory=ProjectRef)
    actor: Person = Field(default_factory=Person)
    ref: str | None = None
    branch: str | None = None
    is_tag: bool = False
    labels: tuple[str, ...] = ()
    confidential: bool = False
    title: str = ""
    url: str | None = None
    object_id: str | None = None
    description: str = ""
    details: Annotated[Details, BeforeValidator(_known_details)] = Field(default_factory=dict)
    items: tuple[Item, ...] = ()
    total_items: int = 0
    related_users: tuple[RelatedUser, ...] = ()
    occurred_at: datetime | None = None
    # What routing rules and silences match on (`matching.py`), never shown: the files a push
    # added, modified or removed (over its commits, each path once, in order), and an alert
    # group's labels (its common labels over its group labels, as Alertmanager matches them).
    paths: tuple[str, ...] = ()
    alert_labels: dict[str, str] = Field(default_factory=dict)
    # Not from the payload: intake's memory of the ref (`services/pipeline_results.py`), handed
    # to routing and rendering as data so that they stay pure. See `pipeline_change`.
    previous_status: str | None = None

    def detail(self, key: DetailKey) -> str | None:
        return self.details.get(key) or None


def pipeline_change(event: Event) -> PipelineChange | None:
    """Whether ``event`` (a finished pipeline carrying its ref's `Event.previous_status`) broke,
    fixed or kept failing its ref; None for anything else (a pass after a pass, a late arrival)."""
    if event.kind != EventKind.PIPELINE or event.previous_status == SUPERSEDED:
        return None
    if event.action == FAILED:
        return PipelineChange.STILL_FAILING if event.previous_status == FAILED else PipelineChange.BROKEN
    if event.action == PASSED and event.previous_status == FAILED:
        return PipelineChange.FIXED
    return None
