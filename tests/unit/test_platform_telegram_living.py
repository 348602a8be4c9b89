"""Telegram's side of living messages: editMessageText and reply requests, the posted message's
id read from hostile answers, which refusals mean "post anew", and edit answers classified."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hookcast.events import Tone
from hookcast.living import MessageMode
from hookcast.messages.model import Action, Message, Text
from hookcast.platforms import get_platform
from hookcast.platforms.base import Delivered, EncodeContext, HttpResponse, Permanent, WebhookTarget
from hookcast.platforms.telegram.living import message_id, method_url

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
TARGET = WebhookTarget(URL, settings={"chat_id": "-1001234567890", "message_thread_id": "42"})
MESSAGE = Message(
    title="Merge request !7 approved",
    tone=Tone.SUCCESS,
    url="https://g.example/mr/7",
    lines=((Text("opened → approved by Ann"),),),
    actions=(Action("Open", "https://g.example/mr/7"),),
)
telegram = get_platform("telegram")


def answer(status: int, body: Any) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, {"content-type": "application/json"}, raw)


def test_every_mode_is_offered_and_editing_is_the_default() -> None:
    modes = telegram.message_modes(URL)
    assert modes[0] is MessageMode.UPDATE
    assert set(modes) == set(MessageMode)


def test_a_post_is_the_plain_send_message() -> None:
    assert telegram.encode_post(MESSAGE, TARGET, CTX) == telegram.encode(MESSAGE, TARGET, CTX)


def test_an_edit_replaces_the_text_of_the_message_in_the_same_chat() -> None:
    post = json.loads(telegram.encode(MESSAGE, TARGET, CTX).body)
    request = telegram.encode_edit(MESSAGE, TARGET, CTX, "1234")
    assert request.method == "POST"
    assert request.url == f"https://api.telegram.org/bot{TOKEN}/editMessageText"
    body = json.loads(request.body)
    assert body["message_id"] == 1234 and body["chat_id"] == -1001234567890
    assert "message_thread_id" not in body  # an edit takes no topic
    # the same text, parse mode, link preview and buttons as the post
    for key in ("text", "parse_mode", "link_preview_options", "reply_markup"):
        assert body[key] == post[key], key


def test_an_edit_keeps_the_rest_of_the_url_exactly() -> None:
    assert method_url("http://127.0.0.1:8/bot1:a-b_c/sendMessage?x=%2F&y=1", "editMessageText") == (
        "http://127.0.0.1:8/bot1:a-b_c/editMessageText?x=%2F&y=1"
    )


def test_the_edit_url_is_redacted_like_the_post_url() -> None:
    edit_url = telegram.encode_edit(MESSAGE, TARGET, CTX, "1").url
    assert telegram.redact_url(edit_url) == "https://api.telegram.org/bot***/editMessageText"
    assert TOKEN in telegram.secrets_of(TARGET, edit_url)


def test_a_reply_is_the_post_replying_to_the_message_even_when_it_is_gone() -> None:
    post = json.loads(telegram.encode(MESSAGE, TARGET, CTX).body)
    request = telegram.encode_reply(MESSAGE, TARGET, CTX, "77")
    assert request.url == URL
    body = json.loads(request.body)
    assert body.pop("reply_parameters") == {"message_id": 77, "allow_sending_without_reply": True}
    assert body == post  # the topic is kept: the reply stays in it


@pytest.mark.parametrize("ref", ["", "0", "-5", "12a", "1" * 16, " 12", "١٢"])
def test_a_reference_that_is_no_message_id_names_no_message(ref: str) -> None:
    assert message_id(ref) == 0
    body = json.loads(telegram.encode_edit(MESSAGE, TARGET, CTX, ref).body)
    assert body["message_id"] == 0  # Telegram answers "message to edit not found": posted anew


def test_the_posted_message_id_is_read_from_the_answer() -> None:
    good = {"ok": True, "result": {"message_id": 4242, "date": 1, "chat": {"id": -100}, "text": "x"}}
    assert telegram.posted_ref(answer(200, good)) == "4242"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"ok": True, "result": {"message_id": "4242"}}),  # not a number
        (200, {"ok": True, "result": {"message_id": 10**20}}),  # too large to be one
        (200, {"ok": True, "result": {"message_id": -3}}),
        (200, {"ok": True, "result": {"message_id": True}}),
        (200, {"ok": True, "result": {"message_id": 4.5}}),
        (200, {"ok": True, "result": True}),  # an inline message's edit answer
        (200, {"ok": True, "result": ["x"]}),
        (200, {"ok": True}),
        (200, {"ok": False, "result": {"message_id": 5}}),
        (400, {"ok": True, "result": {"message_id": 5}}),
        (200, b"not json"),
        (200, b"[1, 2]"),
        (200, b"\xff\xfe{"),
    ],
)
def test_a_hostile_answer_names_no_message(status: int, body: Any) -> None:
    assert telegram.posted_ref(answer(status, body)) == ""


def test_a_long_answer_still_names_its_message_in_a_few_digits() -> None:
    long = {"ok": True, "result": {"message_id": 5, "text": "x" * 200_000}}
    assert telegram.posted_ref(answer(200, long)) == "5"


def bad_request(description: str) -> HttpResponse:
    return answer(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"})


@pytest.mark.parametrize(
    "description",
    [
        "message to edit not found",
        "message can't be edited",
        "MESSAGE_ID_INVALID",
        "message to be replied not found",
    ],
)
def test_a_message_out_of_reach_is_refused_so_a_new_one_is_posted(description: str) -> None:
    response = bad_request(description)
    assert telegram.edit_refused(response)
    outcome = telegram.classify(response)
    assert isinstance(outcome, Permanent) and not outcome.pause  # the chat itself is fine


@pytest.mark.parametrize(
    "response",
    [
        bad_request("chat not found"),
        bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same"
        ),
        bad_request("message is too long"),
        answer(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked"}),
        answer(500, b"message to edit not found"),
        answer(200, {"ok": True, "result": True}),
    ],
)
def test_other_answers_are_not_refusals(response: HttpResponse) -> None:
    assert not telegram.edit_refused(response)


def test_edit_answers_are_delivered() -> None:
    edited = {"ok": True, "result": {"message_id": 5, "date": 1, "edit_date": 2, "text": "x"}}
    assert telegram.classify(answer(200, edited)) == Delivered()
    assert telegram.classify(answer(200, {"ok": True, "result": True})) == Delivered()
    # nothing to change: the chat already shows this text
    unchanged = bad_request(
        "message is not modified: specified new message content and reply markup are exactly the "
        "same as a current content and reply markup of the message"
    )
    assert telegram.classify(unchanged) == Delivered()
    assert isinstance(telegram.classify(bad_request("message is too long")), Permanent)
