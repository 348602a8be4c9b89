"""Who gets a direct message for an event: pure.

Which roles a kind messages directly is declared in the kinds catalogue (`KindSpec.direct`,
`KindSpec.direct_on`, hookcast/kinds.py).
"""

from __future__ import annotations

from hookcast.events import Event, Person
from hookcast.kinds import spec_of
from hookcast.sources.github.common import SOURCE as GITHUB


def direct_recipients(event: Event) -> tuple[Person, ...]:
    """The people ``event`` should message directly (distinct, with an email or a mobile, or,
    in a GitHub event, a login, by which the worker finds them in the directory): approvers
    when approval is needed, the creator when approved or sent back, releasers when a rollout
    is needed, new reviewers of a merge request."""
    roles = spec_of(event.kind).direct_roles(event.action)
    seen: set[str] = set()
    people: list[Person] = []
    for related in event.related_users:
        person = related.person
        key = _key(person, by_login=event.source == GITHUB)
        if related.role in roles and key and key not in seen:
            seen.add(key)
            people.append(person)
    return tuple(people)


def _key(person: Person, *, by_login: bool) -> str:
    """Who ``person`` is among an event's people; empty when they cannot be reached."""
    login = f"@{person.username.lower()}" if by_login and person.username else ""
    return login or (person.email or "").lower() or person.mobile or ""
