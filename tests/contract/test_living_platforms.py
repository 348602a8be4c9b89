"""Living messages against the fake platform servers: Telegram's posts, edits and replies, and
Google Chat's object threads, encoded by the platforms and accepted (or refused) by the fakes
the way the real APIs answer."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from tests.fakes import FakeBot, FakePlatformServer
from tests.fakes.platforms.telegram import forbid_edits
from yarl import URL

from hookcast.events import Tone
from hookcast.messages.model import Action, Message, Text
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpRequest,
    HttpResponse,
    Permanent,
    PlatformName,
    WebhookTarget,
)

FIRST = Message(
    title="Merge request !42 opened",
    tone=Tone.NEUTRAL,
    url="https://gitlab.example/p/-/merge_requests/42",
    lines=((Text("opened by Ann"),),),
    actions=(Action("View", "https://gitlab.example/p/-/merge_requests/42"),),
)
LATER = Message(
    title="Merge request !42 merged",
    tone=Tone.SUCCESS,
    url="https://gitlab.example/p/-/merge_requests/42",
    lines=((Text("opened by Ann → approved by Bob → merged by Ann"),),),
    actions=(Action("View", "https://gitlab.example/p/-/merge_requests/42"),),
)
telegram = PLATFORMS[PlatformName.TELEGRAM]
google_chat = PLATFORMS[PlatformName.GOOGLE_CHAT]


@pytest.fixture
async def server() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def ctx(thread_key: str | None = None) -> EncodeContext:
    return EncodeContext(now=time.time(), idempotency_key="k", thread_key=thread_key)


def add(server: FakePlatformServer, platform: PlatformName) -> FakeBot:
    """A bot taking many requests in a row (the rate limits are tested elsewhere)."""
    bot = server.add_bot(platform)
    bot.enforce_limits = False
    return bot


def target(bot: FakeBot) -> WebhookTarget:
    return WebhookTarget(bot.url, settings=bot.settings)


async def send(http: aiohttp.ClientSession, request: HttpRequest) -> HttpResponse:
    url = URL(request.url, encoded=True)
    async with http.request(request.method, url, data=request.body, headers=request.headers) as answer:
        headers = {name.lower(): value for name, value in answer.headers.items()}
        return HttpResponse(answer.status, headers, await answer.read())


# --- Telegram -------------------------------------------------------------------------------


async def test_telegram_edits_the_message_it_posted(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = add(server, PlatformName.TELEGRAM)
    posted = await send(http, telegram.encode_post(FIRST, target(bot), ctx()))
    assert telegram.classify(posted) == Delivered()
    ref = telegram.posted_ref(posted)
    assert ref == "1"
    second = telegram.posted_ref(await send(http, telegram.encode_post(FIRST, target(bot), ctx())))
    assert second == "2"  # ids increase per chat

    edited = await send(http, telegram.encode_edit(LATER, target(bot), ctx(), ref))
    assert telegram.classify(edited) == Delivered() and not telegram.edit_refused(edited)
    assert json.loads(edited.body)["result"]["message_id"] == 1
    kept = bot.state["chats"][bot.settings["chat_id"]]
    assert "merged" in kept[1]["text"] and "opened" in kept[2]["text"] and "merged" not in kept[2]["text"]
    assert bot.stats()["counts"] == {"posts": 2, "edits": 1}
    assert server.stats()["bots"][0]["counts"] == {"posts": 2, "edits": 1}

    # the same edit again changes nothing: Telegram refuses it, hookcast counts it delivered
    again = await send(http, telegram.encode_edit(LATER, target(bot), ctx(), ref))
    assert again.status == 400 and "not modified" in json.loads(again.body)["description"]
    assert telegram.classify(again) == Delivered() and not telegram.edit_refused(again)
    assert bot.counts["edits"] == 1


async def test_telegram_refuses_edits_of_messages_out_of_reach(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = add(server, PlatformName.TELEGRAM)
    ref = telegram.posted_ref(await send(http, telegram.encode_post(FIRST, target(bot), ctx())))
    for unknown in ("99", "", "not-a-number"):
        missing = await send(http, telegram.encode_edit(LATER, target(bot), ctx(), unknown))
        assert missing.status == 400 and telegram.edit_refused(missing), unknown
        assert "message to edit not found" in json.loads(missing.body)["description"]
    forbid_edits(bot, bot.settings["chat_id"], int(ref))
    frozen = await send(http, telegram.encode_edit(LATER, target(bot), ctx(), ref))
    assert telegram.edit_refused(frozen) and "can't be edited" in json.loads(frozen.body)["description"]
    outcome = telegram.classify(frozen)
    assert isinstance(outcome, Permanent) and not outcome.pause
    assert bot.counts["edits"] == 0 and len(bot.rejections) == 4


async def test_telegram_checks_an_edit_like_a_post(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    """The fake checks an edit's text, chat and message id as Telegram does: a request hookcast
    could get wrong is refused, not silently accepted."""
    bot = add(server, PlatformName.TELEGRAM)
    ref = telegram.posted_ref(await send(http, telegram.encode_post(FIRST, target(bot), ctx())))
    good = telegram.encode_edit(LATER, target(bot), ctx(), ref)
    body = json.loads(good.body)
    cases = {
        "message identifier is not specified": {k: v for k, v in body.items() if k != "message_id"},
        "message is too long": body | {"text": "x" * 4097},
        "can't parse entities": body | {"text": "<b>open"},
        "chat_id is empty": {k: v for k, v in body.items() if k != "chat_id"},
    }
    for description, bad in cases.items():
        answer = await send(http, HttpRequest("POST", good.url, good.headers, json.dumps(bad).encode()))
        assert answer.status == 400 and description in json.loads(answer.body)["description"], description
        assert not telegram.edit_refused(answer)
    assert len(body["text"]) <= 4096 and bot.counts["edits"] == 0


async def test_telegram_replies_to_the_message_it_posted(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = add(server, PlatformName.TELEGRAM)
    ref = telegram.posted_ref(await send(http, telegram.encode_post(FIRST, target(bot), ctx())))
    replied = await send(http, telegram.encode_reply(LATER, target(bot), ctx(), ref))
    assert telegram.classify(replied) == Delivered()
    result = json.loads(replied.body)["result"]
    assert result["reply_to_message"] == {"message_id": int(ref)} and result["message_id"] == 2
    # the first message is gone: the reply is posted anyway (allow_sending_without_reply)
    orphan = await send(http, telegram.encode_reply(LATER, target(bot), ctx(), "12345"))
    assert (
        telegram.classify(orphan) == Delivered()
        and "reply_to_message" not in json.loads(orphan.body)["result"]
    )
    assert bot.counts == {"posts": 3, "replies": 2}
    # without that flag, Telegram refuses a reply to a missing message
    strict = json.loads(telegram.encode_reply(LATER, target(bot), ctx(), "12345").body)
    strict["reply_parameters"]["allow_sending_without_reply"] = False
    request = telegram.encode_reply(LATER, target(bot), ctx(), "12345")
    answer = await send(http, HttpRequest("POST", request.url, request.headers, json.dumps(strict).encode()))
    assert answer.status == 400 and telegram.edit_refused(answer)


# --- Google Chat ----------------------------------------------------------------------------


async def test_google_chat_threads_an_objects_messages_by_its_key(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = add(server, PlatformName.GOOGLE_CHAT)
    key = "merge_request:group/project:42"
    first = await send(http, google_chat.encode_post(FIRST, target(bot), ctx(key)))
    assert google_chat.classify(first) == Delivered()
    ref = google_chat.posted_ref(first)
    assert ref.startswith("spaces/") and "/messages/" in ref
    thread = json.loads(first.body)["thread"]["name"]

    reply = await send(http, google_chat.encode_reply(LATER, target(bot), ctx(key), ref))
    assert google_chat.classify(reply) == Delivered() and not google_chat.edit_refused(reply)
    assert json.loads(reply.body)["thread"]["name"] == thread
    assert google_chat.posted_ref(reply) not in ("", ref)

    other = await send(
        http, google_chat.encode_post(FIRST, target(bot), ctx("merge_request:group/project:43"))
    )
    assert json.loads(other.body)["thread"]["name"] != thread
    assert bot.stats()["counts"] == {"posts": 3, "threads": 2, "replies": 1}


async def test_google_chat_plain_posts_start_a_thread_each(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = add(server, PlatformName.GOOGLE_CHAT)
    names = set()
    for _ in range(2):
        answer = await send(http, google_chat.encode_post(FIRST, target(bot), ctx()))
        assert google_chat.classify(answer) == Delivered()
        names.add(json.loads(answer.body)["thread"]["name"])
    assert len(names) == 2 and bot.counts == {"posts": 2, "threads": 2}
    assert all("thread" not in body for _, body in bot.received)


async def test_google_chat_without_the_reply_option_ignores_the_key(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    """What the fake plays from Google's documentation: without messageReplyOption a key does
    not thread, so the option hookcast adds is what makes threads work."""
    bot = add(server, PlatformName.GOOGLE_CHAT)
    request = google_chat.encode_post(FIRST, target(bot), ctx("k"))
    bare = HttpRequest("POST", bot.url, request.headers, request.body)
    threads = {json.loads((await send(http, bare)).body)["thread"]["name"] for _ in range(2)}
    assert len(threads) == 2
    wrong = HttpRequest("POST", bot.url + "&messageReplyOption=SOMETIMES", request.headers, request.body)
    answer = await send(http, wrong)
    assert answer.status == 400 and isinstance(google_chat.classify(answer), Permanent)
