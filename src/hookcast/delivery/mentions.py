"""Mentions in group messages: the people an event names, and those its webhook's mention rules
add (`hookcast.rules`, re-evaluated when the message is rendered), as found in the user
directory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, Person
from hookcast.messages.model import Mention
from hookcast.rules import Rule, evaluate
from hookcast.store.directory import PersonRow


def named_people(event: Event) -> list[Person]:
    return [related.person for related in event.related_users]


def ruled_people(event: Event, rules: Sequence[Rule]) -> list[Person]:
    """The people ``rules``' mention rules add for ``event``: an e-mail address by its e-mail,
    anything else by its username."""
    added = evaluate(event, rules).mentions if rules else ()
    return [Person(email=name) if "@" in name else Person(username=name) for name in added]


def mentions_for(people: Sequence[Person], directory: Sequence[PersonRow]) -> tuple[Mention, ...]:
    """One Mention per person (each once) who is in the directory (matched by email, then
    GitLab username), with the ids known for them on each platform. Pure."""
    by_email = {row.email: row for row in directory if row.email}
    by_username = {row.gitlab_username.lower(): row for row in directory if row.gitlab_username}
    mentions: list[Mention] = []
    seen: set[int] = set()
    for person in people:
        row = by_email.get((person.email or "").lower()) or by_username.get((person.username or "").lower())
        if row is None or row.id in seen:
            continue
        seen.add(row.id)
        mentions.append(
            Mention(
                name=row.name or person.name,
                ids=dict(row.platform_ids or {}),
                mobile=row.mobile,
                email=row.email,
            )
        )
    return tuple(mentions)


async def directory_for(session: AsyncSession, people: Iterable[Person]) -> list[PersonRow]:
    """The directory entries of these people (one query)."""
    listed = list(people)
    emails = {p.email.lower() for p in listed if p.email}
    usernames = {p.username.lower() for p in listed if p.username}
    if not emails and not usernames:
        return []
    query = select(PersonRow).where(
        or_(PersonRow.email.in_(emails), func.lower(PersonRow.gitlab_username).in_(usernames))
    )
    return list(await session.scalars(query))
