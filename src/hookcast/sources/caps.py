"""How long each text of a parsed `Event` may be, and how many entries its lists may hold: one
table for every source, applied as the last step of each parser (`capped`).

A sender decides how long its texts are; the body cap (``HOOKCAST_MAX_BODY_BYTES``, 4 MiB) is the
only other bound. Every text is stored, routed (branch patterns), rendered in two languages and
escaped for each platform, so a 586 KiB branch name or a thousand labels cost far more than the
chat will ever show. Parsers therefore cut every text to what any chat message can use, with an
ellipsis, and keep the first entries of long lists (the totals they report, such as
``total_items``, still count them all).

Where GitLab documents a limit, the cap is at least that limit, so a real event is never cut:

- issue and merge request titles are at most 255 characters and descriptions 1 MB ("Issuable-like
  Rails models utilities", docs.gitlab.com/development/issuable-like-models); 1 MB is far more
  than any platform shows (the largest body budget is 40 kB), so descriptions are cut at 8 KiB;
- names of users, projects, labels and branches are GitLab string columns of 255 characters; a
  Git ref is at most 255 bytes per path component (the file system's name limit), refs here get
  1 KiB; a project's full path decides where a group hook's event goes
  (`services/inbound_scope.py`), so it keeps GitLab's most: 20 nested groups (the subgroup
  depth GitLab allows) of 255 characters;
- a push payload carries at most the newest 20 commits (GitLab's push data builder,
  gitlab-org/gitlab#20551); lists are cut at 100. The files a push changed (`Event.paths`, for
  routing rules only) keep the first 1000, each cut at 4 KiB: a cut path keeps its leading
  directories, which is what rules' globs look at.

Identifiers that decide identity are not cut: ``source_id`` is an idempotency key (intake keeps a
long one as a digest), and cutting it could make two events one. A URL longer than `URL` is
dropped, not cut: half a link leads nowhere. Pure: no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from hookcast.events import DetailKey, Details, Event, Item, Person, ProjectRef, RelatedUser

ELLIPSIS = "…"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Caps:
    """The longest text, in characters, of each kind of field, and the most entries of a list."""

    ref: int = 1024  # refs, branches, tags, shas and other identifiers shown
    name: int = 255  # people, projects, labels, statuses, actions
    path: int = 5120  # a project's full path: GitLab nests 20 levels of 255-character paths
    title: int = 1024  # titles and one-line summaries (commit subjects, alert summaries)
    text: int = 8192  # descriptions, comments, commit messages, detail values
    url: int = 4096  # longer URLs are dropped
    entries: int = 100  # labels, items (commits, jobs, alerts), people concerned, alert labels
    file: int = 4096  # one changed file's path (Git allows 4 KiB on most file systems)
    files: int = 1000  # changed files of a push, for routing rules (never shown)


CAPS = Caps()

# Characters that belong to the one before them: a cut just before one would split what the
# reader sees as a single character (an accent, a variation selector, a joined emoji).
_JOINERS = frozenset({"\u200c", "\u200d"})
_LONGEST_CLUSTER = 16  # look back no further for a place to cut


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters long, ending in "…" when it was cut. The cut backs
    off over combining marks, variation selectors and joiners (a short look, not a full
    grapheme segmentation), so a character is not left without its accent."""
    if len(text) <= limit:
        return text
    end = max(limit - len(ELLIPSIS), 0)
    floor = max(end - _LONGEST_CLUSTER, 0)
    while end > floor and _continues(text[end]):
        end -= 1
    if end > 0 and text[end - 1] in _JOINERS:
        end -= 1
    return text[:end] + ELLIPSIS


def _continues(char: str) -> bool:
    """Marks (accents, variation selectors), joiners and emoji skin tones lean on what precedes."""
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char in _JOINERS
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def cut_opt(text: str | None, limit: int) -> str | None:
    return None if text is None else cut(text, limit)


