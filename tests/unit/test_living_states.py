"""The living message's states the preview shows (`messages/living_states.py`): derived from the
shipped samples, planned by the real `hookcast.living.plan`, worded in both languages."""

from __future__ import annotations

import pytest

from hookcast.events import EventKind
from hookcast.kinds import spec_of
from hookcast.living import Action, MessageMode, object_key
from hookcast.messages.living import FOLLOW_UP_MARK
from hookcast.messages.living_states import first_event, later_events, states
from hookcast.messages.model import Text
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.sample_events import sample_event
from hookcast.web.ui import preview


def _last_line(message_lines: tuple[tuple[object, ...], ...]) -> str:
    return "".join(s.text for s in message_lines[-1] if isinstance(s, Text))


def test_a_merge_request_card_is_edited_with_its_history() -> None:
    life = states(sample_event(EventKind.MERGE_REQUEST), MessageMode.UPDATE, "en", sample_event)
    assert [s.action for s in life] == [Action.POST, Action.EDIT, Action.EDIT]
    assert [s.label for s in life] == ["First message", "After: approved by Ann", "After: merged by Ann"]
    assert "Ann merged" in life[2].message.title
    assert _last_line(life[2].message.lines) == "opened by Administrator → approved by Ann → merged by Ann"
    assert _last_line(life[1].message.lines) == "opened by Administrator → approved by Ann"


def test_the_labels_and_history_speak_chinese() -> None:
    life = states(sample_event(EventKind.MERGE_REQUEST), MessageMode.UPDATE, "zh_CN", sample_event)
    assert [s.label for s in life] == ["第一条消息", "之后：Ann 已批准", "之后：Ann 已合并"]
    assert _last_line(life[2].message.lines) == "Administrator 已创建 → Ann 已批准 → Ann 已合并"


COMPACT_MODES = [(MessageMode.FOLLOW_UP, Action.FOLLOW_UP), (MessageMode.THREAD, Action.REPLY)]


@pytest.mark.parametrize(("mode", "action"), COMPACT_MODES)
def test_modes_that_do_not_edit_show_compact_messages_after_the_first(
    mode: MessageMode, action: Action
) -> None:
    life = states(sample_event(EventKind.MERGE_REQUEST), mode, "en", sample_event)
    assert [s.action for s in life] == [Action.POST, action, action]
    assert not life[0].message.title.startswith(FOLLOW_UP_MARK)
    for later in life[1:]:
        assert later.message.title.startswith(FOLLOW_UP_MARK)
        assert later.message.lines == () and later.message.fields == ()
    word = "Follow-up" if mode is MessageMode.FOLLOW_UP else "Reply in its thread"
    assert life[2].label == f"{word}: merged by Ann"


def test_every_event_posts_full_messages_without_history() -> None:
    life = states(sample_event(EventKind.MERGE_REQUEST), MessageMode.EVERY_EVENT, "en", sample_event)
    assert [s.action for s in life] == [Action.PLAIN] * 3
    assert life[2].label == "New message: merged by Ann"
    assert all("→" not in _last_line(s.message.lines) for s in life)


def test_an_alert_that_fires_again_soon_after_it_resolved_flaps() -> None:
    life = states(sample_event(EventKind.ALERT), MessageMode.UPDATE, "en", sample_event)
    assert [s.action for s in life] == [Action.POST, Action.EDIT, Action.EDIT]
    assert "resolved" in life[1].message.title and "firing" in life[2].message.title
    assert _last_line(life[2].message.lines) == "firing → resolved → firing · flapped 1 time"


def test_a_pipeline_runs_fails_and_is_fixed() -> None:
    life = states(sample_event(EventKind.PIPELINE), MessageMode.UPDATE, "en", sample_event)
    titles = [s.message.title for s in life]
    assert "running" in titles[0] and "failed" in titles[1] and titles[2].startswith("Fixed")
    assert [s.message.tone.value for s in life] == ["neutral", "failure", "success"]


def test_a_kind_without_an_object_is_its_first_message_alone() -> None:
    life = states(sample_event(EventKind.PUSH), MessageMode.UPDATE, "en", sample_event)
    assert [s.action for s in life] == [Action.PLAIN]


@pytest.mark.parametrize("kind", [k for k in EventKind if spec_of(k).lives_as], ids=str)
def test_later_events_are_about_the_same_object(kind: EventKind) -> None:
    sample = sample_event(kind)
    first = first_event(sample)
    key = object_key(first)
    assert key is not None
    assert all(object_key(event) == key for event in later_events(sample, sample_event))
    life = states(sample, MessageMode.UPDATE, "zh_CN", sample_event)
    assert len(life) == 1 + len(later_events(sample, sample_event))


def test_the_preview_follows_the_selected_mode_and_defaults_to_the_platforms_first() -> None:
    for name in PLATFORMS:
        platform = get_platform(name.value)
        default = platform.message_modes(platform.example_url)[0]
        shown = preview.build(name.value, "en", EventKind.MERGE_REQUEST)
        assert shown.mode == default.value
        assert preview.build(name.value, "en", EventKind.MERGE_REQUEST, mode="nonsense").mode == default.value
    chosen = preview.build("slack", "en", EventKind.MERGE_REQUEST, mode="follow_up")
    assert chosen.mode == "follow_up" and chosen.first_label == "First message"
    assert [s["action"] for s in chosen.states] == ["follow_up", "follow_up"]
    assert chosen.states[1]["message"]["title"].startswith(FOLLOW_UP_MARK)
    assert preview.build("slack", "en", EventKind.PUSH, mode="update").states == ()


def test_a_failure_edited_in_place_shows_its_thread_reply_where_the_platform_threads() -> None:
    threads = (MessageMode.UPDATE, MessageMode.THREAD, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)
    life = states(sample_event(EventKind.PIPELINE), MessageMode.UPDATE, "en", sample_event, threads)
    assert [s.action for s in life] == [Action.POST, Action.EDIT, Action.REPLY, Action.EDIT]
    assert life[2].label.startswith("Reply in its thread: failed")
    assert life[2].message.title.startswith(FOLLOW_UP_MARK) and life[2].message.tone.value == "failure"
    edit_only = (MessageMode.UPDATE, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)
    plain = states(sample_event(EventKind.PIPELINE), MessageMode.UPDATE, "en", sample_event, edit_only)
    assert [s.action for s in plain] == [Action.POST, Action.EDIT, Action.EDIT]
