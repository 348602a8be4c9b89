"""Issues, confidential issues, merge requests and comments (notes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hookcast.events import Event, EventKind, Role
from hookcast.messages.common import (
    GITHUB,
    actor_name,
    branch_segment,
    canonical_action,
    commit_segment,
    compose,
    description_lines,
    first_line,
    labelled,
    labels_field,
    link_or_text,
    object_segment,
    people_field,
    reference,
    severity_name,
    short_sha,
    status_name,
    text_field,
)
from hookcast.messages.i18n import N_, Translator
from hookcast.messages.model import Line, Mention, Message, MessageField, Segment, Text

_ISSUE_TITLES: Mapping[str, str] = {
    "opened": N_("{actor} opened issue {issue}"),
    "closed": N_("{actor} closed issue {issue}"),
    "reopened": N_("{actor} reopened issue {issue}"),
    "updated": N_("{actor} updated issue {issue}"),
    "deleted": N_("{actor} deleted issue {issue}"),
}

_CONFIDENTIAL_ISSUE_TITLES: Mapping[str, str] = {
    "opened": N_("{actor} opened confidential issue {issue}"),
    "closed": N_("{actor} closed confidential issue {issue}"),
    "reopened": N_("{actor} reopened confidential issue {issue}"),
    "updated": N_("{actor} updated confidential issue {issue}"),
    "deleted": N_("{actor} deleted confidential issue {issue}"),
}

_MERGE_REQUEST_TITLES: Mapping[str, str] = {
    "opened": N_("{actor} opened merge request {mr}"),
    "closed": N_("{actor} closed merge request {mr}"),
    "reopened": N_("{actor} reopened merge request {mr}"),
    "updated": N_("{actor} updated merge request {mr}"),
    "merged": N_("{actor} merged merge request {mr}"),
    "approved": N_("{actor} approved merge request {mr}"),
    "unapproved": N_("{actor} revoked approval of merge request {mr}"),
    "review_requested": N_("{actor} requested a review of merge request {mr}"),
}

# GitHub's words for the same (`Event.source` "github"), and its own review actions.
_PULL_REQUEST_TITLES: Mapping[str, str] = {
    "opened": N_("{actor} opened pull request {pr}"),
    "closed": N_("{actor} closed pull request {pr}"),
    "reopened": N_("{actor} reopened pull request {pr}"),
    "updated": N_("{actor} updated pull request {pr}"),
    "merged": N_("{actor} merged pull request {pr}"),
    "approved": N_("{actor} approved pull request {pr}"),
    "changes_requested": N_("{actor} requested changes to pull request {pr}"),
    "reviewed": N_("{actor} reviewed pull request {pr}"),
    "review_requested": N_("{actor} requested a review of pull request {pr}"),
    "ready_for_review": N_("{actor} marked pull request {pr} as ready for review"),
    "synchronize": N_("{actor} pushed new commits to pull request {pr}"),
}

# A GitHub discussion (an issue whose work item type is "Discussion").
_DISCUSSION_TITLES: Mapping[str, str] = {
    "opened": N_("{actor} started discussion {discussion}"),
    "closed": N_("{actor} closed discussion {discussion}"),
    "reopened": N_("{actor} reopened discussion {discussion}"),
    "updated": N_("{actor} updated discussion {discussion}"),
    "deleted": N_("{actor} deleted discussion {discussion}"),
    "answered": N_("{actor} marked an answer in discussion {discussion}"),
}
DISCUSSION = "Discussion"

# Lower-case nouns for the thing a comment is on, keyed by GitLab's noteable_type.
_NOTEABLE_NOUNS: Mapping[str, str] = {
    "issue": N_("issue"),
    "workitem": N_("issue"),
    "mergerequest": N_("merge request"),
    "pullrequest": N_("pull request"),
    "discussion": N_("discussion"),
    "commit": N_("commit"),
    "snippet": N_("snippet"),
    "wiki_page": N_("wiki page"),
    "wikipage": N_("wiki page"),
}

_NOTEABLE_SIGILS: Mapping[str, str] = {
    "issue": "#",
    "workitem": "#",
    "mergerequest": "!",
    "pullrequest": "#",
    "discussion": "#",
    "snippet": "$",
}


def _fallback_title(t: Translator, noun: str, subject: str, action: str) -> str:
    return t.format("{noun} {subject}: {action}", noun=t.gettext(noun), subject=subject, action=action)


def issue_title(event: Event, t: Translator) -> str:
    confidential = event.kind is EventKind.CONFIDENTIAL_ISSUE or event.confidential
    titles = _CONFIDENTIAL_ISSUE_TITLES if confidential else _ISSUE_TITLES
    subject = labelled(reference(event, "#"), event.title)
    action = canonical_action(event.action)
    if event.detail("work_item_type") == DISCUSSION and event.source == GITHUB:
        if action in _DISCUSSION_TITLES:
            return t.format(_DISCUSSION_TITLES[action], actor=actor_name(event, t), discussion=subject)
        return _fallback_title(t, N_("Discussion"), subject, event.action)
    if action in titles:
        return t.format(titles[action], actor=actor_name(event, t), issue=subject)
    noun = N_("Confidential issue") if confidential else N_("Issue")
    return _fallback_title(t, noun, subject, event.action)


def merge_request_sigil(event: Event) -> str:
    """``#2`` for a GitHub pull request, ``!2`` for a GitLab merge request."""
    return "#" if event.source == GITHUB else "!"


