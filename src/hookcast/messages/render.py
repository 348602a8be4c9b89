"""The render stage: ``Event`` x language -> platform-neutral ``Message``.

One renderer per event family; this module only picks the right one, and names kinds in a
language. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hookcast.events import Event, EventKind
from hookcast.kinds import spec_of
from hookcast.messages import alerts, gitlab_ci, gitlab_code, gitlab_issues, gitlab_other, reminders, workflow
from hookcast.messages.i18n import Translator, translator
from hookcast.messages.model import Mention, Message

Renderer = Callable[[Event, Translator, Sequence[Mention]], Message]

# Every kind has its renderer (tests/unit/test_kinds.py walks EventKind).
RENDERERS: Mapping[EventKind, Renderer] = {
    EventKind.PUSH: gitlab_code.render_push,
    EventKind.TAG_PUSH: gitlab_code.render_tag_push,
    EventKind.ISSUE: gitlab_issues.render_issue,
    EventKind.CONFIDENTIAL_ISSUE: gitlab_issues.render_issue,
    EventKind.MERGE_REQUEST: gitlab_issues.render_merge_request,
    EventKind.NOTE: gitlab_issues.render_note,
    EventKind.CONFIDENTIAL_NOTE: gitlab_issues.render_note,
    EventKind.PIPELINE: gitlab_ci.render_pipeline,
    EventKind.JOB: gitlab_ci.render_job,
    EventKind.DEPLOYMENT: gitlab_ci.render_deployment,
    EventKind.RELEASE: gitlab_ci.render_release,
    EventKind.WIKI_PAGE: gitlab_other.render_wiki_page,
    EventKind.VULNERABILITY: gitlab_other.render_vulnerability,
    EventKind.FEATURE_FLAG: gitlab_other.render_feature_flag,
    EventKind.EMOJI: gitlab_other.render_emoji,
    EventKind.MILESTONE: gitlab_other.render_milestone,
    EventKind.MEMBER: gitlab_other.render_member,
    EventKind.PROJECT: gitlab_other.render_project,
    EventKind.SUBGROUP: gitlab_other.render_subgroup,
    EventKind.ACCESS_TOKEN: gitlab_other.render_access_token,
    EventKind.ALERT: alerts.render_alert,
    EventKind.ISSUE_CREATED: workflow.render_workflow,
    EventKind.ISSUE_STATUS_CHANGED: workflow.render_workflow,
    EventKind.ISSUE_STAGE_STATUS_CHANGED: workflow.render_workflow,
    EventKind.ISSUE_TASK_STATUS_CHANGED: workflow.render_workflow,
    EventKind.ISSUE_INFO_CHANGED: workflow.render_workflow,
    EventKind.ISSUE_COMMENT_CREATED: workflow.render_workflow,
    EventKind.ISSUE_APPROVAL_NEEDED: workflow.render_workflow,
    EventKind.ISSUE_APPROVED: workflow.render_workflow,
    EventKind.ISSUE_SENT_BACK: workflow.render_workflow,
    EventKind.ISSUE_ROLLOUT_NEEDED: workflow.render_workflow,
    EventKind.ROLLOUT_FAILED: workflow.render_workflow,
    EventKind.ROLLOUT_COMPLETED: workflow.render_workflow,
    EventKind.REVIEW_REMINDER: reminders.render_review_reminder,
}


def kind_label(kind: EventKind, language: str) -> str:
    """The name of an event kind (also a trigger name) in ``language``: "Tag push" / "标签推送"."""
    return translator(language).gettext(spec_of(kind).label)


def render(event: Event, language: str, *, mentions: Sequence[Mention] = ()) -> Message:
    """The Message for ``event`` in ``language`` (unknown languages get English)."""
    t = translator(language)
    return RENDERERS[event.kind](event, t, tuple(mentions))
