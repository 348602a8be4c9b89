"""hookcast keeps no cookies between sends: a platform (or anything posing as one) that answers
with ``Set-Cookie`` does not change what the next message carries, whichever bot it goes to.
A real HTTP server on 127.0.0.1 plays the platform under a name (cookies are kept for names,
not for addresses); only the name look-up is played, by a table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from tests.fakes.dns import TableResolver
from tests.integration.helpers import answering_server
from yarl import URL

from hookcast.delivery.sender import Sender
from hookcast.platforms.base import HttpRequest
from hookcast.platforms.egress import EgressPolicy

HOST = "hooks.platform.example"


@pytest.fixture
async def cookie_setter() -> AsyncIterator[tuple[str, list[str | None]]]:
    """A server that sets a cookie on every answer and records the Cookie header it is sent."""
    seen: list[str | None] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Cookie"))
        response = web.json_response({"code": 0})
        response.set_cookie("session", "from-the-platform", path="/")
        return response

    async with answering_server(answer) as base:
        yield str(URL(base).with_host(HOST)), seen


async def test_a_cookie_set_by_one_answer_is_never_sent_back(
    cookie_setter: tuple[str, list[str | None]],
) -> None:
    base, seen = cookie_setter
    policy = EgressPolicy(extra_hosts=(HOST,))
    async with Sender(5.0, policy=policy, resolver=TableResolver({HOST: ["127.0.0.1"]})) as sender:
        for bot in ("bot-a", "bot-a", "bot-b"):
            answer = await sender.send(HttpRequest("POST", f"{base}/{bot}", {}, b"{}"))
            assert answer.status == 200
            assert "session=from-the-platform" in answer.headers["set-cookie"]
    assert seen == [None, None, None]
