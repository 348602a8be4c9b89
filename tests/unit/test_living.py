"""Living messages, purely: object keys, the plan for each mode and memory, the bounded history,
alert flaps and their window (`hookcast.living`), and how the card words it
(`hookcast.messages.living`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hookcast.events import Event, EventKind, Person, ProjectRef, Tone
from hookcast.living import (
    HISTORY_STEPS,
    Action,
    MessageMode,
    Plan,
    Remembered,
    Step,
    after_posting,
    object_key,
    plan,
    with_step,
)
from hookcast.messages.i18n import translator
from hookcast.messages.living import FOLLOW_UP_MARK, history_line, living_message
from hookcast.messages.model import Message, Text
from hookcast.platforms import PLATFORMS

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PROJECT = ProjectRef(path_with_namespace="group/app")


def mr(action: str, actor: str = "Ann") -> Event:
    return Event(
        kind=EventKind.MERGE_REQUEST, action=action, project=PROJECT, object_id="42", actor=Person(name=actor)
    )


def alert(action: str) -> Event:
    return Event(kind=EventKind.ALERT, action=action, project=PROJECT, details={"group_key": "{}:{a=1}"})


def memory(
    *steps: Step, last: str = "open", ref: str = "m1", ago: timedelta = timedelta(0), flaps: int = 0
) -> Remembered:
    return Remembered(
        ref=ref, history=steps or (Step("open", "Ann"),), last_action=last, updated_at=NOW - ago, flaps=flaps
    )


def test_object_keys_name_family_project_and_object() -> None:
    assert object_key(mr("open")) == "merge_request:group/app:42"
    assert object_key(alert("firing")) == "alert:group/app:{}:{a=1}"
    assert object_key(Event(kind=EventKind.PUSH, project=PROJECT, object_id="abc")) is None
    assert object_key(Event(kind=EventKind.MERGE_REQUEST, project=PROJECT)) is None  # names none
    long = Event(
        kind=EventKind.MERGE_REQUEST, project=ProjectRef(path_with_namespace="g/" + "p" * 300), object_id="1"
    )
    assert object_key(long) is None


@pytest.mark.parametrize(
    ("mode", "remembered", "action", "ref"),
    [
        (MessageMode.EVERY_EVENT, memory(), Action.PLAIN, None),
        (MessageMode.UPDATE, None, Action.POST, None),
        (MessageMode.UPDATE, memory(), Action.EDIT, "m1"),
        (MessageMode.UPDATE, memory(ref=""), Action.FOLLOW_UP, None),  # the post named no message
        (MessageMode.THREAD, memory(), Action.REPLY, "m1"),
        (MessageMode.THREAD, None, Action.POST, None),
        (MessageMode.FOLLOW_UP, memory(ref=""), Action.FOLLOW_UP, None),
        (MessageMode.FOLLOW_UP, memory(), Action.FOLLOW_UP, "m1"),
    ],
)
def test_the_plan_for_each_mode(
    mode: MessageMode, remembered: Remembered | None, action: Action, ref: str | None
) -> None:
    planned = plan(mode, remembered, mr("approved", "Bob"), NOW)
    assert (planned.action, planned.ref) == (action, ref)
    assert planned.remembers is (action is not Action.PLAIN)


def test_an_event_without_an_object_is_plain_in_any_mode() -> None:
    push = Event(kind=EventKind.PUSH, project=PROJECT)
    assert plan(MessageMode.UPDATE, None, push, NOW) == Plan(Action.PLAIN)


def test_the_history_keeps_the_first_step_and_the_latest() -> None:
    history: tuple[Step, ...] = ()
    for n in range(10):
        history = with_step(history, Step(f"s{n}"))
    assert len(history) == HISTORY_STEPS
    assert [s.action for s in history] == ["s0", "s5", "s6", "s7", "s8", "s9"]
    assert with_step(history, Step("s9")) == history  # a repeat is one step


def test_a_flap_within_the_window_counts_and_edits() -> None:
    resolved = memory(Step("firing"), Step("resolved"), last="resolved", ago=timedelta(minutes=59))
    planned = plan(MessageMode.UPDATE, resolved, alert("firing"), NOW)
    assert (planned.action, planned.flaps) == (Action.EDIT, 1)
    again = after_posting(planned, alert("firing"), "", NOW)
    assert (again.ref, again.flaps, again.last_action, again.updated_at) == ("m1", 1, "firing", NOW)


def test_firing_again_after_the_window_is_a_new_card() -> None:
    resolved = memory(Step("firing"), Step("resolved"), last="resolved", ago=timedelta(minutes=61), flaps=3)
    planned = plan(MessageMode.UPDATE, resolved, alert("firing"), NOW)
    assert planned == Plan(Action.POST, history=(Step("firing"),))
    short = plan(MessageMode.UPDATE, resolved, alert("firing"), NOW, flap_window=timedelta(hours=2))
    assert (short.action, short.flaps) == (Action.EDIT, 4)


def test_after_posting_a_new_message_remembers_its_ref() -> None:
    posted = after_posting(Plan(Action.POST, history=(Step("open", "Ann"),)), mr("open"), "m9", NOW)
    assert posted == Remembered("m9", (Step("open", "Ann"),), "open", NOW, 0)


def failed_pipeline(status: str = "failed") -> Event:
    tone = Tone.FAILURE if status == "failed" else Tone.NEUTRAL
    return Event(kind=EventKind.PIPELINE, action=status, project=PROJECT, object_id="7", tone=tone)


EDIT_AND_THREAD = (MessageMode.UPDATE, MessageMode.THREAD, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)
EDIT_ONLY = (MessageMode.UPDATE, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)


def test_a_failure_edited_in_place_also_replies_where_the_platform_threads() -> None:
    running = memory(Step("running"), last="running")
    planned = plan(MessageMode.UPDATE, running, failed_pipeline(), NOW, modes=EDIT_AND_THREAD)
    assert (planned.action, planned.ref, planned.also_reply) == (Action.EDIT, "m1", True)
    assert planned.history == (Step("running"), Step("failed"))
    # What is remembered is still the card, not the reply.
    assert after_posting(planned, failed_pipeline(), "", NOW).ref == "m1"


@pytest.mark.parametrize(
    ("mode", "modes", "remembered", "event"),
    [
        (MessageMode.UPDATE, EDIT_ONLY, memory(), failed_pipeline()),  # Discord: cannot thread
        (MessageMode.UPDATE, (), memory(), failed_pipeline()),  # modes not told
        (MessageMode.UPDATE, EDIT_AND_THREAD, memory(), failed_pipeline("success")),  # no failure
        (MessageMode.UPDATE, EDIT_AND_THREAD, None, failed_pipeline()),  # a post notifies anyway
        (MessageMode.UPDATE, EDIT_AND_THREAD, memory(ref=""), failed_pipeline()),  # a follow-up
        (MessageMode.THREAD, EDIT_AND_THREAD, memory(), failed_pipeline()),  # a reply already
        (MessageMode.FOLLOW_UP, EDIT_AND_THREAD, memory(), failed_pipeline()),
        (MessageMode.EVERY_EVENT, EDIT_AND_THREAD, memory(), failed_pipeline()),
    ],
)
def test_no_extra_reply_otherwise(
    mode: MessageMode, modes: tuple[MessageMode, ...], remembered: Remembered | None, event: Event
) -> None:
    assert not plan(mode, remembered, event, NOW, modes=modes).also_reply


def test_only_thread_mode_names_the_objects_thread() -> None:
    for mode, threaded in (
        (MessageMode.THREAD, True),
        (MessageMode.UPDATE, False),
        (MessageMode.FOLLOW_UP, False),
        (MessageMode.EVERY_EVENT, False),
    ):
        first = plan(mode, None, mr("open"), NOW, modes=EDIT_AND_THREAD)
        later = plan(mode, memory(), mr("merge"), NOW, modes=EDIT_AND_THREAD)
        assert (first.threaded, later.threaded) == (threaded, threaded), mode


MESSAGE = Message(
    title="Bob approved !42", tone=Tone.SUCCESS, url="https://g.example/42", lines=((Text("body"),),)
)


def test_the_card_carries_its_history_and_flaps() -> None:
    edit = Plan(Action.EDIT, "m1", (Step("open", "Ann"), Step("approved", "Bob")))
    card = living_message(MESSAGE, edit)
    assert card.lines[-1] == (Text("opened by Ann → approved by Bob"),)
    flapped = Plan(Action.EDIT, "m1", (Step("firing"), Step("resolved"), Step("firing")), flaps=2)
    assert history_line(flapped, translator("en")) == (Text("firing → resolved → firing · flapped 2 times"),)
    zh = history_line(flapped, translator("zh_CN"))
    assert zh and zh[0] == Text(zh[0].text) and zh[0].text.endswith("抖动 2 次")  # type: ignore[union-attr]
    first = Plan(Action.POST, history=(Step("open", "Ann"),))
    assert living_message(MESSAGE, first) == MESSAGE  # nothing to tell yet
    assert living_message(MESSAGE, Plan(Action.PLAIN)) == MESSAGE


@pytest.mark.parametrize("action", [Action.FOLLOW_UP, Action.REPLY])
def test_follow_ups_and_replies_are_compact(action: Action) -> None:
    compact = living_message(MESSAGE, Plan(action, "m1", (Step("open"), Step("approved"))))
    assert compact.title == FOLLOW_UP_MARK + MESSAGE.title
    assert (compact.url, compact.tone, compact.lines, compact.fields) == (MESSAGE.url, MESSAGE.tone, (), ())


def test_every_platform_tells_its_modes_from_the_redacted_url_alike() -> None:
    """Intake and the API's answers read a webhook's modes from its redacted URL (they hold no
    key to open the sealed one): a platform must decide from the URL's shape, not its secrets."""
    for platform in PLATFORMS.values():
        url = platform.example_url
        assert platform.message_modes(platform.redact_url(url)) == platform.message_modes(url), platform.name


@pytest.mark.parametrize(
    "url",
    [
        "https://hookcast.example.com/feishu/chats/fc" + "0" * 48,  # a Feishu chat URL (the app)
        "https://slack.com/api/chat.postMessage?channel=C0123ABCD9",  # a Slack app destination
        "https://discord.com/api/webhooks/123456789012345678/secret-token",
    ],
)
def test_the_other_url_shapes_tell_their_modes_from_the_redacted_url_alike(url: str) -> None:
    for platform in PLATFORMS.values():
        if platform.url_problem(url) is None or platform.relayed(url):
            assert platform.message_modes(platform.redact_url(url)) == platform.message_modes(url), url
