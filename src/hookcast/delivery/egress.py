"""Every outbound HTTP session hookcast opens, built here with the egress rule on it
(`platforms/egress.py`): group webhooks, test messages, the IM app clients (direct messages,
the assistant bot, checking an app's credentials before it is saved).

The rule is applied where it cannot be dodged: to the addresses the connector is about to use.
A name goes through `GuardedResolver`, which drops every DNS answer the rule refuses (so a
name that resolves to 127.0.0.1 now, or after a rebinding, is never connected to); aiohttp
does not resolve an address written in the URL, so `refuse_by_url` checks those (and the
port) before the request starts. Redirects are never followed by hookcast's callers.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from hookcast.platforms import PLATFORMS
from hookcast.platforms.egress import HTTPS_PORT, EgressPolicy

JUDGED_KEPT = 4096  # hosts and ports whose verdict a session keeps


class RefusedDestination(aiohttp.ClientConnectionError):
    """hookcast will not connect there. ``lasting`` when the URL itself is refused (an address
    or a port written in it), not the answer DNS gave this time."""

    def __init__(self, reason: str, *, lasting: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.lasting = lasting

    def __str__(self) -> str:
        return self.reason


class GuardedResolver(AbstractResolver):
    """Resolves with ``base`` (the system's resolver, getaddrinfo in a thread, unless given:
    tests give one that answers from a table, never from the network) and keeps only the
    answers the policy allows; none left is a `RefusedDestination` naming the first refused."""

    def __init__(self, policy: EgressPolicy, base: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._base = base if base is not None else ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._base.resolve(host, port, family)
        refusals = [self._policy.address_refusal(host, answer["host"]) for answer in answers]
        allowed = [answer for answer, refusal in zip(answers, refusals, strict=True) if refusal is None]
        if not allowed:
            reason = next((refusal for refusal in refusals if refusal), f"{host} has no address")
            raise RefusedDestination(reason, lasting=False)
        return allowed

    async def close(self) -> None:
        await self._base.close()


def refuse_by_url(policy: EgressPolicy) -> aiohttp.ClientMiddlewareType:
    """A client middleware refusing what the URL alone shows (an address, a port) before the
    connector is asked for a connection."""

    # The rule is fixed for the session's life and a bot's every send names the same host: each
    # (host, port) is judged once (the patterns, the address parsing), at most JUDGED_KEPT kept.
    judged: dict[tuple[str, int | None], str | None] = {}

    async def middleware(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        key = (request.url.raw_host or "", request.url.port)
        if key in judged:
            refusal = judged[key]
        else:
            if len(judged) >= JUDGED_KEPT:
                judged.clear()
            refusal = judged[key] = policy.url_refusal(*key)
        if refusal is not None:
            raise RefusedDestination(refusal, lasting=True)
        return await handler(request)

    return middleware


def instance_policy(extra_hosts: Sequence[str]) -> EgressPolicy:
    """The instance's rule: its extra allowed hosts, and the ports the platforms' URLs may name
    (443; Mattermost's 8065 too). Which port a URL of one platform may name is checked when it
    is saved (`Platform.ports`)."""
    ports = frozenset({HTTPS_PORT}).union(*(platform.ports for platform in PLATFORMS.values()))
    return EgressPolicy(tuple(extra_hosts), ports)


def guarded_session(
    policy: EgressPolicy,
    *,
    timeout: aiohttp.ClientTimeout,
    max_connections: int = 100,
    resolver: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """A session whose every connection follows ``policy``; ``resolver`` is the one names are
    looked up with before the policy judges the answers (the system's by default)."""
    connector = aiohttp.TCPConnector(
        limit=max_connections, ttl_dns_cache=300, resolver=GuardedResolver(policy, resolver)
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        headers={"User-Agent": "hookcast"},
        middlewares=(refuse_by_url(policy),),
        # No cookies kept: a platform's answer must not change what the next message (to another
        # bot on the same host, say) carries, and every API hookcast calls authenticates with
        # tokens. It also spares each request and answer a pass over the jar.
        cookie_jar=aiohttp.DummyCookieJar(),
    )


CHECK_TIMEOUT = aiohttp.ClientTimeout(total=10)


def checking_session(extra_hosts: Sequence[str]) -> aiohttp.ClientSession:
    """A short-lived session for checking an IM app's credentials before they are saved (UI, API,
    CLI), under the instance's rule and a timeout a person waiting for the answer can bear."""
    return guarded_session(instance_policy(extra_hosts), timeout=CHECK_TIMEOUT)
