"""Who gets a direct message for an event: pure."""

from __future__ import annotations

from collections.abc import Mapping

from hookcast.events import Event, EventKind, Person, Role

# The kinds that message people directly, and the roles they message.
DIRECT_ROLES: Mapping[EventKind, frozenset[Role]] = {
    EventKind.ISSUE_APPROVAL_NEEDED: frozenset({Role.APPROVER}),
    EventKind.ISSUE_APPROVED: frozenset({Role.CREATOR}),
    EventKind.ISSUE_SENT_BACK: frozenset({Role.CREATOR}),
    EventKind.ISSUE_ROLLOUT_NEEDED: frozenset({Role.RELEASER}),
}
REVIEW_REQUESTED = "review_requested"


def direct_recipients(event: Event) -> tuple[Person, ...]:
    """The people ``event`` should message directly (distinct, with an email or a mobile):
    approvers when approval is needed, the creator when approved or sent back, releasers when
    a rollout is needed, new reviewers of a merge request."""
    roles = DIRECT_ROLES.get(event.kind, frozenset())
    if event.kind is EventKind.MERGE_REQUEST and event.action == REVIEW_REQUESTED:
        roles = frozenset({Role.REVIEWER})
    seen: set[str] = set()
    people: list[Person] = []
    for related in event.related_users:
        person = related.person
        key = (person.email or "").lower() or person.mobile or ""
        if related.role in roles and key and key not in seen:
            seen.add(key)
            people.append(person)
    return tuple(people)
