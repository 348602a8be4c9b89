"""One encoded request out, one classified answer back: the single place that sends a message
to a group, whether for a queued delivery (the worker) or for "Send test message" (API, UI, CLI).

A webhook URL handed out by the Feishu / Lark assistant bot is posted through the app into its
chat (`ChatSender`); a URL that is an address of the platform's Web API (a Slack app
destination) is sent through the instance's IM app (`AppRelay`); every other URL is posted to as
it is. Answers, errors, outcomes and the recorded request
come back with the destination's secrets scrubbed (its URL, each secret part of it in any
encoding, `Platform.secrets_of`, and its secret settings), ready to be shown or stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import aiohttp

from hookcast.delivery.app_relay import AppRelay
from hookcast.delivery.sender import Sender, SendError, UnsendableUrl
from hookcast.feishubot.chat_sender import ChatSender
from hookcast.platforms.base import (
    Delivered,
    HttpRequest,
    HttpResponse,
    Outcome,
    Permanent,
    Platform,
    Unreachable,
    WebhookTarget,
)
from hookcast.platforms.url_secrets import Scrubber

EXCERPT_CHARS = 1000
REDACTIONS_KEPT = 4096  # destinations (and signed URLs) whose scrubbers are kept at hand


def excerpt(body: bytes) -> str:
    return body[:EXCERPT_CHARS].decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class Exchange:
    """What happened to one request: the outcome, the platform's answer (when there was one) and
    what may be shown of it all."""

    outcome: Outcome
    response: HttpResponse | None
    answer: str
    error: str | None  # why it did not land: the network error, or the outcome's reason
    duration: float
    request_url: str
    request_body: str

    @property
    def status_code(self) -> int | None:
        return self.response.status if self.response is not None else None


class Courier:
    def __init__(self, sender: Sender, chats: ChatSender, apps: AppRelay) -> None:
        self._sender = sender
        self._chats = chats
        self._apps = apps
        self._redactions: dict[tuple[object, ...], tuple[Scrubber, str]] = {}

    @property
    def http(self) -> aiohttp.ClientSession:
        """The shared connection pool (the IM app clients use it too)."""
        return self._sender.session

    def _redaction(self, platform: Platform, target: WebhookTarget, sent_url: str) -> tuple[Scrubber, str]:
        """The destination's scrubber and the sent URL as it may be shown: worked out once per
        destination and URL (every send of a bot's queue needs the same; most platforms post to
        the same URL each time), not once per send."""
        key = (platform.name, target.url, sent_url, target.secret, tuple(sorted(target.settings.items())))
        found = self._redactions.get(key)
        if found is None:
            if len(self._redactions) >= REDACTIONS_KEPT:
                self._redactions.clear()  # signed URLs differ per send: keep the memory bounded
            # A URL with no secret part (a Slack app destination names a channel) is shown as it is.
            urls = {url for url in (target.url, sent_url) if platform.redact_url(url) != url}
            scrub = Scrubber(platform.secrets_of(target, sent_url), verbatim=urls)
            found = self._redactions[key] = (scrub, scrub(platform.redact_url(sent_url)))
        return found

    async def deliver(self, platform: Platform, target: WebhookTarget, request: HttpRequest) -> Exchange:
        scrub, shown_url = self._redaction(platform, target, request.url)
        clock = time.perf_counter()
        response: HttpResponse | None = None
        network_error: str | None = None
        outcome: Outcome
        try:
            if platform.relayed(request.url):
                relay = self._chats if self._chats.serves(platform.name) else self._apps
                response, outcome = await relay.send(request, platform.name)
            else:
                response = await self._sender.send(request)
                outcome = platform.classify(response)
        except SendError as exc:
            network_error = scrub(str(exc))
            outcome = Unreachable(reason=network_error)
        except UnsendableUrl as exc:
            # The stored URL can never be sent to: fail now and pause the webhook, instead of a
            # row left 'sending' forever.
            outcome = Permanent(f"the webhook URL cannot be used: {exc}", pause=True)
        if not isinstance(outcome, Delivered):  # its reason is stored, shown and logged
            outcome = replace(outcome, reason=scrub(outcome.reason))
        return Exchange(
            outcome=outcome,
            response=response,
            answer=scrub(excerpt(response.body)) if response is not None else "",
            error=None if isinstance(outcome, Delivered) else network_error or outcome.reason,
            duration=time.perf_counter() - clock,
            request_url=shown_url,
            request_body=scrub(request.body.decode("utf-8", "replace")),
        )