def merge_request_title(event: Event, t: Translator) -> str:
    subject = labelled(reference(event, merge_request_sigil(event)), event.title)
    action = canonical_action(event.action)
    if event.source == GITHUB:
        if action in _PULL_REQUEST_TITLES:
            return t.format(_PULL_REQUEST_TITLES[action], actor=actor_name(event, t), pr=subject)
        return _fallback_title(t, N_("Pull request"), subject, event.action)
    if action in _MERGE_REQUEST_TITLES:
        return t.format(_MERGE_REQUEST_TITLES[action], actor=actor_name(event, t), mr=subject)
    return _fallback_title(t, N_("Merge request"), subject, event.action)


def _object_line(event: Event, sigil: str) -> Line:
    text = labelled(reference(event, sigil), event.title)
    return (object_segment(event, text),) if text else ()


def _branches_value(event: Event) -> Line:
    source = event.detail("source_branch")
    target = event.detail("target_branch")
    if not (source and target):
        return ()
    return (branch_segment(event, source), Text(" → "), branch_segment(event, target))


def _state_field(event: Event, t: Translator) -> MessageField | None:
    return text_field(t.gettext("Status"), status_name(event.detail("state"), t))


def render_issue(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    lines = [_object_line(event, "#"), *description_lines(event.description)]
    fields = [
        text_field(t.gettext("Author"), actor_name(event, t)),
        people_field(event, t, t.gettext("Assignees"), Role.ASSIGNEE),
        _state_field(event, t),
        text_field(t.gettext("Changed"), event.detail("changed"), short=False),
        text_field(t.gettext("Due date"), event.detail("due_date")),
        text_field(t.gettext("Severity"), severity_name(event.detail("severity"), t)),
        labels_field(event, t),
    ]
    return compose(event, t, title=issue_title(event, t), lines=lines, fields=fields, mentions=mentions)


def render_merge_request(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    lines = [_object_line(event, merge_request_sigil(event)), *description_lines(event.description)]
    branches = _branches_value(event)
    fields = [
        text_field(t.gettext("Author"), actor_name(event, t)),
        MessageField(t.gettext("Source → target"), branches, short=False) if branches else None,
        people_field(event, t, t.gettext("Assignees"), Role.ASSIGNEE),
        people_field(event, t, t.gettext("Reviewers"), Role.REVIEWER),
        people_field(event, t, t.gettext("Approved by"), Role.APPROVER),
        _state_field(event, t),
        text_field(t.gettext("Draft"), t.gettext("Yes") if event.detail("draft") == "true" else None),
        text_field(t.gettext("Changed"), event.detail("changed"), short=False),
        labels_field(event, t),
    ]
    return compose(
        event, t, title=merge_request_title(event, t), lines=lines, fields=fields, mentions=mentions
    )


# --- comments -------------------------------------------------------------------------------


def _noteable_key(event: Event) -> str:
    return (event.detail("noteable_type") or "").replace("_", "").lower()


def note_target(event: Event) -> str:
    """What the comment is on, e.g. ``#12 Fix login``, ``!3 Add cache``, ``1a2b3c4d``."""
    key = _noteable_key(event)
    if key == "commit":
        sha = event.detail("commit_sha") or event.detail("target_id") or ""
        title = event.detail("target_title") or ""
        return " ".join(part for part in (short_sha(sha), first_line(title)) if part)
    target_id = event.detail("target_id")
    ref = f"{_NOTEABLE_SIGILS.get(key, '')}{target_id}" if target_id else ""
    return labelled(ref, event.detail("target_title") or "")


def note_title(event: Event, t: Translator) -> str:
    actor = actor_name(event, t)
    noun_id = _NOTEABLE_NOUNS.get(_noteable_key(event))
    noun = t.gettext(noun_id) if noun_id else ""
    target = note_target(event)
    confidential = event.kind is EventKind.CONFIDENTIAL_NOTE or event.confidential
    if not (noun or target):
        if confidential:
            return t.format("{actor} left a confidential comment", actor=actor)
        return t.format("{actor} left a comment", actor=actor)
    if confidential:
        return t.format(
            "{actor} left a confidential comment on {noun} {target}", actor=actor, noun=noun, target=target
        )
    return t.format("{actor} commented on {noun} {target}", actor=actor, noun=noun, target=target)


def _note_target_segment(event: Event) -> Segment | None:
    target = note_target(event)
    if not target:
        return None
    if _noteable_key(event) == "commit" and event.detail("commit_sha"):
        return commit_segment(event, event.detail("commit_sha") or "")
    return link_or_text(target, event.detail("target_url"))


def render_note(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    target = _note_target_segment(event)
    lines = [*description_lines(event.description)]
    noun_id = _NOTEABLE_NOUNS.get(_noteable_key(event))
    fields = [
        text_field(t.gettext("Author"), actor_name(event, t)),
        MessageField(
            t.gettext("Comment on"), (Text(t.gettext(noun_id) + " "), target) if noun_id else (target,)
        )
        if target
        else None,
        labels_field(event, t),
    ]
    return compose(event, t, title=note_title(event, t), lines=lines, fields=fields, mentions=mentions)
