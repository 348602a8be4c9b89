"""Review reminders, purely: when a webhook's reminder is due, which merge requests wait, and the
`Event` a reminder is.

A webhook may ask for a reminder at a time of day (``09:30``), on chosen weekdays, in its own
time zone. At that time hookcast lists the open merge requests it knows of (from the GitLab
events it received: `services/merge_requests.py`) that still wait for someone, as one digest in
the group, or as one direct message to each reviewer with their own list. Nothing is sent when
nothing waits.

**Waiting.** An open merge request waits when all of these hold:

- it is not a draft (unless the webhook asks for drafts too);
- GitLab has not said it is approved (the ``approved`` action, sent when every required approval
  is given; ``unapproved`` takes it back);
- someone was asked to review it and has not approved it yet, or nobody has approved it at all.

GitLab's merge request events do not say how many approvals the project's rules require, so
"approvals still needed" is what the events tell: who was asked and has not approved, and how
many approvals it has. The people it waits on are its reviewers who have not approved it.

**Schedule.** `latest_instant` is the newest scheduled instant at or before "now" (the caller's
clock). A time skipped by a DST change (02:30 on the night the clocks go forward) is read as
``zoneinfo`` reads it, an hour later by the new clock (03:30); a time that occurs twice (the
night they go back) is the first of the two. Nothing here reads the clock or a file: the zone is
loaded by the caller (`services/reminder_options.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from hookcast.events import Event, EventKind, Item, Person, ProjectRef, RelatedUser, Role, Tone
from hookcast.quiet_hours import Weekday

MAX_LISTED = 30  # merge requests listed in one reminder (the title counts them all)
TITLE_LENGTH = 1024  # the event's title (the history's line) as `sources.caps` allows titles
REMINDER_ACTION = "remind"
REMINDER_SOURCE = "hookcast"
_LOOK_BACK_DAYS = 8  # a week and a day: every weekday is seen once


class Recipients(StrEnum):
    """Who a reminder goes to: the group (one digest, reviewers mentioned) or each reviewer."""

    GROUP = "group"
    REVIEWERS = "reviewers"


@dataclass(frozen=True, slots=True)
class Schedule:
    """A webhook's reminder: at ``at`` local time in ``zone`` on ``days``."""

    at: time
    days: frozenset[Weekday]
    zone: tzinfo
    to: Recipients = Recipients.GROUP
    drafts: bool = False


def _on(day: date, at: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0)


def latest_instant(schedule: Schedule, now: datetime) -> datetime | None:
    """The newest instant the reminder was scheduled for at or before ``now`` (aware), in
    ``now``'s zone; None when it has no day."""
    if not schedule.days:
        return None
    today = now.astimezone(schedule.zone).date()
    for back in range(_LOOK_BACK_DAYS):
        day = today - timedelta(days=back)
        if list(Weekday)[day.weekday()] not in schedule.days:
            continue
        instant = _on(day, schedule.at, schedule.zone).astimezone(now.tzinfo)
        if instant <= now:
            return instant
    return None


@dataclass(frozen=True, slots=True)
class OpenMergeRequest:
    """What hookcast knows of one open merge request (a row of ``open_merge_requests``)."""

    gitlab_path: str
    iid: int
    title: str
    url: str | None
    author: Person
    reviewers: tuple[Person, ...]
    approved_by: tuple[Person, ...]
    draft: bool
    approved: bool
    opened_at: datetime


def person_key(person: Person) -> str:
    """Who a person is, across events: their GitLab username, else email, else name."""
    if person.username:
        return "u:" + person.username.lower()
    if person.email:
        return "e:" + person.email.lower()
    return "n:" + person.name


def pending_reviewers(request: OpenMergeRequest) -> tuple[Person, ...]:
    """Its reviewers who have not approved it."""
    approved = {person_key(p) for p in request.approved_by}
    return tuple(p for p in request.reviewers if person_key(p) not in approved)


def waits(request: OpenMergeRequest, *, drafts: bool) -> bool:
    """Whether ``request`` waits for review or approval (the module docstring says when)."""
    if request.draft and not drafts:
        return False
    if request.approved:
        return False
    return bool(pending_reviewers(request)) or not request.approved_by


def waiting(requests: Iterable[OpenMergeRequest], *, drafts: bool) -> list[OpenMergeRequest]:
    """The requests that wait, oldest first."""
    return sorted(
        (r for r in requests if waits(r, drafts=drafts)), key=lambda r: (r.opened_at, r.gitlab_path, r.iid)
    )


def by_reviewer(requests: Sequence[OpenMergeRequest]) -> list[tuple[Person, list[OpenMergeRequest]]]:
    """Each reviewer the waiting ``requests`` wait on, with the ones that wait on them, in the
    order they first appear."""
    lists: dict[str, tuple[Person, list[OpenMergeRequest]]] = {}
    for request in requests:
        for person in pending_reviewers(request):
            lists.setdefault(person_key(person), (person, []))[1].append(request)
    return list(lists.values())


def _unique(people: Iterable[Person]) -> tuple[Person, ...]:
    seen: dict[str, Person] = {}
    for person in people:
        seen.setdefault(person_key(person), person)
    return tuple(seen.values())


def reminder_event(
    project: ProjectRef, requests: Sequence[OpenMergeRequest], instant: datetime, *, to: Person | None = None
) -> Event:
    """The reminder listing ``requests`` (waiting ones, oldest first) at the scheduled
    ``instant``: one item per merge request, the people they wait on as reviewers (mentioned in
    the group; a direct message ``to`` someone names no one). Its title, which the history
    shows, is the list of references (``!1, !5``), after the recipient's name for a direct one."""
    paths = {r.gitlab_path for r in requests}
    shown = requests[:MAX_LISTED]
    items = tuple(
        Item(
            title=r.title,
            url=r.url,
            id=f"!{r.iid}" if len(paths) == 1 else f"{r.gitlab_path}!{r.iid}",
            author=r.author.name or r.author.username or None,
            since=r.opened_at,
            waiting_on=tuple(p.name or p.username or "" for p in pending_reviewers(r)),
            approvals=len(r.approved_by),
        )
        for r in shown
    )
    people = _unique(p for r in requests for p in pending_reviewers(r)) if to is None else ()
    references = ", ".join(item.id or "" for item in items)
    title = references if to is None else f"{to.name or to.username or ''}: {references}"
    return Event(
        kind=EventKind.REVIEW_REMINDER,
        action=REMINDER_ACTION,
        tone=Tone.WARNING,
        source=REMINDER_SOURCE,
        project=project,
        title=title[:TITLE_LENGTH],
        items=items,
        total_items=len(requests),
        related_users=tuple(RelatedUser(role=Role.REVIEWER, person=p) for p in people),
        url=_list_url(requests) if len(paths) == 1 else None,
        occurred_at=instant,
    )


def _list_url(requests: Sequence[OpenMergeRequest]) -> str | None:
    """The project's merge request list, from one merge request's URL (``…/-/merge_requests/42``)."""
    url = next((r.url for r in requests if r.url), None)
    head, found, _ = (url or "").rpartition("/-/merge_requests/")
    return f"{head}/-/merge_requests" if found else None
