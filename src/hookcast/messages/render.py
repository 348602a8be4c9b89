"""The render stage: ``Event`` x language -> platform-neutral ``Message``.

One renderer per event family; this module only picks the right one. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hookcast.events import Event, EventKind
from hookcast.messages import alerts, gitlab_ci, gitlab_code, gitlab_issues, gitlab_other, workflow
from hookcast.messages.common import (
    actor_name,
    compose,
    description_lines,
    first_line,
    item_lines,
    labels_field,
    project_segment,
    sentence,
    status_name,
    text_field,
)
from hookcast.messages.i18n import N_, Translator, translator
from hookcast.messages.model import Mention, Message

Renderer = Callable[[Event, Translator, Sequence[Mention]], Message]

KIND_LABELS: Mapping[EventKind, str] = {
    EventKind.PUSH: N_("Push"),
    EventKind.TAG_PUSH: N_("Tag push"),
    EventKind.ISSUE: N_("Issue"),
    EventKind.CONFIDENTIAL_ISSUE: N_("Confidential issue"),
    EventKind.MERGE_REQUEST: N_("Merge request"),
    EventKind.NOTE: N_("Comment"),
    EventKind.CONFIDENTIAL_NOTE: N_("Confidential comment"),
    EventKind.PIPELINE: N_("Pipeline"),
    EventKind.JOB: N_("Job"),
    EventKind.WIKI_PAGE: N_("Wiki page"),
    EventKind.DEPLOYMENT: N_("Deployment"),
    EventKind.RELEASE: N_("Release"),
    EventKind.VULNERABILITY: N_("Vulnerability"),
    EventKind.FEATURE_FLAG: N_("Feature flag"),
    EventKind.EMOJI: N_("Emoji reaction"),
    EventKind.MILESTONE: N_("Milestone"),
    EventKind.MEMBER: N_("Member"),
    EventKind.PROJECT: N_("Project"),
    EventKind.SUBGROUP: N_("Subgroup"),
    EventKind.ACCESS_TOKEN: N_("Access token"),
    EventKind.ALERT: N_("Alert"),
    EventKind.ISSUE_CREATED: N_("Issue created"),
    EventKind.ISSUE_STATUS_CHANGED: N_("Issue status changed"),
    EventKind.ISSUE_STAGE_STATUS_CHANGED: N_("Issue stage status changed"),
    EventKind.ISSUE_TASK_STATUS_CHANGED: N_("Issue task status changed"),
    EventKind.ISSUE_INFO_CHANGED: N_("Issue info changed"),
    EventKind.ISSUE_COMMENT_CREATED: N_("Issue comment created"),
    EventKind.ISSUE_APPROVAL_NEEDED: N_("Issue approval needed"),
    EventKind.ISSUE_APPROVED: N_("Issue approved"),
    EventKind.ISSUE_SENT_BACK: N_("Issue sent back"),
    EventKind.ISSUE_ROLLOUT_NEEDED: N_("Issue rollout needed"),
    EventKind.ROLLOUT_FAILED: N_("Rollout failed"),
    EventKind.ROLLOUT_COMPLETED: N_("Rollout completed"),
}

_RENDERERS: Mapping[EventKind, Renderer] = {
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
}


def kind_label(kind: EventKind, language: str) -> str:
    """The name of an event kind (also a trigger name) in ``language``: "Tag push" / "标签推送"."""
    return translator(language).gettext(KIND_LABELS[kind])


def render_generic(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    """What any event says when no family renderer knows it: kind, action, subject, actor."""
    kind = t.gettext(KIND_LABELS.get(event.kind, event.kind.value))
    subject = first_line(event.title)
    action = status_name(event.action, t)
    if subject and action:
        title = t.format("{kind} {subject}: {action}", kind=kind, subject=subject, action=action)
    elif subject:
        title = t.format("{kind}: {subject}", kind=kind, subject=subject)
    elif action:
        title = t.format("{kind}: {action}", kind=kind, action=action)
    else:
        title = t.format(
            "{kind} in {project}", kind=kind, project=event.project.name or event.project.path_with_namespace
        )
    lines = [
        sentence(t, "In {project}", project=project_segment(event)) if event.project.name else (),
        *description_lines(event.description),
        *item_lines(event, t),
    ]
    fields = [
        text_field(
            t.gettext("By"), actor_name(event, t) if event.actor.name or event.actor.username else None
        ),
        *(
            text_field(key.replace("_", " ").capitalize(), value)
            for key, value in sorted(event.details.items())
        ),
        labels_field(event, t),
    ]
    return compose(event, t, title=title, lines=lines, fields=fields, mentions=mentions)


def render(event: Event, language: str, *, mentions: Sequence[Mention] = ()) -> Message:
    """The Message for ``event`` in ``language`` (unknown languages get English)."""
    t = translator(language)
    renderer = _RENDERERS.get(event.kind, render_generic)
    return renderer(event, t, tuple(mentions))
