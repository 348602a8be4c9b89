"""What the GitLab parsers share: the hook and family types, and the builders of the fields
every event has (its project, the people it names, commits, labels, GitLab's times)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from hookcast.events import Event, Item, Person, ProjectRef, RelatedUser, Role
from hookcast.sources.git import first_line, short_sha
from hookcast.sources.required import Required
from hookcast.sources.tolerant import (
    MAX_TIME_LENGTH,
    JsonObject,
    as_email,
    as_int,
    as_obj,
    as_objs,
    as_opt,
    as_raw,
    as_text,
    iso_time,
    joined,
)

# Change keys that say nothing worth telling about an issue / merge request update.
_BOOKKEEPING_CHANGES = frozenset({"updated_at", "updated_by_id", "last_edited_at", "last_edited_by_id"})


@dataclass(frozen=True, slots=True)
class Hook:
    family: str
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class Family:
    """One parser family: what its body must carry (checked first) and how it is read."""

    required: Required
    parse: Callable[[JsonObject, Hook], Event]


_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")


def parse_gitlab_time(value: object) -> datetime | None:
    """GitLab's time formats ("2015-05-17 18:08:09 UTC", ISO 8601, "... +0200") -> aware datetime."""
    text = as_text(value)
    if len(text) > MAX_TIME_LENGTH:
        return None
    if text.endswith(" UTC"):
        text = text[: -len(" UTC")] + "+00:00"
    return iso_time(_SPACED_OFFSET.sub(r"\1", text))


def first_time(*values: object) -> datetime | None:
    for value in values:
        parsed = parse_gitlab_time(value)
        if parsed is not None:
            return parsed
    return None


def person_of(user: object) -> Person:
    data = as_obj(user)
    return Person(
        name=as_text(data.get("name")) or as_text(data.get("username")),
        username=as_opt(data.get("username")),
        email=as_email(data.get("email")),
        avatar_url=as_opt(data.get("avatar_url")),
    )


def related_of(role: Role, users: Iterable[JsonObject]) -> tuple[RelatedUser, ...]:
    people = (person_of(user) for user in users)
    return tuple(RelatedUser(role=role, person=person) for person in people if person.is_someone)


def user_list(payload: JsonObject, plural: str, singular: str) -> list[JsonObject]:
    users = as_objs(payload.get(plural))
    if users:
        return users
    single = as_obj(payload.get(singular))
    return [single] if single else []


def project_of(payload: JsonObject, fallback_url: str | None = None) -> ProjectRef:
    data = as_obj(payload.get("project"))
    if not data:
        return project_from_url(fallback_url)
    path = as_text(data.get("path_with_namespace"))
    url = as_opt(data.get("web_url")) or as_opt(data.get("homepage"))
    derived = project_from_url(url) if url and not path else ProjectRef()
    return ProjectRef(
        name=as_text(data.get("name")) or derived.name,
        path_with_namespace=path or derived.path_with_namespace,
        url=url,
        default_branch=as_opt(data.get("default_branch")),
    )


def project_from_url(url: str | None) -> ProjectRef:
    """``https://host/group/project/-/issues/1`` -> the project ``group/project`` at that host."""
    if not url:
        return ProjectRef()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ProjectRef()
    path = _project_path_of(parts.path)
    if not parts.scheme or not parts.netloc or "/" not in path:
        return ProjectRef()
    return ProjectRef(
        name=path.rsplit("/", 1)[-1],
        path_with_namespace=path,
        url=f"{parts.scheme}://{parts.netloc}/{path}",
    )


_OLD_STYLE_OBJECT_PATH = re.compile(
    r"^(.+?)/(?:issues|merge_requests|commit|snippets|wikis|pipelines|jobs)(?:/|$)"
)


def _project_path_of(url_path: str) -> str:
    """The project part of a GitLab object path ("" when it cannot be told)."""
    if "/-/" in url_path:
        return url_path.split("/-/", 1)[0].strip("/")
    match = _OLD_STYLE_OBJECT_PATH.match(url_path.strip("/"))
    return match.group(1) if match else ""


def under(project: ProjectRef, suffix: str) -> str | None:
    return f"{project.url.rstrip('/')}/{suffix}" if project.url else None


def label_titles(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    titles = (
        as_text(as_obj(label).get("title")) if isinstance(label, dict) else as_text(label) for label in value
    )
    return tuple(dict.fromkeys(title for title in titles if title))


def changed_fields(payload: JsonObject) -> str | None:
    changes = as_obj(payload.get("changes"))
    return joined(key for key in changes if key not in _BOOKKEEPING_CHANGES)


def commit_item(commit: JsonObject) -> Item:
    sha = as_text(commit.get("id"))
    message_line = first_line(as_raw(commit.get("message")))
    return Item(
        title=message_line or as_text(commit.get("title")) or short_sha(sha),
        url=as_opt(commit.get("url")),
        id=short_sha(sha) or None,
        author=as_opt(as_obj(commit.get("author")).get("name")),
    )


def commit_title(commit: JsonObject) -> str | None:
    return first_line(as_raw(commit.get("message"))) or as_opt(commit.get("title"))


def branch_of(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def tag_of(ref: str) -> str:
    return ref.removeprefix("refs/tags/")


# Shared by the kinds about one object: its project (or the object's URL, which names it), and
# who acted.
OBJECT_PROJECT = "project.path_with_namespace | object_attributes.url"

ACTING_USER = "user.name | user.username"

_STATE_ACTIONS = {"opened": "open", "closed": "close", "merged": "merge", "reopened": "reopen"}


def action_or_state(attrs: JsonObject) -> str:
    return as_text(attrs.get("action")) or _STATE_ACTIONS.get(as_text(attrs.get("state")), "")


def author_if_actor(attrs: JsonObject, user: JsonObject, actor: Person) -> tuple[RelatedUser, ...]:
    author_id, user_id = as_int(attrs.get("author_id")), as_int(user.get("id"))
    if author_id is None or author_id != user_id or not actor.is_someone:
        return ()
    return (RelatedUser(role=Role.AUTHOR, person=actor),)


def labels_of(payload: JsonObject, attrs: JsonObject) -> tuple[str, ...]:
    return label_titles(payload.get("labels")) or label_titles(attrs.get("labels"))


def group_ref(name: object, path: object) -> ProjectRef:
    return ProjectRef(name=as_text(name) or as_text(path), path_with_namespace=as_text(path))


def last_path_segment(url: str | None) -> str | None:
    segment = (url or "").rstrip("/").rsplit("/", 1)[-1]
    return segment if segment.isdigit() else None
