"""A webhook's living-message options (`hookcast.living`): its message mode and its alert flap
window, as stored (null: the default), as shown, and as the worker and intake apply them.

Which modes a webhook may have is its platform's word for its URL (`Platform.message_modes`, the
default first). Platforms decide from the URL's shape (its host and path, never its secret
parts), so the redacted URL kept in the clear gives the same answer as the sealed one: intake and
the API's answers use it, without opening any secret."""

from __future__ import annotations

from datetime import timedelta

from hookcast.living import DEFAULT_FLAP_WINDOW, MessageMode
from hookcast.platforms import get_platform
from hookcast.platforms.base import Platform
from hookcast.services.errors import Invalid, Term
from hookcast.store.tables import Webhook

MODE_HELP = (
    "How later events of the same merge request, pipeline, issue or alert group reach the chat: "
    "update (edit the first message in place), thread (reply in its thread), follow_up (a compact "
    "message after the first full one), every_event (a full message per event). Null: the "
    "platform's default, the first of message_modes."
)
MODES_HELP = "The message modes this webhook's platform offers for its URL, its default first."
FLAP_HELP = (
    "An alert group that fires again within this many minutes of being resolved updates its "
    "message (and counts a flap); later, a new message is posted. 1 to 1440; null: 60."
)
MIN_FLAP_MINUTES = 1
MAX_FLAP_MINUTES = 1440


def modes_of(platform: Platform, url: str) -> tuple[MessageMode, ...]:
    return platform.message_modes(url)


def offered(webhook: Webhook) -> tuple[MessageMode, ...]:
    """The modes ``webhook``'s platform offers for its URL (read from the redacted URL)."""
    return modes_of(get_platform(webhook.platform), webhook.url_redacted)


def effective(webhook: Webhook, modes: tuple[MessageMode, ...] | None = None) -> MessageMode:
    """The mode ``webhook`` has: the stored one when its platform offers it (its URL may have
    changed since), else the platform's default."""
    modes = offered(webhook) if modes is None else modes
    stored = MessageMode._value2member_map_.get(webhook.message_mode or "")
    if isinstance(stored, MessageMode) and stored in modes:
        return stored
    return modes[0] if modes else MessageMode.EVERY_EVENT


def flap_window(webhook: Webhook) -> timedelta:
    minutes = webhook.alert_flap_window_minutes
    return DEFAULT_FLAP_WINDOW if minutes is None else timedelta(minutes=minutes)


def checked(platform: Platform, url: str, mode: MessageMode | None) -> str | None:
    """``mode`` as stored (None: the default), refused with a 422 naming the field when the
    platform cannot do it for ``url``."""
    if mode is None:
        return None
    modes = modes_of(platform, url)
    if mode not in modes:
        raise Invalid(
            "{platform} webhooks offer these message modes: {modes}",
            field="message_mode",
            platform=Term(platform.label),
            modes=", ".join(m.value for m in modes),
        )
    return mode.value
