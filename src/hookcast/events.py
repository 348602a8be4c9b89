"""The canonical Event: what every source is parsed into and every renderer reads.

Sources (GitLab, Alertmanager, the issue-workflow API, CloudEvents) produce an `Event`;
routing decides which webhooks want it; renderers turn it into a platform-neutral `Message`.
The vocabulary here (kinds, tones, roles) is defined once and used everywhere.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Frozen):
    name: str = ""
    username: str | None = None
    email: str | None = None
    mobile: str | None = None
    avatar_url: str | None = None


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


class Event(_Frozen):
    """A development event, independent of where it came from.

    `details` holds the small per-kind facts renderers show as fields, keyed by stable names
    (e.g. ``source_branch``, ``environment``, ``severity``, ``status``, ``duration``).
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
    details: dict[str, str] = Field(default_factory=dict)
    items: tuple[Item, ...] = ()
    total_items: int = 0
    related_users: tuple[RelatedUser, ...] = ()
    occurred_at: datetime | None = None

    def detail(self, key: str) -> str | None:
        return self.details.get(key) or None
