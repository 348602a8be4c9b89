"""The HTTP edge of delivery: send one encoded request, get the answer or a network error."""

from __future__ import annotations

import asyncio
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from hookcast.delivery.egress import RefusedDestination, guarded_session
from hookcast.platforms.base import HttpRequest, HttpResponse
from hookcast.platforms.egress import EgressPolicy

MAX_ANSWER_BYTES = 64 * 1024


class SendError(Exception):
    """The request did not get an answer (connection refused, reset, timeout...)."""


class UnsendableUrl(Exception):
    """The HTTP client refuses the URL itself (a backslash in the host, a port out of range), or
    the egress rule does (a private address or a port written in it): no retry can help."""


class Sender:
    """The one connection pool for everything hookcast sends out, built with the instance's
    egress rule (``policy``: no extra allowed hosts unless given; see `delivery/egress.py`);
    ``resolver`` replaces the system's DNS (tests)."""

    def __init__(
        self,
        timeout: float,
        max_connections: int = 256,
        *,
        policy: EgressPolicy | None = None,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_connections = max_connections
        self._policy = policy if policy is not None else EgressPolicy()
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Sender:
        self._session = guarded_session(
            self._policy,
            timeout=self._timeout,
            max_connections=self._max_connections,
            resolver=self._resolver,
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The shared connection pool (also used by the IM app clients)."""
        if self._session is None:
            raise RuntimeError("Sender used outside 'async with'")
        return self._session

    async def send(self, request: HttpRequest) -> HttpResponse:
        if self._session is None:
            raise RuntimeError("Sender used outside 'async with'")
        try:
            async with self._session.request(
                request.method,
                URL(request.url, encoded=True),  # platforms sign the query: never re-encode it
                data=request.body,
                headers=request.headers,
                allow_redirects=False,
            ) as answer:
                body = await answer.content.read(MAX_ANSWER_BYTES)
                headers = {k.lower(): v for k, v in answer.headers.items()}
                return HttpResponse(status=answer.status, headers=headers, body=body)
        except RefusedDestination as exc:
            # A URL's own address or port never changes; a DNS answer may, so that is retried.
            raise (UnsendableUrl if exc.lasting else SendError)(exc.reason) from exc
        except TimeoutError as exc:
            raise SendError(f"no answer within {self._timeout.total:g} s") from exc
        except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
            if isinstance(exc, ValueError):  # aiohttp's InvalidURL is both
                raise UnsendableUrl(str(exc)) from exc
            raise SendError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
        except ValueError as exc:  # from yarl, before any connection
            raise UnsendableUrl(str(exc)) from exc
