"""Numbered test pushes, and finding their numbers in what a fake bot received.

Each push gets its own ``after`` sha; the compare link that every message and every digest line
carries ends with it, so an event can be found in a single message or inside a digest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from tests.fixtures import load_fixture

PUSH = json.loads(load_fixture("docs/push.json"))
MARKER = re.compile(r"\.\.\.1(\d{39})")


def numbered_push(n: int) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(PUSH))
    body["commits"] = body["commits"][:1]
    body["total_commits_count"] = 1
    body["commits"][0]["message"] = f"fix the thing, take {n}"
    body["after"] = f"1{n:039d}"  # never all zeros (that would be a removed branch)
    return body


def numbers_in(bodies: Iterable[Any]) -> list[int]:
    """The push numbers each received body carries (each body counted once per number)."""
    found: list[int] = []
    for body in bodies:
        found.extend(sorted({int(m) for m in MARKER.findall(json.dumps(body, ensure_ascii=False))}))
    return found
