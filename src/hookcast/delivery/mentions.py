"""Mentions in group messages: the people an event names, and those its webhook's mention rules
add (`hookcast.rules`, re-evaluated when the message is rendered), as found in the user directory
by `services/people_match.py`'s rule (a GitHub event's people by their GitHub login first)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, Person
from hookcast.messages.model import Mention
from hookcast.rules import Rule, evaluate
from hookcast.services.people_match import condition, match, probes
from hookcast.store.directory import PersonRow


def named_people(event: Event) -> list[Person]:
    return [related.person for related in event.related_users]


def ruled_people(event: Event, rules: Sequence[Rule]) -> list[Person]:
    """The people ``rules``' mention rules add for ``event``: an e-mail address by its e-mail,
    anything else by its username (or, for a GitHub event, login)."""
    added = evaluate(event, rules).mentions if rules else ()
    return [Person(email=name) if "@" in name else Person(username=name) for name in added]


def mentions_for(
    people: Sequence[Person], directory: Sequence[PersonRow], source: str
) -> tuple[Mention, ...]:
    """One Mention per person (each once) who is in the directory, found as events of ``source``
    find people, with the ids known for them on each platform. Pure."""
    mentions: list[Mention] = []
    seen: set[int] = set()
    for person in people:
        row = match(directory, person, source)
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


async def directory_for(session: AsyncSession, people: Iterable[tuple[Person, str]]) -> list[PersonRow]:
    """The directory entries of these people, each with its event's source (one query)."""
    found_by = [probe for person, source in people for probe in probes(person, source)]
    if not found_by:
        return []
    return list(await session.scalars(select(PersonRow).where(condition(found_by))))
