"""Body signatures, checked against the senders' own published test vectors, and always compared
in constant time."""

from __future__ import annotations

import hmac

import pytest

from hookcast.sources.signatures import HubSignature, StandardWebhookSignature

# GitHub's test values ("Validating webhook deliveries", docs.github.com/webhooks/using-webhooks/
# validating-webhook-deliveries): this secret and body give exactly this signature.
GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
HUB = HubSignature()

# The Standard Webhooks test vector (the reference libraries' tests in the
# standard-webhooks/standard-webhooks repository), the scheme GitLab's signing token follows.
STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STANDARD_BODY = b'{"test": 2432232314}'
STANDARD_AT = 1614265330
STANDARD_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
STANDARD = StandardWebhookSignature()


def standard_headers(signature: str = STANDARD_SIGNATURE, at: int = STANDARD_AT) -> dict[str, str]:
    return {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": str(at),
        "webhook-signature": signature,
    }


def hub(signature: str) -> dict[str, str]:
    return {"x-hub-signature-256": signature}


def test_githubs_vector_verifies_and_anything_else_does_not() -> None:
    assert HUB.verify(GITHUB_SECRET, hub(GITHUB_SIGNATURE), GITHUB_BODY, 0)
    assert HUB.verify(
        GITHUB_SECRET, hub(" " + GITHUB_SIGNATURE.replace("757107ea", "757107EA")), GITHUB_BODY, 0
    )
    assert not HUB.verify("another secret", hub(GITHUB_SIGNATURE), GITHUB_BODY, 0)
    assert not HUB.verify(GITHUB_SECRET, hub(GITHUB_SIGNATURE), GITHUB_BODY + b" ", 0)
    assert not HUB.verify(GITHUB_SECRET, hub(GITHUB_SIGNATURE.removeprefix("sha256=")), GITHUB_BODY, 0)
    assert not HUB.verify(GITHUB_SECRET, {}, GITHUB_BODY, 0)
    assert not HUB.verify(GITHUB_SECRET, hub(""), GITHUB_BODY, 0)
    assert not HUB.verify(GITHUB_SECRET, hub("sha256=ünïcode"), GITHUB_BODY, 0)


def test_the_standard_webhooks_vector_verifies_within_its_time_window() -> None:
    assert STANDARD.verify(STANDARD_SECRET, standard_headers(), STANDARD_BODY, STANDARD_AT)
    assert STANDARD.verify(STANDARD_SECRET, standard_headers(), STANDARD_BODY, STANDARD_AT + 300)
    assert not STANDARD.verify(STANDARD_SECRET, standard_headers(), STANDARD_BODY, STANDARD_AT + 301)
    assert not STANDARD.verify(STANDARD_SECRET, standard_headers(), STANDARD_BODY, STANDARD_AT - 301)
    rotating = f"v1,bm9wZQ== {STANDARD_SIGNATURE}"
    assert STANDARD.verify(STANDARD_SECRET, standard_headers(rotating), STANDARD_BODY, STANDARD_AT)


@pytest.mark.parametrize(
    ("secret", "headers", "body"),
    [
        ("whsec_" + "A" * 32, standard_headers(), STANDARD_BODY),  # another key
        (STANDARD_SECRET, standard_headers(), STANDARD_BODY + b" "),  # another body
        (STANDARD_SECRET, standard_headers(STANDARD_SIGNATURE.replace("v1,", "v2,")), STANDARD_BODY),
        (STANDARD_SECRET, {**standard_headers(), "webhook-id": "msg_other"}, STANDARD_BODY),
        (STANDARD_SECRET, {**standard_headers(), "webhook-timestamp": "1614265330.0"}, STANDARD_BODY),
        (STANDARD_SECRET, {k: v for k, v in standard_headers().items() if k != "webhook-id"}, STANDARD_BODY),
        ("whsec_not base64!", standard_headers(), STANDARD_BODY),
        ("whsec_", standard_headers(), STANDARD_BODY),
    ],
)
def test_a_standard_webhook_signature_refuses(secret: str, headers: dict[str, str], body: bytes) -> None:
    assert not STANDARD.verify(secret, headers, body, STANDARD_AT)


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert HUB.verify(GITHUB_SECRET, hub(GITHUB_SIGNATURE), GITHUB_BODY, 0)
    assert not HUB.verify(GITHUB_SECRET, hub("sha256=" + "0" * 64), GITHUB_BODY, 0)
    assert compared == [
        (GITHUB_SIGNATURE.encode(), GITHUB_SIGNATURE.encode()),
        (GITHUB_SIGNATURE.encode(), b"sha256=" + b"0" * 64),
    ]
    compared.clear()
    both = f"v1,bm9wZQ== {STANDARD_SIGNATURE}"
    assert STANDARD.verify(STANDARD_SECRET, standard_headers(both), STANDARD_BODY, STANDARD_AT)
    expected = STANDARD_SIGNATURE.removeprefix("v1,").encode()
    assert compared == [(expected, b"bm9wZQ=="), (expected, expected)], "every candidate, no early exit"
