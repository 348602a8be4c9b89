"""GitHub's code events: pushes (and branches or tags created / deleted), pull requests, their
reviews and review comments — onto the kinds `messages/gitlab_code.py` and
`messages/gitlab_issues.py` render (push, tag push, merge request, note)."""

from __future__ import annotations

from urllib.parse import quote

from hookcast.events import Details, Event, EventKind, Person, RelatedUser, Role, Tone, details_of
from hookcast.sources.git import is_zero_sha, short_sha
from hookcast.sources.github.common import (
    REPOSITORY,
    SENDER,
    SOURCE,
    Family,
    author_if_actor,
    branch_of,
    commit_item,
    first_time,
    label_names,
    person_of,
    related_of,
    repository_of,
    tag_of,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import JsonObject, as_obj, as_objs, as_opt, as_raw, as_text, changed_paths

# GitHub's pull request actions -> hookcast's merge request words (``closed`` with ``merged`` is
# a merge). Anything else that changes a pull request (edited, labeled, assigned ...) is an
# ``update``, which routing keeps quiet like GitLab's.
_PULL_REQUEST_ACTIONS: dict[str, str] = {
    "opened": "open",
    "reopened": "reopen",
    "ready_for_review": "ready_for_review",
    "review_requested": "review_requested",
    "synchronize": "synchronize",
}

_MERGE_REQUEST_TONES: dict[str, Tone] = {
    "open": Tone.SUCCESS,
    "reopen": Tone.SUCCESS,
    "merge": Tone.SUCCESS,
    "approved": Tone.SUCCESS,
    "ready_for_review": Tone.SUCCESS,
    "changes_requested": Tone.WARNING,
    "close": Tone.NEUTRAL,
}

# A review's state (lower case) -> the merge request action it is; other states (dismissed,
# pending) are not notified.
_REVIEW_ACTIONS: dict[str, str] = {
    "approved": "approved",
    "changes_requested": "changes_requested",
    "commented": "reviewed",
}

_NOTE_ACTIONS: dict[str, str] = {"created": "create", "edited": "update"}


def _pusher(payload: JsonObject) -> Person:
    sender = person_of(payload.get("sender"))
    pusher = as_obj(payload.get("pusher"))
    email = as_text(pusher.get("email"))
    if "@" in email and not sender.email:
        return sender.model_copy(update={"email": email})
    if sender.is_someone:
        return sender
    return Person(name=as_text(pusher.get("name")), email=email if "@" in email else None)


_PUSH_REQUIRES = Required("push", ("ref", "before", "after", REPOSITORY, "sender.login | pusher.name"))


def _parse_push(payload: JsonObject) -> Event:
    ref = as_text(payload.get("ref"))
    before, after = as_text(payload.get("before")), as_text(payload.get("after"))
    project = repository_of(payload)
    commits = tuple(commit_item(commit) for commit in as_objs(payload.get("commits")))
    removed = payload.get("deleted") is True or is_zero_sha(after)
    created = payload.get("created") is True or is_zero_sha(before)
    details = details_of(
        {
            "before": before,
            "after": after,
            "commit_sha": None if removed else after,
        }
    )
    actor = _pusher(payload)
    if ref.startswith("refs/tags/"):
        tag = tag_of(ref)
        details["tag"] = tag
        return Event(
            kind=EventKind.TAG_PUSH,
            action="removed" if removed else "pushed",
            tone=Tone.SUCCESS,
            source=SOURCE,
            project=project,
            actor=actor,
            ref=ref,
            is_tag=True,
            title=tag,
            url=project.url if removed else _under(project.url, "tree", tag),
            object_id=short_sha(before if removed else after) or None,
            details=details,
            items=commits,
            total_items=len(commits),
        )
    branch = branch_of(ref)
    if removed:
        action, url = "removed_branch", project.url
    elif created:
        action, url = "created_branch", _under(project.url, "tree", branch)
    else:
        action = "force_pushed" if payload.get("forced") is True else "pushed"
        url = as_opt(payload.get("compare")) or project.url
    return Event(
        kind=EventKind.PUSH,
        action=action,
        tone=Tone.SUCCESS,
        source=SOURCE,
        project=project,
        actor=actor,
        ref=ref or None,
        branch=branch or None,
        title=branch,
        url=url,
        object_id=short_sha(before if removed else after) or None,
        details=details,
        items=commits,
        total_items=len(commits),
        paths=changed_paths(as_objs(payload.get("commits"))),
    )


def _under(base: str | None, *path: str) -> str | None:
    if not base:
        return None
    return base.rstrip("/") + "/" + "/".join(quote(part, safe="/", errors="replace") for part in path)


_REF_REQUIRES = ("ref", "ref_type", REPOSITORY, SENDER)


def _parse_ref_event(payload: JsonObject, removed: bool) -> Event | None:
    """``create`` / ``delete``: a branch or a tag made or removed without its push."""
    ref, ref_type = as_text(payload.get("ref")), as_text(payload.get("ref_type"))
    project = repository_of(payload)
    common = {
        "tone": Tone.SUCCESS,
        "source": SOURCE,
        "project": project,
        "actor": person_of(payload.get("sender")),
        "title": ref,
        "url": project.url if removed else _under(project.url, "tree", ref),
        "object_id": ref,
    }
    if ref_type == "tag":
        return Event(
            kind=EventKind.TAG_PUSH,
            action="removed" if removed else "pushed",
            ref=f"refs/tags/{ref}",
            is_tag=True,
            description=as_raw(payload.get("description")),
            details={"tag": ref},
            **common,
        )
    if ref_type != "branch":
        return None
    action = "removed_branch" if removed else "created_branch"
    return Event(kind=EventKind.PUSH, action=action, ref=f"refs/heads/{ref}", branch=ref, **common)


def _pull_request_event(
    payload: JsonObject,
    action: str,
    related: tuple[RelatedUser, ...],
    *,
    description: str | None = None,
    url: str | None = None,
    changed: str | None = None,
) -> Event:
    """A pull request as hookcast's merge request: ``object_id`` is its number, so a living
    message follows it (`hookcast.living.object_key`)."""
    pr = as_obj(payload.get("pull_request"))
    actor = person_of(payload.get("sender"))
    head, base = as_obj(pr.get("head")), as_obj(pr.get("base"))
    author = person_of(pr.get("user"))
    people = related + author_if_actor(author, actor)
    return Event(
        kind=EventKind.MERGE_REQUEST,
        action=action,
        tone=_MERGE_REQUEST_TONES.get(action, Tone.NEUTRAL),
        source=SOURCE,
        project=repository_of(payload),
        actor=actor,
        labels=label_names(pr.get("labels")),
        title=as_text(pr.get("title")),
        url=url or as_opt(pr.get("html_url")),
        object_id=as_opt(pr.get("number")) or as_opt(payload.get("number")),
        description=as_raw(pr.get("body")) if description is None else description,
        details=_pull_request_details(pr, head, base, changed),
        related_users=people,
        occurred_at=first_time(pr.get("updated_at"), pr.get("created_at")),
    )


def _pull_request_details(pr: JsonObject, head: JsonObject, base: JsonObject, changed: str | None) -> Details:
    merged = pr.get("merged") is True
    return details_of(
        {
            "source_branch": as_text(head.get("ref")),
            "target_branch": as_text(base.get("ref")),
            "state": "merged" if merged else as_text(pr.get("state")),
            "merge_status": as_text(pr.get("mergeable_state")) if not merged else None,
            "draft": "true" if pr.get("draft") is True else None,
            "commit_sha": as_text(head.get("sha")),
            "changed": changed,
        }
    )


def _pull_request_people(pr: JsonObject) -> tuple[RelatedUser, ...]:
    return related_of(Role.ASSIGNEE, as_objs(pr.get("assignees"))) + related_of(
        Role.REVIEWER, as_objs(pr.get("requested_reviewers"))
    )


_PULL_REQUEST_REQUIRES = Required(
    "pull_request",
    (
        "action",
        "pull_request.number",
        "pull_request.title",
        "pull_request.head.ref",
        "pull_request.base.ref",
        REPOSITORY,
        SENDER,
    ),
)


def _parse_pull_request(payload: JsonObject) -> Event:
    pr = as_obj(payload.get("pull_request"))
    github_action = as_text(payload.get("action"))
    if github_action == "closed":
        action = "merge" if pr.get("merged") is True else "close"
    else:
        action = _PULL_REQUEST_ACTIONS.get(github_action, "update")
    if action == "review_requested":
        reviewer = as_obj(payload.get("requested_reviewer"))
        related = related_of(Role.REVIEWER, [reviewer]) if reviewer else ()
        if not related:  # a team was asked: it has a name, no login
            team = as_text(as_obj(payload.get("requested_team")).get("name"))
            related = (RelatedUser(role=Role.REVIEWER, person=Person(name=team)),) if team else ()
        return _pull_request_event(payload, action, related)
    changed = github_action if action == "update" else None
    return _pull_request_event(payload, action, _pull_request_people(pr), changed=changed)


_REVIEW_REQUIRES = Required(
    "pull_request_review",
    ("action", "review.state", "pull_request.number", "pull_request.title", REPOSITORY, SENDER),
)


def _parse_review(payload: JsonObject) -> Event | None:
    review = as_obj(payload.get("review"))
    if as_text(payload.get("action")) != "submitted":
        return None  # edited / dismissed: GitHub's own notifications cover them
    action = _REVIEW_ACTIONS.get(as_text(review.get("state")).lower())
    if action is None:
        return None
    pr = as_obj(payload.get("pull_request"))
    related = _pull_request_people(pr)
    reviewer = (
        person_of(review.get("user")) if as_obj(review.get("user")) else person_of(payload.get("sender"))
    )
    if action == "approved" and reviewer.is_someone:
        related += (RelatedUser(role=Role.APPROVER, person=reviewer),)
    author = person_of(pr.get("user"))
    asked = action == "changes_requested" and author.username != person_of(payload.get("sender")).username
    if asked and author.is_someone:  # the author is to act (when the author acted, it is added below)
        related += (RelatedUser(role=Role.AUTHOR, person=author),)
    return _pull_request_event(
        payload,
        action,
        related,
        description=as_raw(review.get("body")),
        url=as_opt(review.get("html_url")),
    )


def note_event(
    payload: JsonObject,
    comment: JsonObject,
    target: JsonObject,
    noteable_type: str,
    extra: Details | None = None,
) -> Event | None:
    """A comment (on an issue, a pull request or a line of its diff) as hookcast's note."""
    action = _NOTE_ACTIONS.get(as_text(payload.get("action")))
    if action is None:
        return None  # deleted
    people = related_of(Role.ASSIGNEE, as_objs(target.get("assignees")))
    return Event(
        kind=EventKind.NOTE,
        action=action,
        tone=Tone.SUCCESS,
        source=SOURCE,
        project=repository_of(payload),
        actor=person_of(payload.get("sender")),
        labels=label_names(target.get("labels")),
        title=as_text(target.get("title")),
        url=as_opt(comment.get("html_url")),
        object_id=as_opt(comment.get("id")),
        description=as_raw(comment.get("body")),
        details=details_of(
            {
                "noteable_type": noteable_type,
                "target_title": as_text(target.get("title")),
                "target_id": as_text(target.get("number")),
                "target_url": as_text(target.get("html_url")),
                "target_state": as_text(target.get("state")),
            }
        )
        | (extra or {}),
        related_users=people,
        occurred_at=first_time(comment.get("updated_at"), comment.get("created_at")),
    )


_REVIEW_COMMENT_REQUIRES = Required(
    "pull_request_review_comment",
    ("action", "comment.body", "pull_request.number", "pull_request.title", REPOSITORY, SENDER),
)


def _parse_review_comment(payload: JsonObject) -> Event | None:
    pr = as_obj(payload.get("pull_request"))
    head, base = as_obj(pr.get("head")), as_obj(pr.get("base"))
    branches = details_of(
        {"source_branch": as_text(head.get("ref")), "target_branch": as_text(base.get("ref"))}
    )
    return note_event(payload, as_obj(payload.get("comment")), pr, "PullRequest", branches)


FAMILIES: dict[str, Family] = {
    "push": Family(_PUSH_REQUIRES, _parse_push),
    "create": Family(Required("create", _REF_REQUIRES), lambda payload: _parse_ref_event(payload, False)),
    "delete": Family(Required("delete", _REF_REQUIRES), lambda payload: _parse_ref_event(payload, True)),
    "pull_request": Family(_PULL_REQUEST_REQUIRES, _parse_pull_request),
    "pull_request_review": Family(_REVIEW_REQUIRES, _parse_review),
    "pull_request_review_comment": Family(_REVIEW_COMMENT_REQUIRES, _parse_review_comment),
}
