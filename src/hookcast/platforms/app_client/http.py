"""Calling an IM app's JSON API with aiohttp: one request, its answer as JSON, or a `Stop`
with the outcome to report (network error and 5xx: retry; 429: retry after)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from hookcast.platforms.app_client.base import Stop
from hookcast.platforms.base import Permanent, RetryAfter

MAX_ANSWER_BYTES = 256 * 1024
RESET_HEADERS = ("retry-after", "x-ogw-ratelimit-reset", "x-ratelimit-reset-after")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-cased names
    data: dict[str, Any]

    def header_seconds(self) -> float | None:
        for name in RESET_HEADERS:
            value = self.headers.get(name)
            if value is not None:
                try:
                    return max(float(value), 0.0)
                except ValueError:
                    continue
        return None


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    label: str,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """The JSON answer. 429 and 5xx without a usable body stop with `RetryAfter`."""
    try:
        async with http.request(
            method, url, json=json_body, params=params, headers=headers, allow_redirects=False
        ) as response:
            raw = await response.content.read(MAX_ANSWER_BYTES)
            answer_headers = {k.lower(): v for k, v in response.headers.items()}
            status = response.status
    except TimeoutError as exc:
        raise Stop(RetryAfter(f"{label}: no answer in time")) from exc
    except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
        raise Stop(RetryAfter(f"{label}: {type(exc).__name__}: {exc}".rstrip(": "))) from exc
    data = _json_object(raw)
    answer = Answer(status, answer_headers, data if data is not None else {})
    if status == 429:
        raise Stop(RetryAfter(f"{label}: HTTP 429 rate limited", answer.header_seconds(), throttled=True))
    if status >= 500:
        raise Stop(RetryAfter(f"{label}: HTTP {status}"))  # the answer's text is not echoed
    if data is None:
        raise Stop(Permanent(f"{label}: HTTP {status} with a non-JSON answer"))
    return answer


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
