"""GitHub's issues and issue comments (a comment on a pull request is an issue comment too), and
discussions and their comments — onto hookcast's issue and note (`messages/gitlab_issues.py`).
A discussion is an issue whose ``work_item_type`` is ``Discussion`` (renderers call it so); its
number never clashes with an issue's, as GitHub numbers both in one sequence."""

from __future__ import annotations

from hookcast.events import Event, EventKind, Role, Tone, details_of
from hookcast.sources.github.code import note_event
from hookcast.sources.github.common import (
    REPOSITORY,
    SENDER,
    SOURCE,
    Family,
    author_if_actor,
    first_time,
    label_names,
    person_of,
    related_of,
    repository_of,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import JsonObject, as_obj, as_objs, as_opt, as_raw, as_text

# GitHub's issue actions -> hookcast's words; the rest (edited, labeled, assigned, milestoned,
# pinned, transferred ...) is an ``update``, kept quiet by routing as GitLab's are.
_ISSUE_ACTIONS: dict[str, str] = {
    "opened": "open",
    "closed": "close",
    "reopened": "reopen",
    "deleted": "delete",
}
_ISSUE_TONES: dict[str, Tone] = {
    "open": Tone.SUCCESS,
    "close": Tone.SUCCESS,
    "reopen": Tone.SUCCESS,
    "answered": Tone.SUCCESS,
}
DISCUSSION = "Discussion"
# A discussion's actions: as an issue's, plus ``answered`` (an answer was chosen).
_DISCUSSION_ACTIONS: dict[str, str] = {
    "created": "open",
    "closed": "close",
    "reopened": "reopen",
    "deleted": "delete",
    "answered": "answered",
}

_ISSUE_REQUIRES = Required("issues", ("action", "issue.number", "issue.title", REPOSITORY, SENDER))


def _parse_issue(payload: JsonObject) -> Event:
    return _issue_event(payload, as_obj(payload.get("issue")), _ISSUE_ACTIONS, None)


def _issue_event(
    payload: JsonObject, issue: JsonObject, actions: dict[str, str], kind_name: str | None
) -> Event:
    github_action = as_text(payload.get("action"))
    action = actions.get(github_action, "update")
    actor = person_of(payload.get("sender"))
    author = person_of(issue.get("user"))
    related = related_of(Role.ASSIGNEE, as_objs(issue.get("assignees"))) + author_if_actor(author, actor)
    return Event(
        kind=EventKind.ISSUE,
        action=action,
        tone=_ISSUE_TONES.get(action, Tone.NEUTRAL),
        source=SOURCE,
        project=repository_of(payload),
        actor=actor,
        labels=label_names(issue.get("labels")),
        title=as_text(issue.get("title")),
        url=as_opt(issue.get("html_url")),
        object_id=as_opt(issue.get("number")),
        description=as_raw(issue.get("body")),
        details=details_of(
            {
                "state": as_text(issue.get("state")),
                "changed": github_action if action == "update" else None,
                "work_item_type": kind_name,
            }
        ),
        related_users=related,
        occurred_at=first_time(issue.get("updated_at"), issue.get("created_at")),
    )


_COMMENT_REQUIRES = Required(
    "issue_comment", ("action", "comment.body", "issue.number", "issue.title", REPOSITORY, SENDER)
)


def _parse_issue_comment(payload: JsonObject) -> Event | None:
    issue = as_obj(payload.get("issue"))
    on_pull_request = bool(as_obj(issue.get("pull_request")))
    return note_event(
        payload, as_obj(payload.get("comment")), issue, "PullRequest" if on_pull_request else "Issue"
    )


_DISCUSSION_REQUIRES = Required(
    "discussion", ("action", "discussion.number", "discussion.title", REPOSITORY, SENDER)
)


def _parse_discussion(payload: JsonObject) -> Event:
    discussion = as_obj(payload.get("discussion"))
    event = _issue_event(payload, discussion, _DISCUSSION_ACTIONS, DISCUSSION)
    answer = as_opt(as_obj(payload.get("answer")).get("html_url"))
    return event.model_copy(update={"url": answer}) if event.action == "answered" and answer else event


_DISCUSSION_COMMENT_REQUIRES = Required(
    "discussion_comment",
    ("action", "comment.body", "discussion.number", "discussion.title", REPOSITORY, SENDER),
)


def _parse_discussion_comment(payload: JsonObject) -> Event | None:
    return note_event(payload, as_obj(payload.get("comment")), as_obj(payload.get("discussion")), DISCUSSION)


FAMILIES: dict[str, Family] = {
    "issues": Family(_ISSUE_REQUIRES, _parse_issue),
    "issue_comment": Family(_COMMENT_REQUIRES, _parse_issue_comment),
    "discussion": Family(_DISCUSSION_REQUIRES, _parse_discussion),
    "discussion_comment": Family(_DISCUSSION_COMMENT_REQUIRES, _parse_discussion_comment),
}
