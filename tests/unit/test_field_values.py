"""Field values checked against their FieldSpec (services/fields.py), the one place webhook
settings and IM app credentials are validated; and the WebhookTarget built from settings."""

from __future__ import annotations

import pytest

from hookcast.directmessages import MESSENGERS
from hookcast.platforms.base import FieldSpec, PlatformName
from hookcast.platforms.targets import target_from
from hookcast.services import fields, webhook_settings
from hookcast.services.errors import Invalid
from hookcast.services.im_apps import merged_credentials
from hookcast.services.webhooks import WebhookInput, WebhookPatch, WebhookView

CHAT = FieldSpec("chat_id", "Chat ID", "numeric", required=True, pattern=r"-?[0-9]+", max_length=8)
TOKEN = FieldSpec("token", "Token", "the bot's", secret=True)


def refusal(changes: dict[str, str | None], stored: dict[str, str] | None = None) -> Invalid:
    with pytest.raises(Invalid) as caught:
        fields.merged((CHAT, TOKEN), stored or {}, changes)
    return caught.value


def test_required_pattern_and_max_length_are_enforced_with_the_field_named() -> None:
    missing, malformed, too_long = refusal({}), refusal({"chat_id": "x1"}), refusal({"chat_id": "1" * 9})
    assert (missing.field, malformed.field, too_long.field) == ("chat_id", "chat_id", "chat_id")
    assert missing.message == "Chat ID (chat_id) is required"
    assert malformed.message == "Chat ID (chat_id) does not look right: numeric"
    assert too_long.message == "Chat ID (chat_id) is at most 8 characters"
    assert too_long.msgid == "{label} ({name}) is at most {max} characters"


def test_a_value_replaces_an_empty_string_removes_and_none_keeps() -> None:
    stored = {"chat_id": "1", "token": "t"}
    assert fields.merged((CHAT, TOKEN), stored, {"chat_id": "2"}) == {"chat_id": "2", "token": "t"}
    assert fields.merged((CHAT, TOKEN), stored, {"token": ""}) == {"chat_id": "1"}
    assert fields.merged((CHAT, TOKEN), stored, {"token": None}) == stored
    assert refusal({"chat_id": ""}, stored).field == "chat_id"


def test_im_app_credentials_use_the_same_checks() -> None:
    specs = MESSENGERS[PlatformName.FEISHU].credentials
    assert all(isinstance(spec, FieldSpec) and spec.required for spec in specs)
    with pytest.raises(Invalid, match="does not look right") as caught:
        merged_credentials(specs, {"app_id": "nope", "app_secret": "s"}, {})
    assert caught.value.field == "credentials"
    kept = merged_credentials(specs, {"app_id": "cli_abcd", "app_secret": ""}, {"app_secret": "old"})
    assert kept == {"app_id": "cli_abcd", "app_secret": "old"}


def test_the_target_carries_secret_and_keyword_and_every_other_setting() -> None:
    target = target_from("https://x.test/", {"secret": "s", "keyword": "k", "chat_id": "-1"})
    assert (target.secret, target.keyword, dict(target.settings)) == ("s", "k", {"chat_id": "-1"})
    assert target_from("https://x.test/", {}).secret is None


def test_no_setting_name_takes_the_place_of_a_webhook_field() -> None:
    """Settings are also taken and shown at the top level: a platform setting named like a webhook
    field (or like a secret's ``<name>_set``) would shadow it."""
    names = set(webhook_settings.declared())
    fields_of = (
        set(WebhookInput.model_fields) | set(WebhookPatch.model_fields) | set(WebhookView.model_fields)
    )
    assert names.isdisjoint(fields_of)
    assert {f"{name}_set" for name in webhook_settings.secret_names()}.isdisjoint(names | fields_of)
