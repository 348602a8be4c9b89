"""Redaction and scrubbing derive from one declaration per platform (`Platform.url_secrets`):
whatever a platform calls secret in its URL is gone from the redacted URL, and `scrub` takes it
out of text in every encoding an echo may use."""

from __future__ import annotations

import pytest

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName, WebhookTarget
from hookcast.platforms.url_secrets import path_after, query_values, scrub, whole
from tests.fakes.platforms import FAKES

CASES = [(name, False) for name in PLATFORMS] + [
    (name, True) for name, fake in FAKES.items() if fake.has_legacy
]


@pytest.mark.parametrize(("platform", "legacy"), CASES)
def test_every_declared_secret_part_is_gone_from_the_redacted_url(
    platform: PlatformName, legacy: bool
) -> None:
    url = "https://host.example" + FAKES[platform].bot_path("0a1b2c3d4e5f6a7b8c9d", "s1gnature%2Bx", legacy)
    parts = PLATFORMS[platform].url_secrets(url).parts(url)
    assert parts, "a webhook URL always has a secret"
    redacted = PLATFORMS[platform].redact_url(url)
    assert [part for part in parts if part in redacted] == [], redacted
    assert "***" in redacted


def test_secrets_of_a_target_include_its_signing_secret_and_the_signature() -> None:
    dingtalk = PLATFORMS[PlatformName.DINGTALK]
    target = WebhookTarget("https://oapi.dingtalk.com/robot/send?access_token=tok123456", secret="SECabc")
    sent = target.url + "&timestamp=1&sign=c2lnbmF0dXJl%2B"
    secrets = dingtalk.secrets_of(target, sent)
    assert {"tok123456", "SECabc", "c2lnbmF0dXJl%2B"} <= set(secrets)


def test_declarations() -> None:
    url = "https://h.example/a/b/c?x=1&y=2#f"
    assert whole(url).redact(url) == "https://h.example/***"
    assert path_after(url, 1).redact(url) == "https://h.example/a/***"
    assert path_after(url, 1).parts(url) == ("b/c", "b", "c", "1", "2")
    assert path_after(url, 3).redact(url) == "https://h.example/a/b/c"
    assert query_values("y").redact(url) == "https://h.example/a/b/c?x=1&y=***"
    assert query_values("y").parts(url) == ("2",)


def test_scrub_takes_every_encoding_of_a_secret() -> None:
    secret = "ab%2Bc%2Fd%3D"  # ab+c/d= as a URL carries it
    text = "raw ab%2Bc%2Fd%3D decoded ab+c/d= again ab%252Bc%252Fd%253D json ab+c\\/d= end"
    assert scrub(text, [secret]) == "raw *** decoded *** again *** json *** end"
    assert scrub("form-decoded c2ln bmF0", ["c2ln+bmF0"]) == "form-decoded ***"
    assert scrub("a short abc stays", ["abc", None, ""]) == "a short abc stays"
