"""GitLab's code events: pushes, tag pushes, merge requests and comments (notes) — the events
`messages/gitlab_code.py` and `messages/gitlab_issues.py` render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from hookcast.events import Details, Event, EventKind, Item, Person, RelatedUser, Role, Tone, details_of
from hookcast.sources.git import is_zero_sha, short_sha
from hookcast.sources.gitlab.common import (
    ACTING_USER,
    OBJECT_PROJECT,
    Family,
    Hook,
    action_or_state,
    author_if_actor,
    branch_of,
    changed_fields,
    commit_item,
    commit_title,
    first_time,
    label_titles,
    labels_of,
    person_of,
    project_of,
    related_of,
    tag_of,
    under,
    user_list,
)
from hookcast.sources.required import Required
from hookcast.sources.tolerant import (
    JsonObject,
    as_email,
    as_flag,
    as_int,
    as_obj,
    as_objs,
    as_opt,
    as_raw,
    as_text,
    changed_paths,
)

_MERGE_REQUEST_TONES: dict[str, Tone] = {
    "open": Tone.SUCCESS,
    "reopen": Tone.SUCCESS,
    "merge": Tone.SUCCESS,
    "approved": Tone.SUCCESS,
    "approval": Tone.SUCCESS,
    "unapproved": Tone.FAILURE,
    "unapproval": Tone.FAILURE,
    "close": Tone.NEUTRAL,
}


def _push_actor(payload: JsonObject) -> Person:
    return Person(
        name=as_text(payload.get("user_name")) or as_text(payload.get("user_username")),
        username=as_opt(payload.get("user_username")),
        email=as_email(payload.get("user_email")),
        avatar_url=as_opt(payload.get("user_avatar")),
    )


def _commits(payload: JsonObject) -> tuple[tuple[Item, ...], int]:
    items = tuple(commit_item(commit) for commit in as_objs(payload.get("commits")))
    total = as_int(payload.get("total_commits_count"))
    return items, max(total if total is not None else 0, len(items))


_PUSH_REQUIRES = Required(
    "push", ("ref", "before", "after", "project.path_with_namespace", "user_name | user_username")
)


def _parse_push(payload: JsonObject, hook: Hook) -> Event:
    ref = as_text(payload.get("ref"))
    before, after = as_text(payload.get("before")), as_text(payload.get("after"))
    branch = branch_of(ref)
    project = project_of(payload)
    items, total = _commits(payload)
    if is_zero_sha(after):
        action, url, object_id = "removed_branch", project.url, short_sha(before)
    elif is_zero_sha(before):
        action, url, object_id = (
            "created_branch",
            under(project, f"-/tree/{quote(branch, errors='replace')}"),
            short_sha(after),
        )
    else:
        action, object_id = "pushed", short_sha(after)
        url = under(project, f"-/compare/{before}...{after}") if before and after else project.url
    return Event(
        kind=EventKind.PUSH,
        action=action,
        tone=Tone.SUCCESS,
        project=project,
        actor=_push_actor(payload),
        ref=ref or None,
        branch=branch or None,
        title=branch,
        url=url,
        object_id=object_id or None,
        details=_push_details(payload, before, after),
        items=items,
        total_items=total,
        paths=changed_paths(as_objs(payload.get("commits"))),
    )


def _push_details(payload: JsonObject, before: str, after: str) -> Details:
    return details_of(
        {
            "before": before,
            "after": after,
            "commit_sha": as_text(payload.get("checkout_sha")) or (after if not is_zero_sha(after) else None),
            "ref_protected": as_flag(payload.get("ref_protected")),
        }
    )


_TAG_PUSH_REQUIRES = Required(
    "tag_push", ("ref", "before", "after", "project.path_with_namespace", "user_name | user_username")
)


def _parse_tag_push(payload: JsonObject, hook: Hook) -> Event:
    ref = as_text(payload.get("ref"))
    before, after = as_text(payload.get("before")), as_text(payload.get("after"))
    tag = tag_of(ref)
    project = project_of(payload)
    items, total = _commits(payload)
    removed = is_zero_sha(after)
    details = _push_details(payload, before, after)
    if tag:
        details["tag"] = tag
    return Event(
        kind=EventKind.TAG_PUSH,
        action="removed" if removed else "pushed",
        tone=Tone.SUCCESS,
        project=project,
        actor=_push_actor(payload),
        ref=ref or None,
        is_tag=True,
        title=tag,
        url=project.url if removed or not tag else under(project, f"-/tags/{quote(tag, errors='replace')}"),
        object_id=short_sha(before if removed else after) or None,
        details=details,
        items=items,
        total_items=total,
    )


def _user_key(user: JsonObject) -> str:
    user_id = as_int(user.get("id"))
    return f"id:{user_id}" if user_id is not None else f"username:{as_text(user.get('username'))}"


def _added_reviewers(payload: JsonObject) -> list[JsonObject]:
    change = as_obj(as_obj(payload.get("changes")).get("reviewers"))
    previous = {_user_key(user) for user in as_objs(change.get("previous"))}
    return [user for user in as_objs(change.get("current")) if _user_key(user) not in previous]


def _merge_request_people(payload: JsonObject, action: str, actor: Person) -> tuple[RelatedUser, ...]:
    people = related_of(Role.ASSIGNEE, user_list(payload, "assignees", "assignee"))
    people += related_of(Role.REVIEWER, as_objs(payload.get("reviewers")))
    if action in ("approved", "approval") and actor.is_someone:
        people += (RelatedUser(role=Role.APPROVER, person=actor),)
    return people


_MERGE_REQUEST_REQUIRES = Required(
    "merge_request",
    (
        "object_attributes.iid",
        "object_attributes.title",
        "object_attributes.action | object_attributes.state",
        "object_attributes.source_branch",
        "object_attributes.target_branch",
        OBJECT_PROJECT,
        ACTING_USER,
    ),
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse_merge_request(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    user = as_obj(payload.get("user"))
    actor = person_of(user)
    action = action_or_state(attrs)
    new_reviewers = _added_reviewers(payload) if action == "update" else []
    if new_reviewers:
        action = "review_requested"
        related = related_of(Role.REVIEWER, new_reviewers)
    else:
        related = _merge_request_people(payload, action, actor)
    url = as_opt(attrs.get("url"))
    draft = attrs.get("draft") is True or attrs.get("work_in_progress") is True
    return Event(
        kind=EventKind.MERGE_REQUEST,
        action=action,
        tone=_MERGE_REQUEST_TONES.get(action, Tone.NEUTRAL),
        project=project_of(payload, url),
        actor=actor,
        labels=labels_of(payload, attrs),
        title=as_text(attrs.get("title")),
        url=url,
        object_id=as_opt(attrs.get("iid")),
        description=as_raw(attrs.get("description")),
        details=details_of(
            {
                "source_branch": as_text(attrs.get("source_branch")),
                "target_branch": as_text(attrs.get("target_branch")),
                "state": as_text(attrs.get("state")),
                "merge_status": as_text(attrs.get("detailed_merge_status"))
                or as_text(attrs.get("merge_status")),
                "draft": "true" if draft else None,
                "created_at": _iso(first_time(attrs.get("created_at"))),
                "commit_sha": as_text(as_obj(attrs.get("last_commit")).get("id")),
                "changed": changed_fields(payload) if action in ("update", "review_requested") else None,
            }
        ),
        related_users=related + author_if_actor(attrs, user, actor),
        occurred_at=first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


@dataclass(frozen=True, slots=True)
class _NoteTarget:
    title: str = ""
    id: str | None = None
    url: str | None = None
    state: str | None = None
    labels: tuple[str, ...] = ()
    people: tuple[RelatedUser, ...] = ()
    details: Details | None = None


def _note_target(noteable_type: str, payload: JsonObject) -> _NoteTarget:
    if noteable_type == "Commit":
        commit = as_obj(payload.get("commit"))
        sha = as_text(commit.get("id"))
        author = as_obj(commit.get("author"))
        person = Person(name=as_text(author.get("name")), email=as_email(author.get("email")))
        return _NoteTarget(
            title=commit_title(commit) or short_sha(sha),
            id=short_sha(sha) or None,
            url=as_opt(commit.get("url")),
            people=(RelatedUser(role=Role.AUTHOR, person=person),) if person.is_someone else (),
        )
    if noteable_type == "Snippet":
        snippet = as_obj(payload.get("snippet"))
        return _NoteTarget(
            title=as_text(snippet.get("title")), id=as_opt(snippet.get("id")), url=as_opt(snippet.get("url"))
        )
    key = "merge_request" if noteable_type == "MergeRequest" else "issue"
    target = as_obj(payload.get(key))
    people = related_of(Role.ASSIGNEE, user_list(target, "assignees", "assignee"))
    people += related_of(Role.REVIEWER, as_objs(target.get("reviewers")))
    branches = details_of(
        {
            "source_branch": as_text(target.get("source_branch")),
            "target_branch": as_text(target.get("target_branch")),
        }
    )
    return _NoteTarget(
        title=as_text(target.get("title")),
        id=as_opt(target.get("iid")),
        url=as_opt(target.get("url")),
        state=as_opt(target.get("state")),
        labels=label_titles(target.get("labels")),
        people=people,
        details=branches if key == "merge_request" else None,
    )


# What the note is on must be there too: its title is the message's subject.
_NOTE_REQUIRES = Required(
    "note",
    ("object_attributes.note", "object_attributes.noteable_type", OBJECT_PROJECT, ACTING_USER),
    variant_of="object_attributes.noteable_type",
    variants={
        "Commit": ("commit.id",),
        "MergeRequest": ("merge_request.iid", "merge_request.title"),
        "Issue": ("issue.iid", "issue.title"),
        "Snippet": ("snippet.id", "snippet.title"),
    },
)


def _parse_note(payload: JsonObject, hook: Hook) -> Event:
    attrs = as_obj(payload.get("object_attributes"))
    noteable_type = as_text(attrs.get("noteable_type"))
    target = _note_target(noteable_type, payload)
    confidential = (
        hook.confidential
        or attrs.get("confidential") is True
        or attrs.get("internal") is True
        or as_obj(payload.get("issue")).get("confidential") is True
    )
    url = as_opt(attrs.get("url"))
    details = details_of(
        {
            "noteable_type": noteable_type,
            "target_title": target.title,
            "target_id": target.id,
            "target_url": target.url,
            "target_state": target.state,
            "commit_sha": as_text(attrs.get("commit_id")) if noteable_type == "Commit" else None,
            "system": "true" if attrs.get("system") is True else None,
        }
    )
    return Event(
        kind=EventKind.CONFIDENTIAL_NOTE if confidential else EventKind.NOTE,
        action=as_text(attrs.get("action")) or "create",
        tone=Tone.SUCCESS,
        project=project_of(payload, url),
        actor=person_of(payload.get("user")),
        labels=target.labels,
        confidential=confidential,
        title=target.title,
        url=url,
        object_id=as_opt(attrs.get("id")),
        description=as_raw(attrs.get("note")) or as_raw(attrs.get("description")),
        details=details | (target.details or {}),
        related_users=target.people,
        occurred_at=first_time(attrs.get("updated_at"), attrs.get("created_at")),
    )


# family -> what its body must carry, and its parser
FAMILIES: dict[str, Family] = {
    "push": Family(_PUSH_REQUIRES, _parse_push),
    "tag_push": Family(_TAG_PUSH_REQUIRES, _parse_tag_push),
    "merge_request": Family(_MERGE_REQUEST_REQUIRES, _parse_merge_request),
    "note": Family(_NOTE_REQUIRES, _parse_note),
}
