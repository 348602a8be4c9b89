"""Issue-workflow events posted to hookcast's own API (issue.created ... rollout.completed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hookcast.events import Event, EventKind, Role
from hookcast.messages.common import (
    actor_name,
    compose,
    description_lines,
    item_lines,
    labelled,
    labels_field,
    object_segment,
    people_field,
    project_segment,
    reference,
    sentence,
    status_name,
    text_field,
)
from hookcast.messages.i18n import N_, Translator
from hookcast.messages.model import Mention, Message

# Titles that only need the actor and the issue.
_SIMPLE_TITLES: Mapping[EventKind, str] = {
    EventKind.ISSUE_CREATED: N_("{actor} created issue {issue}"),
    EventKind.ISSUE_INFO_CHANGED: N_("{actor} updated issue {issue}"),
    EventKind.ISSUE_APPROVAL_NEEDED: N_("Issue {issue} needs approval"),
    EventKind.ISSUE_APPROVED: N_("{actor} approved issue {issue}"),
    EventKind.ISSUE_SENT_BACK: N_("{actor} sent issue {issue} back"),
    EventKind.ISSUE_ROLLOUT_NEEDED: N_("Issue {issue} is ready to roll out"),
    EventKind.ROLLOUT_FAILED: N_("Rollout of issue {issue} failed"),
    EventKind.ROLLOUT_COMPLETED: N_("Rollout of issue {issue} completed"),
    EventKind.ISSUE_COMMENT_CREATED: N_("{actor} commented on issue {issue}"),
}


def workflow_issue(event: Event) -> str:
    return labelled(reference(event, "#"), event.title)


def _status_title(event: Event, t: Translator, issue: str) -> str:
    status = status_name(event.detail("status"), t)
    stage = event.detail("stage") or ""
    task = event.detail("task") or ""
    if event.kind is EventKind.ISSUE_STAGE_STATUS_CHANGED:
        if status:
            return t.format(
                "Stage {stage} of issue {issue} is now {status}", stage=stage, issue=issue, status=status
            )
        return t.format("Stage {stage} of issue {issue} changed status", stage=stage, issue=issue)
    if event.kind is EventKind.ISSUE_TASK_STATUS_CHANGED:
        if status:
            return t.format(
                "Task {task} of issue {issue} is now {status}", task=task, issue=issue, status=status
            )
        return t.format("Task {task} of issue {issue} changed status", task=task, issue=issue)
    if status:
        return t.format("Issue {issue} is now {status}", issue=issue, status=status)
    return t.format("Issue {issue} changed status", issue=issue)


def workflow_title(event: Event, t: Translator) -> str:
    issue = workflow_issue(event)
    template = _SIMPLE_TITLES.get(event.kind)
    if template is not None:
        return t.format(template, actor=actor_name(event, t), issue=issue)
    return _status_title(event, t, issue)


def render_workflow(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    issue = workflow_issue(event)
    lines = [
        sentence(
            t,
            "Issue {issue} in {project}",
            issue=object_segment(event, issue),
            project=project_segment(event),
        )
        if issue
        else (),
        *description_lines(event.description),
        *item_lines(event, t),
    ]
    fields = [
        text_field(t.gettext("Status"), status_name(event.detail("status"), t)),
        text_field(t.gettext("Stage"), event.detail("stage")),
        text_field(t.gettext("Task"), event.detail("task")),
        text_field(t.gettext("Environment"), event.detail("environment")),
        people_field(event, t, t.gettext("Creator"), Role.CREATOR),
        people_field(event, t, t.gettext("Assignees"), Role.ASSIGNEE),
        people_field(event, t, t.gettext("Approvers"), Role.APPROVER),
        people_field(event, t, t.gettext("Released by"), Role.RELEASER),
        text_field(t.gettext("Changed by"), event.actor.name or event.actor.username),
        labels_field(event, t),
    ]
    return compose(event, t, title=workflow_title(event, t), lines=lines, fields=fields, mentions=mentions)
