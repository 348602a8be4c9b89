"""What a platform (or a stored URL) throws back cannot break delivery: a NUL in an answer is
recorded, a URL the HTTP client refuses fails at once and pauses its webhook (no row left
'sending' forever). On SQLite and PostgreSQL, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from hookcast.messages.digest import render_test_message
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, Permanent, WebhookTarget
from hookcast.services.errors import Invalid
from hookcast.services.webhooks import validate_url
from tests.fixtures import load_fixture
from tests.integration.helpers import answering_server, create_project, create_webhook, settled


@pytest.fixture
async def nul_answering_bot() -> AsyncIterator[str]:
    """A 'Slack' that answers every post with HTTP 400 and a NUL inside its body."""

    async def answer(_request: web.Request) -> web.Response:
        return web.Response(status=400, body=b"invalid_payload\x00 and more")

    async with answering_server(answer) as base_url:
        yield f"{base_url}/services/T1/B1/secret"


async def test_a_nul_in_the_answer_is_recorded(client: httpx.AsyncClient, nul_answering_bot: str) -> None:
    project_id, token = await create_project(client, name="nul")
    await create_webhook(client, project_id, platform="slack", url=nul_answering_bot)
    accepted = await client.post(
        "/hooks/gitlab",
        content=load_fixture("docs/push.json"),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
    )
    assert accepted.status_code == 202
    [delivery] = await settled(client, project_id)
    assert delivery["state"] == "failed", delivery
    attempt = delivery["attempt_log"][0]
    assert "invalid_payload\ufffd and more" in json.dumps(attempt, ensure_ascii=False), attempt


async def test_a_url_the_client_refuses_fails_at_once_and_pauses(client: httpx.AsyncClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    slack = get_platform("slack")
    target = WebhookTarget("https://hooks.slack.com\\evil.example/services/T/B/x")
    request = slack.encode(render_test_message("en", "p", "Slack"), target, EncodeContext(0.0, "k"))
    sent = await runtime.courier.deliver(slack, target, request)
    assert isinstance(sent.outcome, Permanent) and sent.outcome.pause
    assert "cannot be used" in sent.outcome.reason


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com\\@evil.example/services/T/B/x",
        "https://user:pw@hooks.slack.com/services/T/B/x",
        "https://hooks.slack.com:99999/services/T/B/x",
        "https://hooks.slack.com /services/T/B/x",
    ],
)
def test_urls_the_client_cannot_use_are_refused_when_saved(url: str) -> None:
    with pytest.raises(Invalid) as refused:
        validate_url(get_platform("slack"), url, (), None)
    assert refused.value.field == "url"
