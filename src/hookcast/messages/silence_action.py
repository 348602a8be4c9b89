"""The "Silence 1 h" button of an alert card: a link to the instance's silence form, pre-filled
with the project, the alert group's labels as matchers and an hour; the person signs in and
confirms there (the link carries no secret and changes nothing by itself).

It needs the instance's public URL (``HOOKCAST_PUBLIC_URL``), which only the worker knows: the
composer applies it after rendering (`delivery/composer.py`), so the renderers stay as they are
and a message rendered without a public URL (previews, golden files) has no such button. Each
platform shows the button its way: a button where its cards have them, a link otherwise. Pure.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from hookcast.events import Event, EventKind, Tone
from hookcast.matching import Matcher, MatchOp
from hookcast.messages.i18n import N_, translator
from hookcast.messages.model import Action, Message

LABEL = N_("Silence 1 h")
OPEN = N_("Open link")
DURATION = "1h"
MAX_LABELS = 20  # matchers carried in the link; a group has a handful
MAX_VALUE = 200  # a longer label value is left out rather than making a huge link
SILENCE_FORM = "/ui/silences"


def silence_url(public_url: str, project_id: int, event: Event) -> str:
    """The form's address for silencing ``event``'s alert group in project ``project_id``."""
    matchers = [
        str(Matcher(name, MatchOp.EQUAL, value))
        for name, value in sorted(event.alert_labels.items())
        if len(value) <= MAX_VALUE
    ][:MAX_LABELS]
    query: list[tuple[str, str]] = [("project", str(project_id)), ("kind", event.kind.value)]
    query += [("match", matcher) for matcher in matchers]
    query.append(("duration", DURATION))
    return f"{public_url.rstrip('/')}{SILENCE_FORM}?{urlencode(query)}"


def with_silence_action(message: Message, event: Event, public_url: str | None, project_id: int) -> Message:
    """``message`` with a "Silence 1 h" action when ``event`` is an alert still firing and the
    public URL is known; unchanged otherwise. A card whose only button was its link (the
    platforms' fallback when a message has no actions) keeps that link as an "Open" button."""
    if not public_url or event.kind is not EventKind.ALERT or event.tone is Tone.SUCCESS:
        return message
    t = translator(message.language)
    actions = message.actions
    if not actions and message.url:
        actions = (Action(t.gettext(OPEN), message.url),)
    return replace(
        message, actions=(*actions, Action(t.gettext(LABEL), silence_url(public_url, project_id, event)))
    )
