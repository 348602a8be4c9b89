"""The trigger checkboxes of the integration form: each event kind with a one-line explanation."""

from __future__ import annotations

from dataclasses import dataclass

from hookcast.events import DEFAULT_TRIGGERS, SEED_TRIGGERS, EventKind
from hookcast.messages.i18n import N_, translator
from hookcast.messages.render import kind_label

# The usual triggers in their customary order (docs/architecture.md, "Vocabulary: triggers and
# tones"); every other kind follows under "More events".
MAIN_ORDER: tuple[EventKind, ...] = SEED_TRIGGERS

EXPLANATIONS: dict[EventKind, str] = {
    EventKind.PUSH: N_("A push to the repository."),
    EventKind.TAG_PUSH: N_("A new tag is pushed to the repository."),
    EventKind.ISSUE: N_("An issue is created, closed or reopened."),
    EventKind.CONFIDENTIAL_ISSUE: N_("A confidential issue is created, closed or reopened."),
    EventKind.MERGE_REQUEST: N_("A merge request is created, merged, closed, approved or gets reviewers."),
    EventKind.NOTE: N_("A comment is added on an issue, merge request, commit or snippet."),
    EventKind.CONFIDENTIAL_NOTE: N_("An internal note or a comment on a confidential issue is added."),
    EventKind.PIPELINE: N_("A pipeline status changes."),
    EventKind.JOB: N_("A CI job status changes."),
    EventKind.WIKI_PAGE: N_("A wiki page is created or updated."),
    EventKind.DEPLOYMENT: N_("A deployment starts, finishes, fails or is canceled."),
    EventKind.RELEASE: N_("A release is created or updated."),
    EventKind.VULNERABILITY: N_("A new, unique vulnerability is recorded (Ultimate)."),
    EventKind.FEATURE_FLAG: N_("A feature flag is turned on or off."),
    EventKind.EMOJI: N_("An emoji reaction is added or removed."),
    EventKind.MILESTONE: N_("A milestone is created, closed, reopened or deleted."),
    EventKind.MEMBER: N_("A member is added, changed or removed, or requests access."),
    EventKind.PROJECT: N_("A project is created or deleted (group and system hooks)."),
    EventKind.SUBGROUP: N_("A subgroup is created or removed (group hooks)."),
    EventKind.ACCESS_TOKEN: N_("A project or group access token is about to expire."),
    EventKind.ALERT: N_("An alert fires or resolves (Alertmanager, GitLab alerts)."),
    EventKind.ISSUE_CREATED: N_("Issue workflow: an issue is created."),
    EventKind.ISSUE_STATUS_CHANGED: N_("Issue workflow: an issue's status changes."),
    EventKind.ISSUE_STAGE_STATUS_CHANGED: N_("Issue workflow: a stage's status changes."),
    EventKind.ISSUE_TASK_STATUS_CHANGED: N_("Issue workflow: a task's status changes."),
    EventKind.ISSUE_INFO_CHANGED: N_("Issue workflow: an issue's details change."),
    EventKind.ISSUE_COMMENT_CREATED: N_("Issue workflow: a comment is added."),
    EventKind.ISSUE_APPROVAL_NEEDED: N_("Issue workflow: an approval is needed."),
    EventKind.ISSUE_APPROVED: N_("Issue workflow: an issue is approved."),
    EventKind.ISSUE_SENT_BACK: N_("Issue workflow: an issue is sent back."),
    EventKind.ISSUE_ROLLOUT_NEEDED: N_("Issue workflow: a rollout is needed."),
    EventKind.ROLLOUT_FAILED: N_("Issue workflow: a rollout failed."),
    EventKind.ROLLOUT_COMPLETED: N_("Issue workflow: a rollout completed."),
}


@dataclass(frozen=True, slots=True)
class TriggerOption:
    value: str
    label: str
    explanation: str
    default: bool


def trigger_options(language: str) -> tuple[list[TriggerOption], list[TriggerOption]]:
    """(the usual triggers, the others), labelled in ``language``."""
    t = translator(language)

    def option(kind: EventKind) -> TriggerOption:
        explanation = t.gettext(EXPLANATIONS[kind]) if kind in EXPLANATIONS else ""
        return TriggerOption(kind.value, kind_label(kind, language), explanation, kind in DEFAULT_TRIGGERS)

    main = [option(kind) for kind in MAIN_ORDER]
    more = [option(kind) for kind in EventKind if kind not in MAIN_ORDER]
    return main, more
