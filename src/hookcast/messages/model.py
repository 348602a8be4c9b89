"""The platform-neutral Message: what renderers produce and platform modules encode.

Renderers never build platform JSON; platform modules never read events. Text in a Message is
plain, unescaped user text: each platform module escapes it for its own markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hookcast.events import Tone

LANGUAGES: tuple[str, ...] = ("en", "zh_CN")


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text; ``bold`` / ``code`` are rendered where the platform can."""

    text: str
    bold: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A person to mention natively. ``ids`` maps a platform name to that person's id there."""

    name: str
    ids: dict[str, str] = field(default_factory=dict)
    mobile: str | None = None
    email: str | None = None


Segment = Text | Link | Mention
Line = tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class MessageField:
    label: str
    value: Line
    short: bool = True


@dataclass(frozen=True, slots=True)
class Action:
    """A button that opens a URL."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message.

    ``title`` is the header; ``url`` the link behind it; ``summary`` a one-line plain-text version
    (notification previews, digests, fallbacks); ``lines`` the body; ``fields`` key facts;
    ``actions`` buttons; ``footer`` a small note (project, time). A digest is a Message whose
    ``parts`` are the messages it carries.
    """

    title: str
    tone: Tone
    language: str = "en"
    url: str | None = None
    summary: str = ""
    lines: tuple[Line, ...] = ()
    fields: tuple[MessageField, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str | None = None
    mentions: tuple[Mention, ...] = ()
    parts: tuple[Message, ...] = ()


def plain(line: Line) -> str:
    """The line as plain text (links as their text, mentions as @name)."""
    out: list[str] = []
    for seg in line:
        if isinstance(seg, Mention):
            out.append("@" + seg.name)
        else:
            out.append(seg.text)
    return "".join(out)
