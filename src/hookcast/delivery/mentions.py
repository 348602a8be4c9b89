"""Mentions in group messages: the people an event names, as found in the user directory (by
`services/people_match.py`'s rule: a GitHub event's people by their GitHub login first)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, Person
from hookcast.messages.model import Mention
from hookcast.services.people_match import condition, match, probes
from hookcast.store.directory import PersonRow


def named_people(event: Event) -> list[Person]:
    return [related.person for related in event.related_users]


def mentions_for(event: Event, directory: Sequence[PersonRow]) -> tuple[Mention, ...]:
    """One Mention per person the event names who is in the directory, with the ids known for
    them on each platform. Pure."""
    mentions: list[Mention] = []
    seen: set[int] = set()
    for person in named_people(event):
        row = match(directory, person, event.source)
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


async def directory_for(session: AsyncSession, events: Iterable[Event]) -> list[PersonRow]:
    """The directory entries of everyone these events name (one query)."""
    found_by = [probe for e in events for p in named_people(e) for probe in probes(p, e.source)]
    if not found_by:
        return []
    return list(await session.scalars(select(PersonRow).where(condition(found_by))))
