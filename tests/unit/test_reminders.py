"""Review reminders, purely: the scheduled instant (weekdays, time zones, DST in Europe/Berlin),
which merge requests wait, each reviewer's list, and the reminder as rendered in en and zh_CN."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hookcast.events import EventKind, Person, ProjectRef, Role, Tone
from hookcast.messages.model import Link, Mention, Text
from hookcast.messages.render import render
from hookcast.quiet_hours import Weekday
from hookcast.reminders import (
    MAX_LISTED,
    OpenMergeRequest,
    Schedule,
    by_reviewer,
    latest_instant,
    pending_reviewers,
    reminder_event,
    waiting,
    waits,
)

BERLIN = ZoneInfo("Europe/Berlin")
WORKING = frozenset({Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI})
EVERY_DAY = frozenset(Weekday)
ALICE = Person(name="Alice", username="alice")
BOB = Person(name="Bob", username="bob")
CAROL = Person(name="Carol", username="carol")
PROJECT = ProjectRef(name="app", path_with_namespace="team/app")
AT = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # a Tuesday, 09:30 in Berlin


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def schedule(at: str = "09:30", days: frozenset[Weekday] = WORKING, zone: Any = BERLIN) -> Schedule:
    return Schedule(at=time.fromisoformat(at), days=days, zone=zone)


def mr(iid: int = 1, **changes: Any) -> OpenMergeRequest:
    values: dict[str, Any] = {
        "gitlab_path": "team/app",
        "iid": iid,
        "title": f"Change {iid}",
        "url": f"https://gitlab.example.com/team/app/-/merge_requests/{iid}",
        "author": CAROL,
        "reviewers": (ALICE,),
        "approved_by": (),
        "draft": False,
        "approved": False,
        "opened_at": AT - timedelta(days=2, hours=3),
    }
    values.update(changes)
    return OpenMergeRequest(**values)


# --- when ----------------------------------------------------------------------------------------


def test_the_latest_instant_is_today_once_its_time_has_come() -> None:
    assert latest_instant(schedule(), utc("2026-11-24 08:40")) == utc("2026-11-24 08:30")
    assert latest_instant(schedule(), utc("2026-11-24 08:30")) == utc("2026-11-24 08:30")


def test_before_the_time_it_is_the_previous_working_day() -> None:
    assert latest_instant(schedule(), utc("2026-11-24 08:29")) == utc("2026-11-23 08:30")  # Monday
    assert latest_instant(schedule(), utc("2026-11-23 07:00")) == utc("2026-11-20 08:30")  # Friday
    assert latest_instant(schedule(), utc("2026-11-22 12:00")) == utc("2026-11-20 08:30")  # Sunday


def test_the_time_is_read_in_the_webhooks_zone() -> None:
    assert latest_instant(schedule(zone=UTC), utc("2026-11-24 09:40")) == utc("2026-11-24 09:30")
    tokyo = ZoneInfo("Asia/Tokyo")  # Tuesday 09:30 in Tokyo is Tuesday 00:30 UTC
    assert latest_instant(schedule(zone=tokyo), utc("2026-11-24 01:00")) == utc("2026-11-24 00:30")
    # Monday 23:30 UTC is already Tuesday 08:30 in Tokyo: Tuesday's 09:30 has not come yet
    assert latest_instant(schedule(zone=tokyo), utc("2026-11-23 23:30")) == utc("2026-11-23 00:30")


def test_across_the_dst_changes_the_local_time_stays() -> None:
    every_day = schedule(days=EVERY_DAY)
    assert latest_instant(every_day, utc("2026-03-28 12:00")) == utc("2026-03-28 08:30")  # CET
    assert latest_instant(every_day, utc("2026-03-29 12:00")) == utc("2026-03-29 07:30")  # CEST
    assert latest_instant(every_day, utc("2026-10-25 12:00")) == utc("2026-10-25 08:30")  # CET again


def test_a_time_skipped_or_repeated_by_dst_is_sent_once() -> None:
    night = schedule("02:30", days=EVERY_DAY)
    # 29 March: 02:00 CET jumps to 03:00 CEST; 02:30 is read as 03:30 CEST
    assert latest_instant(night, utc("2026-03-29 06:00")) == utc("2026-03-29 01:30")
    # 25 October: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice, the first one counts
    assert latest_instant(night, utc("2026-10-25 06:00")) == utc("2026-10-25 00:30")
    assert latest_instant(night, utc("2026-10-25 01:15")) == utc("2026-10-25 00:30")


def test_no_day_no_reminder() -> None:
    assert latest_instant(schedule(days=frozenset()), utc("2026-11-24 12:00")) is None


# --- what waits -----------------------------------------------------------------------------------


def test_a_merge_request_waits_for_its_reviewers_until_they_approve() -> None:
    assert waits(mr(), drafts=False)
    assert not waits(mr(approved_by=(ALICE,)), drafts=False)
    assert waits(mr(reviewers=(ALICE, BOB), approved_by=(ALICE,)), drafts=False)
    assert pending_reviewers(mr(reviewers=(ALICE, BOB), approved_by=(ALICE,))) == (BOB,)


def test_without_reviewers_it_waits_until_someone_approves() -> None:
    assert waits(mr(reviewers=()), drafts=False)
    assert not waits(mr(reviewers=(), approved_by=(BOB,)), drafts=False)


def test_gitlabs_approved_ends_the_wait() -> None:
    assert not waits(mr(reviewers=(ALICE, BOB), approved=True), drafts=False)


def test_drafts_are_left_out_unless_asked_for() -> None:
    assert not waits(mr(draft=True), drafts=False)
    assert waits(mr(draft=True), drafts=True)
    assert [r.iid for r in waiting([mr(1, draft=True), mr(2)], drafts=False)] == [2]


def test_waiting_is_oldest_first() -> None:
    older = mr(2, opened_at=AT - timedelta(days=9))
    assert [r.iid for r in waiting([mr(1), older, mr(3, approved=True)], drafts=False)] == [2, 1]


def test_each_reviewer_gets_the_ones_waiting_on_them() -> None:
    requests = [mr(1, reviewers=(ALICE, BOB)), mr(2, reviewers=(BOB,)), mr(3, reviewers=())]
    lists = by_reviewer(requests)
    assert [(person.username, [r.iid for r in theirs]) for person, theirs in lists] == [
        ("alice", [1]),
        ("bob", [1, 2]),
    ]


# --- the reminder ----------------------------------------------------------------------------------


def test_the_reminder_event_names_the_people_it_waits_on_as_reviewers() -> None:
    requests = [mr(1, reviewers=(ALICE, BOB), approved_by=(BOB,)), mr(2, reviewers=(ALICE,))]
    event = reminder_event(PROJECT, requests, AT)
    assert (event.kind, event.tone, event.occurred_at) == (EventKind.REVIEW_REMINDER, Tone.WARNING, AT)
    assert [(u.role, u.person) for u in event.related_users] == [(Role.REVIEWER, ALICE)]
    assert event.url == "https://gitlab.example.com/team/app/-/merge_requests"
    assert [i.waiting_on for i in event.items] == [("Alice",), ("Alice",)]
    assert event.title == "!1, !2"
    direct = reminder_event(PROJECT, requests[1:], AT, to=ALICE)
    assert (direct.related_users, direct.title) == ((), "Alice: !2")


def test_a_long_list_is_cut_and_counted() -> None:
    event = reminder_event(PROJECT, [mr(i) for i in range(MAX_LISTED + 5)], AT)
    assert (len(event.items), event.total_items) == (MAX_LISTED, MAX_LISTED + 5)
    message = render(event, "en")
    assert message.title == f"{MAX_LISTED + 5} merge requests wait for review"
    assert message.lines[MAX_LISTED] == (Text("and 5 more"),)


def test_rendered_in_english_with_age_author_reviewers_and_approvals() -> None:
    requests = [
        mr(42, title="Add cache", reviewers=(ALICE, BOB), approved_by=(BOB,)),
        mr(7, title="Fix login", opened_at=AT - timedelta(minutes=20), reviewers=()),
    ]
    alice = Mention(name="Alice", ids={"feishu": "ou_a"})
    message = render(reminder_event(PROJECT, waiting(requests, drafts=False), AT), "en", mentions=[alice])
    assert message.title == "2 merge requests wait for review"
    first, second = message.lines[0], message.lines[1]
    assert first[1] == Link("!42 Add cache", "https://gitlab.example.com/team/app/-/merge_requests/42")
    assert first[2] == Text(" — by Carol · 2 days · waiting on Alice · 1 approval")
    assert second[2] == Text(" — by Carol · less than an hour · no approval yet")
    assert message.mentions == (alice,)
    assert all(alice not in line for line in message.lines)  # the platforms show `mentions`
    assert message.footer == "team/app"


def test_rendered_in_chinese() -> None:
    requests = [mr(42, title="Add cache", opened_at=AT - timedelta(hours=5), approved_by=(BOB,))]
    message = render(reminder_event(PROJECT, requests, AT), "zh_CN")
    assert message.title == "1 个合并请求等待评审"
    assert message.lines[0][2] == Text(" — 作者 Carol · 5 小时 · 等待 Alice · 1 个批准")


def test_several_gitlab_projects_name_their_path() -> None:
    requests = [mr(1), mr(2, gitlab_path="team/api", url=None)]
    event = reminder_event(ProjectRef(name="team"), requests, AT)
    assert [i.id for i in event.items] == ["team/app!1", "team/api!2"]
    assert event.url is None
