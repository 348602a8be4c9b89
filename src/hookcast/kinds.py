"""The catalogue of event kinds: everything hookcast knows about a kind, declared once.

Before this catalogue a kind was spread over eight tables (the default triggers, the trigger
form's explanations, the kind labels, routing's filter sets, the confidential twins, the
direct-message roles, the preview's samples ...) and a kind missing from one of them failed
silently (an empty explanation, a kind no filter applied to). Now each `EventKind` has one
`KindSpec` here, and those tables are derived from it: `DEFAULT_TRIGGERS` / `SEED_TRIGGERS` (a
new webhook's triggers and the form's order), `web/ui/triggers.py` (labels and explanations),
`routing.py` (which filters apply, the confidential twin), `directmessages/recipients.py` (who
gets a direct message), `messages/render.py` (`kind_label`), `sample_events.py` (the
preview's sample). `tests/unit/test_kinds.py` walks `EventKind` and fails for a kind without a
complete entry, and for a renderer table missing a kind.

Labels and explanations are English gettext message ids (`N_`); their Simplified Chinese
translations are in the catalog (``locale/zh_CN``), extracted from this file by
``scripts/update_catalogs.py``. Pure data: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hookcast.events import EventKind, Role
from hookcast.messages.i18n import N_


class Filter(StrEnum):
    """A routing rule that applies to a kind beyond its trigger (routing.py's module docstring)."""

    BRANCHES = "branches"  # the webhook's branch filter (never to tags)
    LABELS = "labels"  # the webhook's label filter
    QUIET_UPDATES = "quiet_updates"  # an ``update`` action is not a notification
    PIPELINE_STATES = "pipeline_states"  # only final states and ``manual`` notify
    ONLY_BROKEN = "only_broken"  # "notify only broken pipelines" keeps ``failed`` only


_ALL_ROLES = frozenset(Role)
WORKFLOW_SAMPLE = "workflow"


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One event kind, as the trigger form, routing, rendering and direct messages see it.

    ``concerned``: the roles of the people an event of this kind names (its related users): they
    are mentioned in group messages when the directory knows them. ``direct``: which of them get
    a direct message, whatever the action; ``direct_on``: which do for one action only (a merge
    request's new reviewers on ``review_requested``).

    ``made_here``: hookcast makes events of this kind itself (a review reminder, at a time the
    webhook chose): no source parses them, so they have no sample and are not triggers a webhook
    selects (the form leaves them out, `TRIGGER_KINDS`). ``always_mention``: the people they name
    are mentioned in group messages whether or not the webhook mentions people otherwise (a
    reminder exists to reach them).
    """

    kind: EventKind
    label: str
    explanation: str
    sample: str  # the shipped sample (hookcast.samples) the UI's preview shows it with ("": made here)
    default_trigger: bool = False
    filters: frozenset[Filter] = frozenset()
    confidential_twin: EventKind | None = None
    concerned: frozenset[Role] = frozenset()
    direct: frozenset[Role] = frozenset()
    direct_on: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    # The family of objects an event of this kind is about (a merge request, a pipeline …), when
    # later events of the same object reach the message posted for it (`hookcast.living`).
    lives_as: str | None = None
    made_here: bool = False
    always_mention: bool = False

    def direct_roles(self, action: str) -> frozenset[Role]:
        """The roles that get a direct message for an event of this kind with ``action``."""
        return self.direct_on.get(action, self.direct)


_ISSUE_FILTERS = frozenset({Filter.LABELS, Filter.QUIET_UPDATES})


def _workflow(
    kind: EventKind, label: str, explanation: str, direct: frozenset[Role] = frozenset()
) -> KindSpec:
    """An issue-workflow kind: it names anyone with any role (the event's ``users`` list), and the
    preview shows it with the workflow sample retyped to it."""
    return KindSpec(
        kind,
        label,
        explanation,
        WORKFLOW_SAMPLE,
        concerned=_ALL_ROLES,
        direct=direct,
        lives_as="workflow_issue",
    )


# In the trigger form's order: the default triggers first, in the order of the Feishu integration
# hookcast started from (docs/architecture.md, "Vocabulary: kinds, triggers, tones and details"),
# then the rest.
CATALOGUE: tuple[KindSpec, ...] = (
    KindSpec(
        EventKind.PUSH,
        N_("Push"),
        N_("A push to the repository."),
        "push",
        default_trigger=True,
        filters=frozenset({Filter.BRANCHES}),
    ),
    KindSpec(
        EventKind.ISSUE,
        N_("Issue"),
        N_("An issue is created, closed or reopened."),
        "issue",
        default_trigger=True,
        filters=_ISSUE_FILTERS,
        confidential_twin=EventKind.CONFIDENTIAL_ISSUE,
        concerned=frozenset({Role.ASSIGNEE, Role.AUTHOR}),
        lives_as="issue",
    ),
    KindSpec(
        EventKind.CONFIDENTIAL_ISSUE,
        N_("Confidential issue"),
        N_("A confidential issue is created, closed or reopened."),
        "confidential_issue",
        default_trigger=True,
        filters=_ISSUE_FILTERS,
        concerned=frozenset({Role.ASSIGNEE, Role.AUTHOR}),
        lives_as="issue",
    ),
    KindSpec(
        EventKind.MERGE_REQUEST,
        N_("Merge request"),
        N_("A merge request is created, merged, closed, approved or gets reviewers."),
        "merge_request",
        default_trigger=True,
        filters=_ISSUE_FILTERS,
        concerned=frozenset({Role.ASSIGNEE, Role.REVIEWER, Role.APPROVER, Role.AUTHOR}),
        direct_on={"review_requested": frozenset({Role.REVIEWER})},
        lives_as="merge_request",
    ),
    KindSpec(
        EventKind.NOTE,
        N_("Comment"),
        N_("A comment is added on an issue, merge request, commit or snippet."),
        "note_merge_request",
        default_trigger=True,
        filters=frozenset({Filter.LABELS}),
        confidential_twin=EventKind.CONFIDENTIAL_NOTE,
        concerned=frozenset({Role.ASSIGNEE, Role.REVIEWER, Role.AUTHOR}),
    ),
    KindSpec(
        EventKind.CONFIDENTIAL_NOTE,
        N_("Confidential comment"),
        N_("An internal note or a comment on a confidential issue is added."),
        "confidential_note",
        default_trigger=True,
        filters=frozenset({Filter.LABELS}),
        concerned=frozenset({Role.ASSIGNEE, Role.REVIEWER, Role.AUTHOR}),
    ),
    KindSpec(
        EventKind.TAG_PUSH,
        N_("Tag push"),
        N_("A new tag is pushed to the repository."),
        "tag_push",
        default_trigger=True,
    ),
    KindSpec(
        EventKind.PIPELINE,
        N_("Pipeline"),
        N_("A pipeline status changes."),
        "pipeline",
        default_trigger=True,
        filters=frozenset({Filter.BRANCHES, Filter.PIPELINE_STATES, Filter.ONLY_BROKEN}),
        lives_as="pipeline",
    ),
    KindSpec(
        EventKind.WIKI_PAGE,
        N_("Wiki page"),
        N_("A wiki page is created or updated."),
        "wiki_page",
        default_trigger=True,
    ),
    KindSpec(
        EventKind.DEPLOYMENT,
        N_("Deployment"),
        N_("A deployment starts, finishes, fails or is canceled."),
        "deployment",
        default_trigger=True,
        filters=frozenset({Filter.BRANCHES}),
        lives_as="deployment",
    ),
    KindSpec(
        EventKind.VULNERABILITY,
        N_("Vulnerability"),
        N_("A new, unique vulnerability is recorded (Ultimate)."),
        "vulnerability",
        default_trigger=True,
    ),
    KindSpec(
        EventKind.ALERT,
        N_("Alert"),
        N_("An alert fires or resolves (Alertmanager, GitLab alerts)."),
        "alertmanager",
        default_trigger=True,
        lives_as="alert",
    ),
    KindSpec(
        EventKind.RELEASE,
        N_("Release"),
        N_("A release is created or updated."),
        "release",
        default_trigger=True,
        concerned=frozenset({Role.RELEASER}),
    ),
    KindSpec(
        EventKind.JOB,
        N_("Job"),
        N_("A CI job status changes."),
        "job",
        filters=frozenset({Filter.BRANCHES, Filter.ONLY_BROKEN}),
    ),
    KindSpec(
        EventKind.FEATURE_FLAG, N_("Feature flag"), N_("A feature flag is turned on or off."), "feature_flag"
    ),
    KindSpec(EventKind.EMOJI, N_("Emoji reaction"), N_("An emoji reaction is added or removed."), "emoji"),
    KindSpec(
        EventKind.MILESTONE,
        N_("Milestone"),
        N_("A milestone is created, closed, reopened or deleted."),
        "milestone",
    ),
    KindSpec(
        EventKind.MEMBER,
        N_("Member"),
        N_("A member is added, changed or removed, or requests access."),
        "member_add_to_group",
    ),
    KindSpec(
        EventKind.PROJECT,
        N_("Project"),
        N_("A project is created or deleted (group and system hooks)."),
        "project_create",
    ),
    KindSpec(
        EventKind.SUBGROUP,
        N_("Subgroup"),
        N_("A subgroup is created or removed (group hooks)."),
        "subgroup_create",
    ),
    KindSpec(
        EventKind.ACCESS_TOKEN,
        N_("Access token"),
        N_("A project or group access token is about to expire."),
        "resource_access_token_project",
    ),
    # Issue-workflow events name anyone with any role (their ``users`` list).
    _workflow(EventKind.ISSUE_CREATED, N_("Issue created"), N_("Issue workflow: an issue is created.")),
    _workflow(
        EventKind.ISSUE_STATUS_CHANGED,
        N_("Issue status changed"),
        N_("Issue workflow: an issue's status changes."),
    ),
    _workflow(
        EventKind.ISSUE_STAGE_STATUS_CHANGED,
        N_("Issue stage status changed"),
        N_("Issue workflow: a stage's status changes."),
    ),
    _workflow(
        EventKind.ISSUE_TASK_STATUS_CHANGED,
        N_("Issue task status changed"),
        N_("Issue workflow: a task's status changes."),
    ),
    _workflow(
        EventKind.ISSUE_INFO_CHANGED,
        N_("Issue info changed"),
        N_("Issue workflow: an issue's details change."),
    ),
    _workflow(
        EventKind.ISSUE_COMMENT_CREATED,
        N_("Issue comment created"),
        N_("Issue workflow: a comment is added."),
    ),
    _workflow(
        EventKind.ISSUE_APPROVAL_NEEDED,
        N_("Issue approval needed"),
        N_("Issue workflow: an approval is needed."),
        direct=frozenset({Role.APPROVER}),
    ),
    _workflow(
        EventKind.ISSUE_APPROVED,
        N_("Issue approved"),
        N_("Issue workflow: an issue is approved."),
        direct=frozenset({Role.CREATOR}),
    ),
    _workflow(
        EventKind.ISSUE_SENT_BACK,
        N_("Issue sent back"),
        N_("Issue workflow: an issue is sent back."),
        direct=frozenset({Role.CREATOR}),
    ),
    _workflow(
        EventKind.ISSUE_ROLLOUT_NEEDED,
        N_("Issue rollout needed"),
        N_("Issue workflow: a rollout is needed."),
        direct=frozenset({Role.RELEASER}),
    ),
    _workflow(EventKind.ROLLOUT_FAILED, N_("Rollout failed"), N_("Issue workflow: a rollout failed.")),
    _workflow(
        EventKind.ROLLOUT_COMPLETED, N_("Rollout completed"), N_("Issue workflow: a rollout completed.")
    ),
    # Made by hookcast (services/review_reminders.py), not received: not a trigger.
    KindSpec(
        EventKind.REVIEW_REMINDER,
        N_("Review reminder"),
        N_("The merge requests waiting for review or approval, at the time the webhook chose."),
        "",
        concerned=frozenset({Role.REVIEWER}),
        made_here=True,
        always_mention=True,
    ),
)

KINDS: Mapping[EventKind, KindSpec] = {spec.kind: spec for spec in CATALOGUE}

# What a webhook created without triggers gets, in the form's order.
SEED_TRIGGERS: tuple[EventKind, ...] = tuple(spec.kind for spec in CATALOGUE if spec.default_trigger)
DEFAULT_TRIGGERS: frozenset[EventKind] = frozenset(SEED_TRIGGERS)
# The kinds a webhook may select as triggers: all but those hookcast makes itself.
TRIGGER_KINDS: tuple[EventKind, ...] = tuple(spec.kind for spec in CATALOGUE if not spec.made_here)


def spec_of(kind: EventKind) -> KindSpec:
    return KINDS[kind]


def kinds_with(rule: Filter) -> frozenset[EventKind]:
    """The kinds a routing filter applies to."""
    return frozenset(spec.kind for spec in CATALOGUE if rule in spec.filters)
