"""What Feishu / Lark chat URLs and Slack app destinations declare and encode for living
messages (`hookcast.living`): their modes, the requests that post, edit and reply, the message
reference read from good and hostile answers, and the answers that say a message can no longer
be reached. Group robots and incoming webhooks keep the default (no edit, no thread)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hookcast.living import MessageMode
from hookcast.messages.digest import render_test_message
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, HttpResponse, PlatformName, WebhookTarget
from hookcast.platforms.feishu import chat_urls
from hookcast.platforms.slack.webhook import app_channel
from hookcast.services.errors import Invalid
from hookcast.services.webhooks import validate_url

FEISHU = get_platform(PlatformName.FEISHU)
LARK = get_platform(PlatformName.LARK)
SLACK = get_platform(PlatformName.SLACK)
CHAT_URL = chat_urls.chat_url("https://hookcast.example.com", "fc" + "0" * 48)
ROBOT_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000001"
SLACK_APP = "https://slack.com/api/chat.postMessage?channel=C0123ABCD9"
SLACK_HOOK = "https://hooks.slack.com/services/T000/B000/XXXX"
MESSAGE = render_test_message("en", "living", "hookcast")
CTX = EncodeContext(1_700_000_000.0, "key-1")
ALL_MODES = (MessageMode.UPDATE, MessageMode.THREAD, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)
DEFAULT = (MessageMode.EVERY_EVENT, MessageMode.FOLLOW_UP)


def answer(body: Any, status: int = 200) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, {}, raw)


def body_of(request: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(request.body)
    return value


# --- Feishu / Lark ----------------------------------------------------------------------


@pytest.mark.parametrize("platform", [FEISHU, LARK])
def test_chat_urls_can_update_and_thread_group_robots_cannot(platform: Any) -> None:
    assert platform.message_modes(CHAT_URL) == ALL_MODES
    assert platform.message_modes(ROBOT_URL.replace("open.feishu.cn", platform.hosts[0])) == DEFAULT


def test_a_chat_urls_card_is_shared_and_a_group_robots_is_unchanged() -> None:
    posted = body_of(FEISHU.encode_post(MESSAGE, WebhookTarget(CHAT_URL), CTX))
    assert posted["card"]["config"] == {"wide_screen_mode": True, "update_multi": True}
    robot = body_of(FEISHU.encode_post(MESSAGE, WebhookTarget(ROBOT_URL), CTX))
    assert robot["card"]["config"] == {"wide_screen_mode": True}


def test_an_edit_and_a_reply_go_to_the_relay_with_the_message_id_in_a_header() -> None:
    target = WebhookTarget(CHAT_URL)
    edit = FEISHU.encode_edit(MESSAGE, target, CTX, "om_abc")
    assert (edit.method, edit.url, edit.headers[chat_urls.EDIT_HEADER]) == ("PATCH", CHAT_URL, "om_abc")
    assert chat_urls.REPLY_HEADER not in edit.headers
    assert body_of(edit)["card"]["config"]["update_multi"] is True, "shared in the update too"
    reply = FEISHU.encode_reply(MESSAGE, target, CTX, "om_abc")
    assert (reply.method, reply.headers[chat_urls.REPLY_HEADER]) == ("POST", "om_abc")
    assert chat_urls.EDIT_HEADER not in reply.headers
    assert FEISHU.relayed(edit.url) and FEISHU.relayed(reply.url)


def test_a_group_robot_cannot_edit_or_reply() -> None:
    with pytest.raises(NotImplementedError):
        FEISHU.encode_edit(MESSAGE, WebhookTarget(ROBOT_URL), CTX, "om_abc")
    with pytest.raises(NotImplementedError):
        FEISHU.encode_reply(MESSAGE, WebhookTarget(ROBOT_URL), CTX, "om_abc")


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        (
            {"code": 0, "data": {"message_id": "om_dc13264520392913993dd051dba21dcf"}},
            "om_dc13264520392913993dd051dba21dcf",
        ),
        ({"code": 0, "data": {}}, ""),  # a group robot's answer
        ({"code": 0, "data": {"message_id": "om_" + "a" * 500}}, ""),  # too long
        ({"code": 0, "data": {"message_id": "om_1/../../x"}}, ""),
        ({"code": 0, "data": {"message_id": "om_1\r\nX-Evil: 1"}}, ""),
        ({"code": 0, "data": {"message_id": 42}}, ""),
        ({"code": 0, "data": {"message_id": ["om_1"]}}, ""),
        ({"code": 0, "data": "om_1"}, ""),
        ([1, 2], ""),
        (b"\xff\xfe not json", ""),
        (b"", ""),
    ],
)
def test_the_message_id_is_read_from_good_answers_only(body: Any, ref: str) -> None:
    assert FEISHU.posted_ref(answer(body)) == ref


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"code": 230011, "msg": "The message is recalled."}, True),
        ({"code": 230031, "msg": "Message can only be modified within 14 days after sending."}, True),
        ({"code": 230012, "msg": "Bot is NOT the sender of the message."}, True),
        ({"code": "230011", "msg": "as a string"}, True),
        ({"code": 230001, "msg": "invalid request parameter, ext=invalid message_id."}, True),
        ({"code": 230001, "msg": "invalid request parameter, ext=content."}, False),
        ({"code": 230020, "msg": "frequency limit"}, False),
        ({"code": 230002, "msg": "The bot can not be outside the group."}, False),
        ({"code": 0, "data": {}}, False),
        ({"code": True}, False),
        (b"<html>502</html>", False),
    ],
)
def test_only_a_card_that_can_no_longer_be_reached_is_refused(body: Any, refused: bool) -> None:
    assert FEISHU.edit_refused(answer(body, 400)) is refused


def test_a_message_id_is_only_an_open_platform_one() -> None:
    assert chat_urls.message_id("om_abc-DEF_123") == "om_abc-DEF_123"
    for bad in ("", "om_", "ou_abc", "om_a/b", "om_a b", "om_a\n", None, 5, "om_" + "x" * 121):
        assert chat_urls.message_id(bad) == "", bad


# --- Slack -------------------------------------------------------------------------------


def test_a_slack_app_destination_can_update_and_thread_an_incoming_webhook_cannot() -> None:
    assert SLACK.message_modes(SLACK_APP) == ALL_MODES
    assert SLACK.message_modes(SLACK_HOOK) == DEFAULT
    assert SLACK.relayed(SLACK_APP) and not SLACK.relayed(SLACK_HOOK)


def test_the_app_gets_the_incoming_webhooks_body_plus_the_channel() -> None:
    target = WebhookTarget(SLACK_APP)
    hook = body_of(SLACK.encode(MESSAGE, WebhookTarget(SLACK_HOOK), CTX))
    posted = SLACK.encode_post(MESSAGE, target, CTX)
    assert (posted.method, posted.url) == ("POST", SLACK_APP)
    assert body_of(posted) == {"channel": "C0123ABCD9", **hook}
    edit = SLACK.encode_edit(MESSAGE, target, CTX, "1700000000.000100")
    assert (edit.method, edit.url) == ("POST", "https://slack.com/api/chat.update")
    assert body_of(edit) == {"channel": "C0123ABCD9", "ts": "1700000000.000100", **hook}
    reply = SLACK.encode_reply(MESSAGE, target, CTX, "1700000000.000100")
    assert reply.url == SLACK_APP
    assert body_of(reply) == {"channel": "C0123ABCD9", "thread_ts": "1700000000.000100", **hook}
    assert SLACK.relayed(edit.url) and SLACK.relayed(reply.url)
    assert "Authorization" not in posted.headers, "the relay adds the token, never the encoder"


def test_an_incoming_webhook_cannot_edit_or_reply() -> None:
    with pytest.raises(NotImplementedError):
        SLACK.encode_edit(MESSAGE, WebhookTarget(SLACK_HOOK), CTX, "1.2")
    with pytest.raises(NotImplementedError):
        SLACK.encode_reply(MESSAGE, WebhookTarget(SLACK_HOOK), CTX, "1.2")


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        ({"ok": True, "channel": "C0123ABCD9", "ts": "1503435956.000247"}, "1503435956.000247"),
        ({"ok": False, "error": "channel_not_found", "ts": "1503435956.000247"}, ""),
        ({"ok": True, "ts": 1503435956.000247}, ""),
        ({"ok": True, "ts": "1503435956.000247; drop"}, ""),
        ({"ok": True, "ts": "9" * 40 + ".1"}, ""),
        ({"ok": "true", "ts": "1.2"}, ""),
        ({"ok": True}, ""),
        (b"ok", ""),  # an incoming webhook's answer
    ],
)
def test_the_ts_is_read_from_good_answers_only(body: Any, ref: str) -> None:
    assert SLACK.posted_ref(answer(body)) == ref


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"ok": False, "error": "message_not_found"}, True),
        ({"ok": False, "error": "cant_update_message"}, True),
        ({"ok": False, "error": "edit_window_closed"}, True),
        ({"ok": False, "error": "channel_not_found"}, False),
        ({"ok": False, "error": "not_in_channel"}, False),
        ({"ok": False, "error": "ratelimited"}, False),
        ({"ok": True, "error": "message_not_found"}, False),
        ({"ok": False, "error": ["message_not_found"]}, False),
        (b"no_service", False),
    ],
)
def test_only_a_slack_message_that_can_no_longer_be_edited_is_refused(body: Any, refused: bool) -> None:
    assert SLACK.edit_refused(answer(body)) is refused


@pytest.mark.parametrize(
    "url",
    [
        SLACK_APP,
        "https://slack.com/api/chat.postMessage?channel=G0123ABCD9",
        "https://slack.com/api/chat.postMessage?channel=D0123ABCDE",
    ],
)
def test_a_slack_app_destination_is_saved(url: str) -> None:
    assert app_channel(url) is not None and SLACK.url_problem(url) is None
    validate_url(SLACK, url, (), None)


@pytest.mark.parametrize(
    "url",
    [
        "https://slack.com/api/chat.postMessage?channel=general",  # a name, not an id
        "https://slack.com/api/chat.postMessage?channel=U0123ABCD9",  # a person
        "https://slack.com/api/chat.postMessage?channel=C0123",  # too short
        "https://slack.com/api/chat.postMessage?channel=c0123abcd9",
        "https://slack.com/api/chat.postMessage?channel=C0123ABCD9&token=xoxb-1",
        "https://slack.com/api/chat.postMessage?channel=C0123ABCD9&channel=C0123ABCD8",
        "https://slack.com/api/chat.postMessage",
        "https://slack.com/api/chat.postMessage?channel=C0123ABCD9#x",
        "https://slack.com/api/chat.update?channel=C0123ABCD9",
        "https://slack.com:8443/api/chat.postMessage?channel=C0123ABCD9",
        "https://user@slack.com/api/chat.postMessage?channel=C0123ABCD9",
        "http://slack.com/api/chat.postMessage?channel=C0123ABCD9",
        "https://slack.com/api/chat.delete?channel=C0123ABCD9",
        "https://slack.com/api/chat.postMessage?channel=C…",
    ],
)
def test_anything_else_on_slacks_api_is_refused_with_the_shape_to_use(url: str) -> None:
    assert app_channel(url) is None
    with pytest.raises(Invalid) as refused:
        validate_url(SLACK, url, (), None)
    assert refused.value.field == "url"


def test_an_app_destination_holds_no_secret_and_an_incoming_webhook_keeps_its_own() -> None:
    assert SLACK.redact_url(SLACK_APP) == SLACK_APP
    assert SLACK.redact_url(SLACK_HOOK) == "https://hooks.slack.com/services/***"
