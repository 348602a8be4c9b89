"""From a destination's declared settings to the `WebhookTarget` encoding takes. Pure.

The worker, the test message and the previews all build their targets here, so a setting a
platform declares reaches its ``encode`` the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from hookcast.platforms.base import WebhookTarget

# The settings WebhookTarget carries as attributes of their own (the fixed interface); every
# other declared setting travels in ``WebhookTarget.settings`` by its FieldSpec name.
_OWN_ATTRIBUTES = ("secret", "keyword")


def target_from(url: str, values: Mapping[str, str]) -> WebhookTarget:
    """``values``: FieldSpec name -> value of the settings that are set (unset ones absent)."""
    return WebhookTarget(
        url=url,
        secret=values.get("secret") or None,
        keyword=values.get("keyword") or None,
        settings={name: value for name, value in values.items() if name not in _OWN_ATTRIBUTES and value},
    )
