"""Parsers: raw inbound requests -> canonical Events, or a typed rejection."""

from __future__ import annotations

from dataclasses import dataclass

from hookcast.events import Event


@dataclass(frozen=True, slots=True)
class Rejection:
    """The request is refused: answer ``status`` with ``reason``; nothing is stored."""

    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class Ignored:
    """The request is well-formed but carries nothing hookcast notifies about (answer 202)."""

    reason: str


ParseResult = Event | Rejection | Ignored
