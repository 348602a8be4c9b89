"""Digest messages (several messages in one) and the "Send test message" message."""

from __future__ import annotations

import pytest

from hookcast.events import Event, EventKind, Person, ProjectRef, Tone
from hookcast.messages.digest import render_digest, render_test_message
from hookcast.messages.model import Link, Mention, Message, Text, plain
from hookcast.messages.render import render


def message(title: str, tone: Tone, url: str | None = None, footer: str | None = "team/app") -> Message:
    return Message(title=title, tone=tone, url=url, summary=f"team/app: {title}", footer=footer)


def test_digest_lists_each_message_with_its_tone_and_link() -> None:
    parts = [
        message("Pipeline #31 failed on main", Tone.FAILURE, "https://x/p/31"),
        message("Alice pushed 2 commits to main", Tone.SUCCESS, "https://x/compare"),
        message("Merge request !3 closed", Tone.NEUTRAL),
        message("Job deploy is waiting", Tone.WARNING, "https://x/j/9"),
    ]
    digest = render_digest(parts, "en")
    assert digest.title == "4 notifications"
    assert digest.parts == tuple(parts)
    assert [plain(line) for line in digest.lines] == [
        "🔴 team/app: Pipeline #31 failed on main",
        "🟢 team/app: Alice pushed 2 commits to main",
        "⚪ team/app: Merge request !3 closed",
        "🟠 team/app: Job deploy is waiting",
    ]
    assert digest.lines[0] == (Text("🔴 "), Link("team/app: Pipeline #31 failed on main", "https://x/p/31"))
    assert digest.lines[2] == (Text("⚪ "), Text("team/app: Merge request !3 closed"))
    assert digest.footer == "team/app"
    assert digest.language == "en"


def test_digest_title_in_chinese_and_singular() -> None:
    assert render_digest([message("a", Tone.SUCCESS)] * 3, "zh_CN").title == "3 条通知"
    assert render_digest([message("a", Tone.SUCCESS)], "en").title == "1 notification"
    assert render_digest([message("a", Tone.SUCCESS)], "zh_CN").title == "1 条通知"


def test_any_failure_makes_the_digest_a_failure() -> None:
    parts = [message("ok", Tone.SUCCESS)] * 5 + [message("bad", Tone.FAILURE)]
    assert render_digest(parts, "en").tone is Tone.FAILURE


@pytest.mark.parametrize(
    ("tones", "expected"),
    [
        ([Tone.SUCCESS, Tone.NEUTRAL, Tone.SUCCESS], Tone.SUCCESS),
        ([Tone.NEUTRAL, Tone.NEUTRAL, Tone.SUCCESS], Tone.NEUTRAL),
        ([Tone.WARNING, Tone.SUCCESS, Tone.WARNING], Tone.WARNING),
        ([Tone.NEUTRAL, Tone.SUCCESS], Tone.NEUTRAL),
    ],
)
def test_without_failures_the_most_common_tone_wins(tones: list[Tone], expected: Tone) -> None:
    assert render_digest([message("m", tone) for tone in tones], "en").tone is expected


def test_empty_digest_is_neutral() -> None:
    digest = render_digest([], "en")
    assert digest.title == "0 notifications"
    assert digest.tone is Tone.NEUTRAL
    assert digest.lines == ()


def test_digest_of_several_projects_has_no_footer() -> None:
    parts = [message("a", Tone.SUCCESS, footer="team/app"), message("b", Tone.SUCCESS, footer="team/web")]
    assert render_digest(parts, "en").footer is None


def test_digest_carries_each_mention_once() -> None:
    bob = Mention(name="Bob", ids={"feishu": "ou_1"})
    carol = Mention(name="Carol")
    parts = [
        Message(title="a", tone=Tone.SUCCESS, mentions=(bob,)),
        Message(title="b", tone=Tone.SUCCESS, mentions=(bob, carol)),
    ]
    assert render_digest(parts, "en").mentions == (bob, carol)


def test_digest_of_rendered_events() -> None:
    project = ProjectRef(
        name="App", path_with_namespace="team/app", url="https://gitlab.example.com/team/app"
    )
    push = Event(
        kind=EventKind.PUSH,
        tone=Tone.SUCCESS,
        project=project,
        actor=Person(name="Alice"),
        branch="main",
        total_items=2,
    )
    failed = Event(
        kind=EventKind.PIPELINE,
        tone=Tone.FAILURE,
        project=project,
        ref="main",
        object_id="31",
        url="https://gitlab.example.com/team/app/-/pipelines/31",
        details={"status": "failed"},
    )
    digest = render_digest([render(push, "zh_CN"), render(failed, "zh_CN")], "zh_CN")
    assert digest.title == "2 条通知"
    assert digest.tone is Tone.FAILURE
    assert [plain(line) for line in digest.lines] == [
        "🟢 team/app：Alice 向 main 推送了 2 个提交",
        "🔴 team/app：main 上的流水线 #31 失败",
    ]


def test_test_message_in_english() -> None:
    test = render_test_message("en", "team/app", "Feishu")
    assert test.title == "Test message from hookcast for team/app"
    assert test.tone is Tone.SUCCESS
    assert (
        plain(test.lines[0])
        == "If you can read this, Feishu notifications for team/app are set up correctly."
    )
    assert {f.label: plain(f.value) for f in test.fields} == {"Project": "team/app", "Platform": "Feishu"}
    assert test.summary == test.title


def test_test_message_in_chinese() -> None:
    test = render_test_message("zh_CN", "team/app", "飞书")
    assert test.title == "来自 hookcast 的测试消息：team/app"
    assert plain(test.lines[0]) == "看到这条消息，说明项目 team/app 的 飞书 通知已配置成功。"
    assert {f.label: plain(f.value) for f in test.fields} == {"项目": "team/app", "平台": "飞书"}
    assert test.language == "zh_CN"


def test_test_message_keeps_hostile_names_plain() -> None:
    test = render_test_message("en", "<b>x</b>", "**Slack**")
    assert "<b>x</b>" in test.title
    assert test.fields[0].value == (Text("<b>x</b>"),)
