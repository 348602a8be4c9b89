"""Messages made of messages (digests) and the "Send test message" message."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from hookcast.events import Tone
from hookcast.messages.common import link_or_text, present, text_field
from hookcast.messages.i18n import translator
from hookcast.messages.model import Line, Mention, Message, Text

TONE_DOTS: Mapping[Tone, str] = {
    Tone.SUCCESS: "🟢",
    Tone.FAILURE: "🔴",
    Tone.NEUTRAL: "⚪",
    Tone.WARNING: "🟠",
}


def digest_tone(messages: Sequence[Message]) -> Tone:
    """FAILURE if any message failed, else the most common tone (the earliest on a tie)."""
    tones = [message.tone for message in messages]
    if not tones:
        return Tone.NEUTRAL
    if Tone.FAILURE in tones:
        return Tone.FAILURE
    return Counter(tones).most_common(1)[0][0]


def digest_line(message: Message) -> Line:
    """``🔴 group/app: Pipeline #31 failed on main`` with the text linked to the message's url."""
    text = message.summary or message.title
    return (Text(TONE_DOTS[message.tone] + " "), link_or_text(text, message.url))


def _unique_mentions(messages: Sequence[Message]) -> tuple[Mention, ...]:
    seen: set[tuple[str, tuple[tuple[str, str], ...], str | None, str | None]] = set()
    unique: list[Mention] = []
    for message in messages:
        for mention in message.mentions:
            key = (mention.name, tuple(sorted(mention.ids.items())), mention.mobile, mention.email)
            if key not in seen:
                seen.add(key)
                unique.append(mention)
    return tuple(unique)


def render_digest(messages: Sequence[Message], language: str) -> Message:
    """One message listing ``messages`` a line each (tone dot + linked summary); ``parts`` keeps them."""
    t = translator(language)
    count = len(messages)
    title = t.nformat("{n} notification", "{n} notifications", count)
    footers = {message.footer for message in messages}
    footer = footers.pop() if len(footers) == 1 else None
    return Message(
        title=title,
        tone=digest_tone(messages),
        language=t.language,
        summary=title,
        lines=tuple(digest_line(message) for message in messages),
        footer=footer,
        mentions=_unique_mentions(messages),
        parts=tuple(messages),
    )


def render_test_message(language: str, project_name: str, platform_label: str) -> Message:
    """The message sent by the "Send test message" button of a webhook."""
    t = translator(language)
    title = t.format("Test message from hookcast for {project}", project=project_name)
    lines: tuple[Line, ...] = (
        (
            Text(
                t.format(
                    "If you can read this, {platform} notifications for {project} are set up correctly.",
                    platform=platform_label,
                    project=project_name,
                )
            ),
        ),
        (Text(t.gettext("Events from this project will appear here as they happen.")),),
    )
    fields = present(
        [
            text_field(t.gettext("Project"), project_name),
            text_field(t.gettext("Platform"), platform_label),
        ]
    )
    return Message(
        title=title,
        tone=Tone.SUCCESS,
        language=t.language,
        summary=title,
        lines=lines,
        fields=fields,
        footer="hookcast",
    )
