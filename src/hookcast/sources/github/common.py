"""What the GitHub parsers share: the family type, and the builders of the fields every event
has (its repository, the people it names, commits, labels, GitHub's times)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from hookcast.events import Event, Item, Person, ProjectRef, RelatedUser, Role
from hookcast.sources.git import first_line, short_sha
from hookcast.sources.required import Required
from hookcast.sources.tolerant import (
    MAX_TIME_LENGTH,
    JsonObject,
    as_email,
    as_obj,
    as_objs,
    as_opt,
    as_raw,
    as_text,
    iso_time,
)

SOURCE = "github"

# Shared by every repository event: which repository, and who acted.
REPOSITORY = "repository.full_name"
SENDER = "sender.login"


@dataclass(frozen=True, slots=True)
class Family:
    """One parser family: what its body must carry (checked first) and how it is read. A parser
    may still return None: the action is one hookcast does not notify about."""

    required: Required
    parse: Callable[[JsonObject], Event | None]


def github_time(value: object) -> datetime | None:
    """GitHub's ISO 8601 times ("2019-05-15T15:20:55Z"); also the Unix seconds a push's
    repository carries."""
    text = as_text(value)
    return iso_time(text) if len(text) <= MAX_TIME_LENGTH else None


def first_time(*values: object) -> datetime | None:
    for value in values:
        parsed = github_time(value)
        if parsed is not None:
            return parsed
    return None


def repository_of(payload: JsonObject) -> ProjectRef:
    repo = as_obj(payload.get("repository"))
    full_name = as_text(repo.get("full_name"))
    return ProjectRef(
        name=as_text(repo.get("name")) or full_name.rsplit("/", 1)[-1],
        path_with_namespace=full_name,
        url=as_opt(repo.get("html_url")),
        default_branch=as_opt(repo.get("default_branch")) or as_opt(repo.get("master_branch")),
    )


def person_of(user: object) -> Person:
    """A GitHub account: its login is the username the directory knows it by."""
    data = as_obj(user)
    login = as_text(data.get("login"))
    return Person(
        name=as_text(data.get("name")) or login,
        username=login or None,
        email=as_email(data.get("email")),
        avatar_url=as_opt(data.get("avatar_url")),
    )


def related_of(role: Role, users: Iterable[JsonObject]) -> tuple[RelatedUser, ...]:
    people = (person_of(user) for user in users)
    return tuple(RelatedUser(role=role, person=person) for person in people if person.is_someone)


def label_names(value: object) -> tuple[str, ...]:
    names = (as_text(label.get("name")) for label in as_objs(value))
    return tuple(dict.fromkeys(name for name in names if name))


def commit_item(commit: JsonObject) -> Item:
    sha = as_text(commit.get("id"))
    author = as_obj(commit.get("author"))
    return Item(
        title=first_line(as_raw(commit.get("message"))) or short_sha(sha),
        url=as_opt(commit.get("url")),
        id=short_sha(sha) or None,
        author=as_opt(author.get("name")) or as_opt(author.get("username")),
    )


def branch_of(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def tag_of(ref: str) -> str:
    return ref.removeprefix("refs/tags/")


def author_if_actor(author: Person, actor: Person) -> tuple[RelatedUser, ...]:
    """The pull request's or issue's author as a person concerned, when the author is who acted.
    GitLab's payloads name the author only then (`gitlab.common.author_if_actor`), and GitHub's
    events notify the same people as GitLab's, so the rule is the same here."""
    if author.is_someone and author.username == actor.username:
        return (RelatedUser(role=Role.AUTHOR, person=author),)
    return ()
