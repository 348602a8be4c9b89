"""Each IM app client against its fake server: a DM reaches the right user, an unknown user is
a Permanent "user not found", an expired token is refreshed and the send retried once, a rate
limit is a RetryAfter, and credentials are checked (Slack: scopes too)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from tests.fakes.im_servers import FakeImServer
from tests.fakes.platforms.dingtalk import FakeDingTalk
from tests.fakes.platforms.feishu import FakeFeishu
from tests.fakes.platforms.slack import FakeSlack
from tests.fakes.platforms.wecom import FakeWeCom

from hookcast.directmessages import build
from hookcast.events import Event, EventKind, Person, RelatedUser, Role, Tone
from hookcast.messages.render import render
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.base import Delivered, Permanent, PlatformName, RetryAfter

EVENT = Event(
    kind=EventKind.ISSUE_APPROVAL_NEEDED,
    action="approval_needed",
    tone=Tone.WARNING,
    source="workflow",
    title="Add index on orders",
    url="https://flow.example.com/issues/42",
    object_id="42",
    related_users=(RelatedUser(role=Role.APPROVER, person=Person(name="Bob", email="bob@example.com")),),
)
MESSAGE = render(EVENT, "en")
KNOWN = Person(name="Bob", email="bob@example.com", mobile="+8613800000001")
UNKNOWN = Person(name="Zed", email="zed@example.com", mobile="+8613800000009")


@dataclass
class Case:
    platform: PlatformName
    server: FakeImServer
    credentials: dict[str, str]
    user_id: str


def _slack() -> Case:
    server = FakeSlack("xoxb-test-0123456789")
    return Case(PlatformName.SLACK, server, dict(server.credentials), "U0BOB")


def _feishu() -> Case:
    server = FakeFeishu("cli_a1b2c3d4", "feishu-secret")
    return Case(PlatformName.FEISHU, server, dict(server.credentials), "ou_bob")


def _lark() -> Case:
    server = FakeFeishu("cli_e5f6a7b8", "lark-secret")
    return Case(PlatformName.LARK, server, dict(server.credentials), "ou_bob_lark")


def _dingtalk() -> Case:
    server = FakeDingTalk("dingclient", "ding-secret", "dingrobot")
    return Case(PlatformName.DINGTALK, server, dict(server.credentials), "manager4321")


def _wecom() -> Case:
    server = FakeWeCom("ww0123456789", "1000002", "wecom-secret")
    return Case(PlatformName.WECOM, server, dict(server.credentials), "BobZhang")


CASES: dict[str, Callable[[], Case]] = {
    "slack": _slack,
    "feishu": _feishu,
    "lark": _lark,
    "dingtalk": _dingtalk,
    "wecom": _wecom,
}
TOKEN_PLATFORMS = ["feishu", "lark", "dingtalk", "wecom"]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


@pytest.fixture(params=list(CASES))
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    made = CASES[request.param]()
    made.server.add_user(made.user_id, email=KNOWN.email, mobile=KNOWN.mobile)
    made.server.add_user("someone-else", email="carol@example.com", mobile="+8613800000002")
    async with made.server:
        yield made


def client(case: Case, http: aiohttp.ClientSession) -> AppClient:
    return build(case.platform, case.credentials, http, case.server.base_url)


def _text_of(body: dict[str, Any]) -> str:
    return repr(body)


async def test_a_direct_message_reaches_the_right_user(case: Case, http: aiohttp.ClientSession) -> None:
    outcome = await client(case, http).send(MESSAGE, KNOWN, idempotency_key="d-1")
    assert outcome == Delivered()
    assert [sent.user_id for sent in case.server.sent] == [case.user_id]
    assert "Add index on orders" in _text_of(case.server.sent[0].body)
    assert case.server.calls.problems == []


async def test_an_unknown_user_is_permanent_with_a_reason(case: Case, http: aiohttp.ClientSession) -> None:
    messenger = client(case, http)
    outcome = await messenger.send(MESSAGE, UNKNOWN, idempotency_key="d-2")
    assert isinstance(outcome, Permanent)
    assert outcome.reason.startswith("user not found")
    assert "zed@example.com" in outcome.reason or "+8613800000009" in outcome.reason
    assert case.server.sent == []
    lookups = case.server.calls.lookups
    again = await messenger.send(MESSAGE, UNKNOWN, idempotency_key="d-3")
    assert isinstance(again, Permanent)
    assert case.server.calls.lookups == lookups, "'not found' is cached"


async def test_lookups_are_cached(case: Case, http: aiohttp.ClientSession) -> None:
    messenger = client(case, http)
    for key in ("c-1", "c-2", "c-3"):
        assert await messenger.send(MESSAGE, KNOWN, idempotency_key=key) == Delivered()
    assert case.server.calls.lookups == 1
    assert len(case.server.sent) == 3
    assert await messenger.resolve(KNOWN) == case.user_id


@pytest.mark.parametrize("case", TOKEN_PLATFORMS, indirect=True)
async def test_an_expired_token_is_refreshed_and_the_send_retried_once(
    case: Case, http: aiohttp.ClientSession
) -> None:
    messenger = client(case, http)
    assert await messenger.send(MESSAGE, KNOWN, idempotency_key="t-1") == Delivered()
    assert case.server.calls.tokens == 1
    case.server.expire_tokens()  # mid-run: the cached token is now refused
    assert await messenger.send(MESSAGE, KNOWN, idempotency_key="t-2") == Delivered()
    assert case.server.calls.tokens == 2
    case.server.script("expired_token")  # the send itself says the token expired
    assert await messenger.send(MESSAGE, KNOWN, idempotency_key="t-3") == Delivered()
    assert case.server.calls.tokens == 3
    assert len(case.server.sent) == 3


@pytest.mark.parametrize("case", TOKEN_PLATFORMS, indirect=True)
async def test_the_token_is_reused_while_valid(case: Case, http: aiohttp.ClientSession) -> None:
    messenger = client(case, http)
    for key in ("r-1", "r-2"):
        assert await messenger.send(MESSAGE, KNOWN, idempotency_key=key) == Delivered()
    assert case.server.calls.tokens == 1


async def test_a_rate_limit_is_retry_after(case: Case, http: aiohttp.ClientSession) -> None:
    case.server.script("rate_limit")
    outcome = await client(case, http).send(MESSAGE, KNOWN, idempotency_key="l-1")
    assert isinstance(outcome, RetryAfter)
    assert outcome.throttled
    assert case.server.sent == []


async def test_a_known_user_id_skips_the_lookup(case: Case, http: aiohttp.ClientSession) -> None:
    outcome = await client(case, http).send(MESSAGE, UNKNOWN, idempotency_key="k-1", user_id=case.user_id)
    assert outcome == Delivered()
    assert case.server.calls.lookups == 0
    assert case.server.sent[0].user_id == case.user_id


async def test_credentials_are_checked(case: Case, http: aiohttp.ClientSession) -> None:
    assert await client(case, http).check() is None
    wrong = {name: value + "-wrong" for name, value in case.credentials.items()}
    problem = await build(case.platform, wrong, http, case.server.base_url).check()
    assert problem is not None


async def test_slack_checks_the_scopes(http: aiohttp.ClientSession) -> None:
    server = FakeSlack("xoxb-test-0123456789", scopes="chat:write,users:read")
    async with server:
        problem = await build(PlatformName.SLACK, dict(server.credentials), http, server.base_url).check()
    assert problem is not None
    assert "users:read.email" in problem and "im:write" in problem


async def test_feishu_sends_the_card_with_the_idempotency_key(http: aiohttp.ClientSession) -> None:
    server = FakeFeishu("cli_a1b2c3d4", "feishu-secret")
    server.add_user("ou_bob", email="bob@example.com")
    async with server:
        messenger = build(PlatformName.FEISHU, dict(server.credentials), http, server.base_url)
        assert await messenger.send(MESSAGE, KNOWN, idempotency_key="same-key") == Delivered()
        assert await messenger.send(MESSAGE, KNOWN, idempotency_key="same-key") == Delivered()
    assert len(server.sent) == 1, "the platform deduplicates on uuid"
    card = server.sent[0].body["card"]
    assert card["header"]["template"] == "orange"
    assert server.sent[0].body["uuid"] == "same-key"


async def test_dingtalk_finds_people_by_mobile_only(http: aiohttp.ClientSession) -> None:
    server = FakeDingTalk("dingclient", "ding-secret", "dingrobot")
    server.add_user("manager4321", email="bob@example.com", mobile="+8613800000001")
    async with server:
        messenger = build(PlatformName.DINGTALK, dict(server.credentials), http, server.base_url)
        outcome = await messenger.send(
            MESSAGE, Person(name="Bob", email="bob@example.com"), idempotency_key="m"
        )
    assert isinstance(outcome, Permanent)
    assert "by mobile" in outcome.reason


async def test_dingtalk_flow_control_is_retry_after(http: aiohttp.ClientSession) -> None:
    server = FakeDingTalk("dingclient", "ding-secret", "dingrobot")
    server.add_user("manager4321", mobile="+8613800000001")
    server.script("flow_control")
    async with server:
        messenger = build(PlatformName.DINGTALK, dict(server.credentials), http, server.base_url)
        outcome = await messenger.send(MESSAGE, KNOWN, idempotency_key="f")
    assert isinstance(outcome, RetryAfter)


async def test_an_unreachable_server_is_retry_after(http: aiohttp.ClientSession) -> None:
    messenger = build(
        PlatformName.WECOM, {"corp_id": "c", "agent_id": "1", "secret": "s"}, http, "http://127.0.0.1:9"
    )
    outcome = await messenger.send(MESSAGE, KNOWN, idempotency_key="n")
    assert isinstance(outcome, RetryAfter)


async def test_the_factory_builds_from_an_app_row(http: aiohttp.ClientSession) -> None:
    from cryptography.fernet import Fernet

    from hookcast.clock import utcnow
    from hookcast.crypto import SecretBox
    from hookcast.directmessages import MessengerPool, messenger_for
    from hookcast.store.directory import ImAppRow

    box = SecretBox([Fernet.generate_key()])
    server = FakeWeCom("ww0123456789", "1000002", "wecom-secret")
    server.add_user("BobZhang", email="bob@example.com")
    await server.__aenter__()
    row = ImAppRow(
        platform="wecom",
        credentials_sealed=box.seal(json.dumps(server.credentials)),
        api_base_url=server.base_url,
        enabled=True,
        updated_at=utcnow(),
    )
    assert messenger_for("discord", row, box, http) is None
    assert messenger_for("slack", row, box, http) is None, "a row of another platform"
    pool = MessengerPool(box, http)
    messenger = pool.get("wecom", row)
    assert messenger is not None and messenger.platform is PlatformName.WECOM
    assert pool.get("wecom", row) is messenger, "kept while the row is unchanged"
    try:
        assert await messenger.send(MESSAGE, KNOWN, idempotency_key="p") == Delivered()
    finally:
        await server.__aexit__(None, None, None)
    row.enabled = False
    assert pool.get("wecom", row) is None