def url_or_none(url: str | None, caps: Caps = CAPS) -> str | None:
    return url if url is None or len(url) <= caps.url else None


def first(entries: tuple[T, ...], caps: Caps = CAPS) -> tuple[T, ...]:
    return entries[: caps.entries]


def capped(event: Event, caps: Caps = CAPS) -> Event:
    """``event`` with every text and list within ``caps`` (the same event when it already was)."""
    return event.model_copy(
        update={
            "action": cut(event.action, caps.name),
            "project": _project(event.project, caps),
            "actor": _person(event.actor, caps),
            "ref": cut_opt(event.ref, caps.ref),
            "branch": cut_opt(event.branch, caps.ref),
            "labels": tuple(cut(label, caps.name) for label in first(event.labels, caps)),
            "title": cut(event.title, caps.title),
            "url": url_or_none(event.url, caps),
            "object_id": cut_opt(event.object_id, caps.ref),
            "description": cut(event.description, caps.text),
            "details": _details(event.details, caps),
            "items": tuple(_item(item, caps) for item in first(event.items, caps)),
            "paths": tuple(cut(path, caps.file) for path in event.paths[: caps.files]),
            "alert_labels": {
                cut(name, caps.name): cut(value, caps.text)
                for name, value in list(event.alert_labels.items())[: caps.entries]
            },
            "related_users": tuple(
                RelatedUser(role=user.role, person=_person(user.person, caps))
                for user in first(event.related_users, caps)
            ),
        }
    )


def _person(person: Person, caps: Caps) -> Person:
    name = cut(person.name, caps.name)
    username = cut_opt(person.username, caps.name)
    email = cut_opt(person.email, caps.name)
    mobile = cut_opt(person.mobile, caps.name)
    avatar_url = url_or_none(person.avatar_url, caps)
    if (
        name is person.name
        and username is person.username
        and email is person.email
        and mobile is person.mobile
        and avatar_url is person.avatar_url
    ):
        return person  # within the caps already (the usual case): no second validation
    return Person(name=name, username=username, email=email, mobile=mobile, avatar_url=avatar_url)


def _project(project: ProjectRef, caps: Caps) -> ProjectRef:
    name = cut(project.name, caps.name)
    path = cut(project.path_with_namespace, caps.path)
    url = url_or_none(project.url, caps)
    default_branch = cut_opt(project.default_branch, caps.ref)
    if (
        name is project.name
        and path is project.path_with_namespace
        and url is project.url
        and default_branch is project.default_branch
    ):
        return project
    return ProjectRef(name=name, path_with_namespace=path, url=url, default_branch=default_branch)


def _item(item: Item, caps: Caps) -> Item:
    texts = {
        "title": cut(item.title, caps.title),
        "url": url_or_none(item.url, caps),
        "id": cut_opt(item.id, caps.ref),
        "author": cut_opt(item.author, caps.name),
        "status": cut_opt(item.status, caps.name),
        "stage": cut_opt(item.stage, caps.name),
        "failure_reason": cut_opt(item.failure_reason, caps.name),
    }
    waiting_on = tuple(cut(name, caps.name) for name in first(item.waiting_on, caps))
    if all(value is getattr(item, name) for name, value in texts.items()) and _same(
        waiting_on, item.waiting_on
    ):
        return item
    return Item(**texts, since=item.since, waiting_on=waiting_on, approvals=item.approvals)


def _same(kept: tuple[str, ...], given: tuple[str, ...]) -> bool:
    return len(kept) == len(given) and all(a is b for a, b in zip(kept, given, strict=True))


def _details(details: Mapping[DetailKey, str], caps: Caps) -> Details:
    kept: Details = {}
    for key, value in details.items():
        if key.endswith("_url"):
            if (url := url_or_none(value, caps)) is not None:
                kept[key] = url
        else:
            kept[key] = cut(value, caps.text)
    return kept
