"""How the UI speaks of a paused webhook, in the reader's language.

The pause reason is stored in English (the API and the logs show it as it is); the reasons the
delivery policy writes after failures are read back into a message id and its parameters so that
the catalog can translate them. Other reasons (a platform's own words) are shown as they are.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hookcast.delivery.policy import pause_reason_parts
from hookcast.messages.i18n import N_, Translator
from hookcast.store.tables import Webhook
from hookcast.web.ui.common import when

# Must stay equal to hookcast.delivery.policy.FAILURES_REASON (a unit test checks it): marked
# here so that the UI catalog check finds it.
FAILURES_REASON = N_("{failures} failures in a row; last: {reason}")
# A pause this long is the policy's "until someone acts" (a refused or removed webhook).
INDEFINITE = timedelta(days=365 * 10)


def reason_text(reason: str | None, t: Translator) -> str:
    if not reason:
        return t.gettext("no reason recorded")
    parts = pause_reason_parts(reason)
    if parts is None:
        return reason
    msgid, params = parts
    return t.format(msgid, **params)


def paused_now(webhook: Webhook | None, now: datetime) -> bool:
    return webhook is not None and webhook.paused_until is not None and webhook.paused_until > now


def pause_text(webhook: Webhook, now: datetime, t: Translator) -> str:
    """ "paused until 2026-01-01 10:00:00 UTC because 4 failures in a row; last: HTTP 500"."""
    reason = reason_text(webhook.pause_reason, t)
    until = webhook.paused_until
    if until is None or until - now > INDEFINITE:
        return t.format(
            "the webhook is paused until it is resumed or its URL changes, because {reason}", reason=reason
        )
    return t.format("the webhook is paused until {until} because {reason}", until=when(until), reason=reason)
