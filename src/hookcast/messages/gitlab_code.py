"""Pushes and tag pushes."""

from __future__ import annotations

from collections.abc import Sequence

from hookcast.events import Event
from hookcast.messages.common import (
    actor_name,
    branch_segment,
    commit_segment,
    compose,
    description_lines,
    is_zero_sha,
    item_lines,
    link_or_text,
    project_segment,
    sentence,
    tag_url,
    text_field,
)
from hookcast.messages.i18n import Translator
from hookcast.messages.model import Line, Mention, Message, MessageField

_REMOVED_ACTIONS = frozenset({"removed_branch", "removed", "remove", "deleted", "delete", "destroyed"})
_CREATED_ACTIONS = frozenset({"created_branch", "created", "create", "new"})


def branch_name(event: Event) -> str:
    if event.branch:
        return event.branch
    ref = event.ref or ""
    return ref.removeprefix("refs/heads/")


def tag_name(event: Event) -> str:
    return event.detail("tag") or (event.ref or "").removeprefix("refs/tags/")


def commit_count(event: Event) -> int:
    return max(event.total_items, len(event.items))


def is_removal(event: Event) -> bool:
    return event.action in _REMOVED_ACTIONS or is_zero_sha(event.detail("after"))


def is_creation(event: Event) -> bool:
    return event.action in _CREATED_ACTIONS or is_zero_sha(event.detail("before"))


def head_sha(event: Event) -> str | None:
    after = event.detail("after")
    if after and not is_zero_sha(after):
        return after
    return event.detail("commit_sha")


def _commit_field(event: Event, t: Translator) -> MessageField | None:
    sha = head_sha(event)
    return MessageField(t.gettext("Commit"), (commit_segment(event, sha),)) if sha else None


def push_title(event: Event, t: Translator, actor: str) -> str:
    branch = branch_name(event)
    count = commit_count(event)
    if is_removal(event):
        return t.format("{actor} deleted branch {branch}", actor=actor, branch=branch)
    if event.action == "force_pushed":  # GitHub says so; GitLab does not
        return t.format("{actor} force-pushed to {branch}", actor=actor, branch=branch)
    if is_creation(event):
        return (
            t.nformat(
                "{actor} pushed new branch {branch} with {n} commit",
                "{actor} pushed new branch {branch} with {n} commits",
                count,
                actor=actor,
                branch=branch,
            )
            if count
            else t.format("{actor} pushed new branch {branch}", actor=actor, branch=branch)
        )
    if count:
        return t.nformat(
            "{actor} pushed {n} commit to {branch}",
            "{actor} pushed {n} commits to {branch}",
            count,
            actor=actor,
            branch=branch,
        )
    return t.format("{actor} pushed to {branch}", actor=actor, branch=branch)


def render_push(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    actor = actor_name(event, t)
    branch = branch_name(event)
    if is_removal(event):
        context = sentence(
            t, "Branch {branch} was deleted from {project}.", branch=branch, project=project_segment(event)
        )
        url = event.url or event.project.url
    else:
        context = sentence(
            t,
            "Pushed to {branch} in {project}.",
            branch=branch_segment(event, branch),
            project=project_segment(event),
        )
        url = event.url
    lines: list[Line] = [context, *item_lines(event, t, show_ids=True)]
    fields = [
        text_field(t.gettext("Pushed by"), actor),
        MessageField(t.gettext("Branch"), (branch_segment(event, branch),)) if branch else None,
        text_field(t.gettext("Commits"), str(commit_count(event)) if commit_count(event) else None),
        None if is_removal(event) else _commit_field(event, t),
    ]
    return compose(
        event, t, title=push_title(event, t, actor), lines=lines, fields=fields, url=url, mentions=mentions
    )


def render_tag_push(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    actor = actor_name(event, t)
    tag = tag_name(event)
    removed = is_removal(event)
    if removed:
        title = t.format("{actor} deleted tag {tag}", actor=actor, tag=tag)
        tag_segment = link_or_text(tag, None, code=True)
        context = sentence(
            t, "Tag {tag} was deleted from {project}.", tag=tag_segment, project=project_segment(event)
        )
    else:
        title = t.format("{actor} pushed tag {tag}", actor=actor, tag=tag)
        tag_segment = link_or_text(tag, tag_url(event, tag), code=True)
        context = sentence(t, "New tag {tag} in {project}.", tag=tag_segment, project=project_segment(event))
    lines: list[Line] = [context, *description_lines(event.description), *item_lines(event, t, show_ids=True)]
    fields = [
        text_field(t.gettext("Pushed by"), actor),
        MessageField(t.gettext("Tag"), (tag_segment,)) if tag else None,
        None if removed else _commit_field(event, t),
    ]
    url = event.url or (None if removed else tag_url(event, tag))
    return compose(event, t, title=title, lines=lines, fields=fields, url=url, mentions=mentions)
