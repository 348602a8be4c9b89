"""No secret part of a webhook URL (path token, query token or signature, in any encoding) nor a
signing secret reaches a delivery record, even from an endpoint that echoes everything it was
sent. Every registered platform (and its older URL kind) is posted to a real echoing server on
127.0.0.1 through the courier, as the worker posts; a new platform is covered by its fake."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from tests.fakes.platforms import FAKES
from tests.golden.cases import SIGNED

from hookcast.crypto import SecretBox
from hookcast.delivery.app_relay import AppRelay
from hookcast.delivery.courier import Courier, Exchange
from hookcast.delivery.egress import guarded_session, instance_policy
from hookcast.delivery.sender import Sender
from hookcast.directmessages import MESSENGERS, MessengerPool, build
from hookcast.events import Person
from hookcast.feishubot.chat_sender import ChatSender
from hookcast.messages.digest import render_test_message
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import Delivered, EncodeContext, PlatformName, WebhookTarget
from hookcast.store.db import create_engine, session_factory

# Tokens and signatures with characters a URL carries percent-encoded: the echo decodes them.
TOKEN = "5ec12e7a0b9c4d1f%2Bq%3D"
URL_SECRET = quote("s1g+n/at=ure", safe="")
SIGNING_SECRET = "SECsigning-secret-0123"
CASES = [(name, False) for name in PLATFORMS] + [
    (name, True) for name, fake in FAKES.items() if fake.has_legacy
]


async def echo(request: web.Request) -> web.Response:
    """Everything about the request, thrown back in every field an error answer might use."""
    said = " | ".join(
        [
            request.raw_path,
            unquote(request.raw_path),
            str(request.url),
            *request.query.values(),
            *request.match_info["tail"].split("/"),
            (await request.read()).decode("utf-8", "replace"),
        ]
    )
    answer = {"ok": False, "code": 9499, "msg": said, "errcode": 9499, "errmsg": said}
    answer |= {"description": said, "error": {"code": 400, "message": said, "status": said}}
    return web.json_response(answer, status=400, headers={"X-Echo": quote(said)})


@pytest.fixture
async def echo_url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def forms(secret: str) -> set[str]:
    """A secret as it may come back: as sent, decoded, encoded again."""
    decoded = unquote(secret)
    return {secret, decoded, unquote_plus(secret), quote(decoded, safe=""), quote(decoded)}


MESSAGE = render_test_message("en", "scrub", "hookcast")


async def post_once(platform: PlatformName, target: WebhookTarget, tmp_path: Path) -> Exchange:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")  # chat URLs only
    try:
        async with Sender(5.0, policy=instance_policy(("127.0.0.1",))) as sender:
            messengers = MessengerPool(SecretBox([Fernet.generate_key()]), sender.session)
            sessions = session_factory(engine)
            courier = Courier(sender, ChatSender(sessions, messengers), AppRelay(sessions, messengers))
            declared = PLATFORMS[platform]
            message = render_test_message("en", "scrub", declared.label)
            request = declared.encode(message, target, EncodeContext(1_700_000_000.0, "k"))
            return await courier.deliver(declared, target, request)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("platform", "legacy"), CASES, ids=[f"{name.value}{'-legacy' * old}" for name, old in CASES]
)
async def test_an_echoing_endpoint_gets_no_secret_into_the_record(
    echo_url: str, platform: PlatformName, legacy: bool, tmp_path: Path
) -> None:
    fake = FAKES[platform]
    url_secret = URL_SECRET if fake.secret_in_url and not legacy else None
    url = echo_url + fake.bot_path(TOKEN, url_secret, legacy)
    signing = SIGNING_SECRET if platform in SIGNED else None
    target = WebhookTarget(url, secret=signing, settings=fake.settings_of(TOKEN.split("%")[0]))
    sent = await post_once(platform, target, tmp_path)
    assert sent.response is not None and sent.response.status == 400, sent  # the echo answered
    assert " | " in sent.answer, sent.answer  # ... with its echo
    record = json.dumps(
        {"answer": sent.answer, "error": sent.error, "url": sent.request_url, "body": sent.request_body},
        ensure_ascii=False,
    )
    # A URL signed with a signature has that as its secret (Teams' workflow id is no secret); in
    # every other URL the token is.
    secrets = forms(url_secret) if url_secret else forms(TOKEN)
    secrets |= {signing} if signing else set()
    leaked = sorted(secret for secret in secrets if secret in record)
    assert leaked == [], record


@pytest.mark.parametrize("platform", list(MESSENGERS))
async def test_an_echoing_im_app_api_gets_no_credential_into_a_reason(
    echo_url: str, platform: PlatformName
) -> None:
    """Every IM app client, its API answering every call with an echo of it: the reasons of its
    outcomes and of its credential check carry none of its secret credentials."""
    specs = MESSENGERS[platform].credentials
    credentials = {spec.name: f"{spec.name}-{'s3cret%2Bv%3D' if spec.secret else 'id'}" for spec in specs}
    secret_forms = set().union(*(forms(credentials[spec.name]) for spec in specs if spec.secret))
    async with guarded_session(instance_policy(("127.0.0.1",)), timeout=aiohttp.ClientTimeout(5)) as http:
        app = build(platform, credentials, http, echo_url)
        outcome = await app.send(MESSAGE, Person(email="bob@example.com"), idempotency_key="e-1")
        found = await app.send(MESSAGE, Person(email="bob@example.com"), idempotency_key="e-2", user_id="u1")
        problem = await app.check()
    said = " ".join([getattr(outcome, "reason", ""), getattr(found, "reason", ""), problem or ""])
    assert problem is not None and not isinstance(outcome, Delivered), said
    assert sorted(form for form in secret_forms if form in said) == [], said
