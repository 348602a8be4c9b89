"""Outbound connections follow the egress rule at connect time, whatever the URL looked like
when it was saved: a public-looking name that resolves to a loopback address is never connected
to (the fake platform, listening there, sees nothing), unless the name is one of the instance's
extra allowed hosts; addresses and ports written in a URL are refused before any connection. The
fakes are real HTTP servers on 127.0.0.1; only the name look-up is played, by a table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet
from tests.fakes.dns import TableResolver
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.fakes.platforms.feishu import FakeFeishu
from yarl import URL

from hookcast.crypto import SecretBox
from hookcast.delivery.app_relay import AppRelay
from hookcast.delivery.courier import Courier, Exchange
from hookcast.delivery.egress import GuardedResolver, RefusedDestination, guarded_session
from hookcast.delivery.sender import Sender
from hookcast.directmessages import MessengerPool, build
from hookcast.events import Person
from hookcast.feishubot.chat_sender import ChatSender
from hookcast.messages.digest import render_test_message
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    Permanent,
    PlatformName,
    RetryAfter,
    Unreachable,
    WebhookTarget,
)
from hookcast.platforms.egress import EgressPolicy
from hookcast.store.db import create_engine, session_factory

SLACK_HOST = "hooks.slack.com"
MESSAGE = render_test_message("en", "egress", "Slack")


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


@pytest.fixture
def bot(fake: FakePlatformServer) -> FakeBot:
    return fake.add_bot("slack")


def on_host(url: str, host: str) -> str:
    """``url`` with its host replaced (the port and the path kept)."""
    return str(URL(url).with_host(host))


async def deliver(
    url: str, policy: EgressPolicy, tmp_path: Path, resolver: TableResolver | None = None
) -> Exchange:
    """One Slack message to ``url`` through the courier, as the worker sends it."""
    slack = get_platform(PlatformName.SLACK)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")  # chat URLs only
    try:
        async with Sender(5.0, policy=policy, resolver=resolver) as sender:
            box = SecretBox([Fernet.generate_key()])
            sessions, messengers = session_factory(engine), MessengerPool(box, sender.session)
            courier = Courier(sender, ChatSender(sessions, messengers), AppRelay(sessions, messengers))
            target = WebhookTarget(url)
            return await courier.deliver(
                slack, target, slack.encode(MESSAGE, target, EncodeContext(0.0, "k"))
            )
    finally:
        await engine.dispose()


def seen(fake: FakePlatformServer, bot: FakeBot) -> int:
    return bot.requests + fake.unknown_requests


async def test_a_public_name_that_resolves_to_loopback_is_never_connected_to(
    fake: FakePlatformServer, bot: FakeBot, tmp_path: Path
) -> None:
    url = on_host(bot.url, SLACK_HOST)
    resolver = TableResolver({SLACK_HOST: ["127.0.0.1"]})
    # The fake's port is allowed here, so that only the address rule stands in the way.
    sent = await deliver(url, EgressPolicy(ports=frozenset({fake.port})), tmp_path, resolver)
    assert isinstance(sent.outcome, Unreachable), sent.outcome
    assert "hooks.slack.com resolves to a loopback address 127.0.0.1" in sent.outcome.reason
    assert resolver.asked == [SLACK_HOST]
    assert seen(fake, bot) == 0


async def test_the_same_name_on_the_extra_allowed_hosts_is_delivered(
    fake: FakePlatformServer, bot: FakeBot, tmp_path: Path
) -> None:
    url = on_host(bot.url, SLACK_HOST)
    resolver = TableResolver({SLACK_HOST: ["127.0.0.1"]})
    sent = await deliver(url, EgressPolicy(extra_hosts=("*.slack.com",)), tmp_path, resolver)
    assert sent.outcome == Delivered(), sent
    assert len(bot.received) == 1


async def test_only_the_allowed_answers_of_a_name_are_used() -> None:
    guarded = GuardedResolver(
        EgressPolicy(), TableResolver({SLACK_HOST: ["10.1.2.3", "192.0.2.9", "8.8.8.8"]})
    )
    assert [answer["host"] for answer in await guarded.resolve(SLACK_HOST, 443)] == ["8.8.8.8"]
    nothing_public = GuardedResolver(EgressPolicy(), TableResolver({SLACK_HOST: ["10.1.2.3", "::1"]}))
    with pytest.raises(RefusedDestination, match=r"resolves to a private address 10\.1\.2\.3") as refused:
        await nothing_public.resolve(SLACK_HOST, 443)
    assert not refused.value.lasting


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("169.254.169.254", "link-local"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("127.0.0.1", "loopback"),
        ("[64:ff9b::7f00:1]", "loopback"),
        ("100.64.0.1", "shared"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address refused, not bound
    ],
)
async def test_a_private_address_in_the_url_fails_at_once_and_pauses(
    fake: FakePlatformServer, bot: FakeBot, tmp_path: Path, host: str, kind: str
) -> None:
    url = on_host(bot.url, host.strip("[]"))
    sent = await deliver(url, EgressPolicy(ports=frozenset({fake.port})), tmp_path)
    assert isinstance(sent.outcome, Permanent) and sent.outcome.pause, sent.outcome
    assert f"{kind} address" in sent.outcome.reason
    assert seen(fake, bot) == 0


async def test_a_port_other_than_https_is_refused_off_the_extra_hosts(
    fake: FakePlatformServer, bot: FakeBot, tmp_path: Path
) -> None:
    resolver = TableResolver({SLACK_HOST: ["127.0.0.1"]})
    sent = await deliver(on_host(bot.url, SLACK_HOST), EgressPolicy(), tmp_path, resolver)
    assert isinstance(sent.outcome, Permanent) and sent.outcome.pause, sent.outcome
    assert f"port {fake.port} is not allowed for hooks.slack.com" in sent.outcome.reason
    assert resolver.asked == [] and seen(fake, bot) == 0


async def test_the_im_app_clients_follow_the_same_rule() -> None:
    """An IM app whose API host resolves to a loopback address gets no credentials; the same
    host on the extra allowed hosts does."""
    server = FakeFeishu("cli_guard", "guard-secret")
    server.add_user("ou_bob", email="bob@example.com")
    resolver = TableResolver({"open.feishu.cn": ["127.0.0.1"]})
    timeout = aiohttp.ClientTimeout(total=5)
    async with server:
        base_url = f"http://open.feishu.cn:{server.port}"
        refusing = EgressPolicy(ports=frozenset({server.port}))
        async with guarded_session(refusing, timeout=timeout, resolver=resolver) as http:
            app = build(PlatformName.FEISHU, server.credentials, http, base_url)
            outcome = await app.send(MESSAGE, Person(email="bob@example.com"), idempotency_key="g-1")
            assert isinstance(outcome, RetryAfter), outcome
            assert "open.feishu.cn resolves to a loopback address 127.0.0.1" in outcome.reason
            assert await app.check() is not None
        assert server.calls.tokens == 0 and server.sent == []
        allowing = EgressPolicy(extra_hosts=("open.feishu.cn",))
        async with guarded_session(allowing, timeout=timeout, resolver=resolver) as http:
            app = build(PlatformName.FEISHU, server.credentials, http, base_url)
            outcome = await app.send(MESSAGE, Person(email="bob@example.com"), idempotency_key="g-2")
        assert outcome == Delivered(), outcome
        assert len(server.sent) == 1
