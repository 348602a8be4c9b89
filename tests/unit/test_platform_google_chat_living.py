"""Google Chat's side of living messages: an incoming webhook threads by a key of hookcast's
choosing and cannot edit; the posted message's name read from hostile answers; the key and
token of the URL still redacted once the reply option is added."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hookcast.events import Tone
from hookcast.living import MessageMode
from hookcast.messages.model import Message
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, HttpResponse, WebhookTarget
from hookcast.platforms.google_chat import THREAD_KEY_CHARS, bounded_thread_key

# a query value that is already percent-encoded must reach Google exactly as pasted
URL = "https://chat.googleapis.com/v1/spaces/AAAAbCdE/messages?key=AIzaKEY&token=SECRET%3Dtoken"
REPLY = "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
KEY = "merge_request:group/project:42"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
THREADED = EncodeContext(now=1_700_000_000.0, idempotency_key="k", thread_key=KEY)
MESSAGE = Message(title="Merge request !42 opened", tone=Tone.NEUTRAL, url="https://g.example/mr/42")
TARGET = WebhookTarget(URL)
google_chat = get_platform("google_chat")


def answer(status: int, body: Any) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, {"content-type": "application/json"}, raw)


def test_threads_and_follow_ups_are_offered_and_every_event_stays_the_default() -> None:
    modes = google_chat.message_modes(URL)
    assert modes[0] is MessageMode.EVERY_EVENT  # existing webhooks do not change
    assert set(modes) == {MessageMode.EVERY_EVENT, MessageMode.THREAD, MessageMode.FOLLOW_UP}
    assert MessageMode.UPDATE not in modes  # a webhook cannot edit


def test_a_post_without_an_object_thread_is_the_plain_post() -> None:
    assert google_chat.encode_post(MESSAGE, TARGET, CTX) == google_chat.encode(MESSAGE, TARGET, CTX)
    assert google_chat.encode_post(MESSAGE, TARGET, CTX).url == URL
    assert "thread" not in json.loads(google_chat.encode_post(MESSAGE, TARGET, CTX).body)


def test_a_post_for_an_object_starts_the_objects_thread() -> None:
    request = google_chat.encode_post(MESSAGE, TARGET, THREADED)
    assert request.url == f"{URL}&{REPLY}"  # the pasted query kept byte for byte
    body = json.loads(request.body)
    assert body["thread"] == {"threadKey": KEY}
    plain = json.loads(google_chat.encode(MESSAGE, TARGET, CTX).body)
    assert {k: v for k, v in body.items() if k != "thread"} == plain


def test_a_reply_goes_to_the_objects_thread_by_its_key() -> None:
    reply = google_chat.encode_reply(MESSAGE, TARGET, THREADED, "spaces/AAAAbCdE/messages/x.x")
    assert reply == google_chat.encode_post(MESSAGE, TARGET, THREADED)


def test_the_objects_thread_wins_over_the_webhooks_fixed_thread() -> None:
    fixed = WebhookTarget(URL, settings={"thread_key": "deploys"})
    assert json.loads(google_chat.encode_post(MESSAGE, fixed, THREADED).body)["thread"] == {"threadKey": KEY}
    assert json.loads(google_chat.encode_post(MESSAGE, fixed, CTX).body)["thread"] == {"threadKey": "deploys"}


def test_a_reply_option_in_the_pasted_url_is_not_repeated() -> None:
    chosen = URL + "&messageReplyOption=REPLY_MESSAGE_OR_FAIL"
    assert google_chat.encode_post(MESSAGE, WebhookTarget(chosen), THREADED).url == chosen


def test_the_key_and_token_stay_secret_with_the_reply_option() -> None:
    sent = google_chat.encode_post(MESSAGE, TARGET, THREADED).url
    assert google_chat.redact_url(sent) == (
        f"https://chat.googleapis.com/v1/spaces/AAAAbCdE/messages?key=***&token=***&{REPLY}"
    )
    secrets = google_chat.secrets_of(TARGET, sent)
    assert "AIzaKEY" in secrets and "SECRET%3Dtoken" in secrets


def test_a_thread_key_too_long_for_google_becomes_a_stable_digest() -> None:
    assert bounded_thread_key(KEY) == KEY
    long = "k" * (THREAD_KEY_CHARS + 1)
    digest = bounded_thread_key(long)
    assert digest == bounded_thread_key(long) and len(digest) <= THREAD_KEY_CHARS and digest != long
    assert digest != bounded_thread_key(long + "x")


def test_the_posted_message_name_is_read_from_the_answer() -> None:
    good = {
        "name": "spaces/AAAAbCdE/messages/BBBB.BBBB",
        "thread": {"name": "spaces/AAAAbCdE/threads/BBBB"},
    }
    assert google_chat.posted_ref(answer(200, good)) == "spaces/AAAAbCdE/messages/BBBB.BBBB"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"name": "spaces/A/messages/" + "x" * 5000}),  # far too long to keep
        (200, {"name": "spaces/A/threads/T"}),
        (200, {"name": "https://evil.example/spaces/A/messages/B"}),
        (200, {"name": "spaces/A/messages/B\nInjected: 1"}),
        (200, {"name": "spaces/A/messages/../../x"}),
        (200, {"name": 42}),
        (200, {"thread": {"name": "spaces/A/threads/T"}}),
        (200, b""),
        (200, b"not json"),
        (404, {"name": "spaces/A/messages/B"}),
    ],
)
def test_a_hostile_answer_names_no_message(status: int, body: Any) -> None:
    assert google_chat.posted_ref(answer(status, body)) == ""


def test_a_webhook_never_refuses_a_reply_and_cannot_edit() -> None:
    gone = answer(404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "not found"}})
    assert not google_chat.edit_refused(gone)
    with pytest.raises(NotImplementedError):
        google_chat.encode_edit(MESSAGE, TARGET, THREADED, "spaces/A/messages/B")
