"""How the UI speaks of a paused webhook, in the reader's language.

The pause reason is stored in English (the API and the logs show it as it is); the reasons the
delivery policy writes after failures are read back into a message id and its parameters so that
the catalog can translate them. Other reasons (a platform's own words) are shown as they are.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from hookcast.delivery.policy import pause_reason_parts
from hookcast.messages.i18n import N_, Translator
from hookcast.store.tables import Webhook
from hookcast.web.ui.common import when

# Must stay equal to hookcast.delivery.policy.FAILURES_REASON and the Feishu assistant's
# REMOVED_REASON / REVOKED_REASON (a unit test checks it): marked here for the UI catalog check.
FAILURES_REASON = N_("{failures} failures in a row; last: {reason}")
REMOVED_REASON = N_(
    "the assistant bot was removed from the chat “{chat}” ({chat_id}); "
    "add the bot to the chat again to resume"
)
REVOKED_REASON = N_("the chat webhook URL was revoked (unbind in “{chat}”); send get_webhook for a new one")
# A pause this long is the policy's "until someone acts" (a refused or removed webhook).
INDEFINITE = timedelta(days=365 * 10)


def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression that reads the parameters back out of ``template.format(...)``."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*)" for i, part in enumerate(parts))
    return re.compile(regex, re.DOTALL)


ASSISTANT_REASONS = tuple((template, _pattern(template)) for template in (REMOVED_REASON, REVOKED_REASON))


def reason_parts(reason: str) -> tuple[str, dict[str, object]] | None:
    """The message id and parameters a stored pause reason was made of, when it is one of ours."""
    parts = pause_reason_parts(reason)
    if parts is not None:
        return parts
    for template, pattern in ASSISTANT_REASONS:
        found = pattern.fullmatch(reason)
        if found is not None:
            return template, dict(found.groupdict())
    return None


def reason_text(reason: str | None, t: Translator) -> str:
    if not reason:
        return t.gettext("no reason recorded")
    parts = reason_parts(reason)
    if parts is None:
        return reason
    msgid, params = parts
    return t.format(msgid, **params)


def pause_text(webhook: Webhook, now: datetime, t: Translator) -> str:
    """ "paused until 2026-01-01 10:00:00 UTC because 4 failures in a row; last: HTTP 500"."""
    reason = reason_text(webhook.pause_reason, t)
    until = webhook.paused_until
    if until is None or until - now > INDEFINITE:
        return t.format(
            "the webhook is paused until it is resumed or its URL changes, because {reason}", reason=reason
        )
    return t.format("the webhook is paused until {until} because {reason}", until=when(until), reason=reason)
