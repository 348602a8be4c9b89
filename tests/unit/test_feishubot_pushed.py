"""Opening Feishu event pushes: decryption and the signature against vectors computed here with
OpenSSL and sha256sum (independent of the code under test), the URL check, token and signature
refusals, and the three events parsed from schema 2.0 envelopes."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from typing import Any

import pytest

from hookcast.feishubot.pushed import (
    BOT_ADDED,
    BOT_REMOVED,
    MESSAGE_RECEIVED,
    UNOPENED,
    BotAdded,
    BotRemoved,
    Challenge,
    Envelope,
    FeishuRefusal,
    Keys,
    MentionRef,
    MessageReceived,
    Unhandled,
    decrypt,
    open_request,
    parse_event,
    signature,
)

ENCRYPT_KEY = "test key"
TOKEN = "verification-token-1"
IV = bytes(range(16))
KEYS = Keys(TOKEN, ENCRYPT_KEY)

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


def openssl_encrypt(encrypt_key: str, plaintext: bytes, iv: bytes = IV) -> str:
    """base64(iv + AES-256-CBC(sha256(key), iv, PKCS#7(plaintext))), by the openssl command."""
    key_hex = hashlib.sha256(encrypt_key.encode()).hexdigest()
    sealed = subprocess.run(
        ["openssl", "enc", "-aes-256-cbc", "-K", key_hex, "-iv", iv.hex()],
        input=plaintext,
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(iv + sealed).decode()


def envelope(event_type: str, event: dict[str, Any], token: str = TOKEN) -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {"event_id": "ev-1", "event_type": event_type, "token": token, "app_id": "cli_x"},
        "event": event,
    }


@needs_openssl
def test_decrypt_matches_openssl() -> None:
    plain = json.dumps({"challenge": "c-1", "token": TOKEN, "type": "url_verification"}).encode()
    assert decrypt(ENCRYPT_KEY, openssl_encrypt(ENCRYPT_KEY, plain)) == plain
    long_plain = ("事件" * 100).encode()  # several blocks, multi-byte text
    assert decrypt(ENCRYPT_KEY, openssl_encrypt(ENCRYPT_KEY, long_plain, bytes(16))) == long_plain


@needs_openssl
def test_decrypt_refuses_another_key_and_garbage() -> None:
    sealed = openssl_encrypt("another key", b'{"a": 1}')
    with pytest.raises(ValueError):
        decrypt(ENCRYPT_KEY, sealed)
    with pytest.raises(ValueError, match="base64"):
        decrypt(ENCRYPT_KEY, "not base64 !!")
    with pytest.raises(ValueError, match="length"):
        decrypt(ENCRYPT_KEY, base64.b64encode(b"short").decode())


def test_signature_matches_sha256sum() -> None:
    body = b'{"encrypt":"abc"}'
    joined = b"1700000000" + b"nonce-1" + ENCRYPT_KEY.encode() + body
    if shutil.which("sha256sum"):
        expected = subprocess.run(
            ["sha256sum"], input=joined, capture_output=True, check=True
        ).stdout.split()[0]
        assert signature("1700000000", "nonce-1", ENCRYPT_KEY, body) == expected.decode()
    assert signature("1700000000", "nonce-1", ENCRYPT_KEY, body) == hashlib.sha256(joined).hexdigest()


NOW = 1700000000.0  # the receive time the tests' signed timestamp is close to


def signed(body: bytes, encrypt_key: str = ENCRYPT_KEY) -> dict[str, str]:
    digest = hashlib.sha256(b"1700000000" + b"n-1" + encrypt_key.encode() + body).hexdigest()
    return {
        "x-lark-request-timestamp": "1700000000",
        "x-lark-request-nonce": "n-1",
        "x-lark-signature": digest,
    }


@needs_openssl
def test_encrypted_url_check_is_answered() -> None:
    plain = json.dumps({"challenge": "c-9", "token": TOKEN, "type": "url_verification"}).encode()
    body = json.dumps({"encrypt": openssl_encrypt(ENCRYPT_KEY, plain)}).encode()
    assert open_request(body, {}, KEYS, NOW) == Challenge("c-9")  # Feishu signs events, not the check


def test_plain_url_check_without_encrypt_key() -> None:
    body = json.dumps({"challenge": "c-1", "token": TOKEN, "type": "url_verification"}).encode()
    assert open_request(body, {}, Keys(TOKEN), NOW) == Challenge("c-1")
    wrong = json.dumps({"challenge": "c-1", "token": "nope", "type": "url_verification"}).encode()
    assert open_request(wrong, {}, Keys(TOKEN), NOW) == FeishuRefusal(
        "the Verification Token does not match", 401
    )


@needs_openssl
def test_signed_encrypted_event_opens() -> None:
    plain = json.dumps(envelope(BOT_ADDED, {"chat_id": "oc_1"})).encode()
    body = json.dumps({"encrypt": openssl_encrypt(ENCRYPT_KEY, plain)}).encode()
    opened = open_request(body, signed(body), KEYS, NOW)
    assert isinstance(opened, Envelope)
    assert (opened.event_id, opened.event_type) == ("ev-1", BOT_ADDED)


@needs_openssl
def test_refusals() -> None:
    plain = json.dumps(envelope(BOT_ADDED, {"chat_id": "oc_1"})).encode()
    body = json.dumps({"encrypt": openssl_encrypt(ENCRYPT_KEY, plain)}).encode()
    bad_signature = open_request(body, signed(body, "other key"), KEYS, NOW)
    assert isinstance(bad_signature, FeishuRefusal) and bad_signature.status == 401
    wrong_token = json.dumps(envelope(BOT_ADDED, {"chat_id": "oc_1"}, token="nope")).encode()
    sealed = json.dumps({"encrypt": openssl_encrypt(ENCRYPT_KEY, wrong_token)}).encode()
    refused = open_request(sealed, signed(sealed), KEYS, NOW)
    assert isinstance(refused, FeishuRefusal) and refused.status == 401
    unencrypted = open_request(plain, {}, KEYS, NOW)
    assert isinstance(unencrypted, FeishuRefusal) and unencrypted.status == 401
    no_key = open_request(body, {}, Keys(TOKEN), NOW)
    assert isinstance(no_key, FeishuRefusal) and "Encrypt Key" in no_key.reason
    assert open_request(b"[1]", {}, KEYS, NOW) == FeishuRefusal(UNOPENED)
    v1 = json.dumps({"uuid": "u", "token": TOKEN, "event": {}}).encode()
    old = open_request(v1, {}, Keys(TOKEN), NOW)
    assert isinstance(old, FeishuRefusal) and "2.0" in old.reason


def test_parse_bot_added_and_removed() -> None:
    added = {"chat_id": "oc_1", "name": "后端组", "operator_id": {"open_id": "ou_a", "user_id": "u"}}
    assert parse_event(Envelope("e", BOT_ADDED, envelope(BOT_ADDED, added))) == BotAdded(
        "oc_1", "后端组", "ou_a"
    )
    removed = {"chat_id": "oc_1", "name": "x"}
    assert parse_event(Envelope("e", BOT_REMOVED, envelope(BOT_REMOVED, removed))) == BotRemoved(
        "oc_1", "x", None
    )
    assert isinstance(parse_event(Envelope("e", BOT_ADDED, envelope(BOT_ADDED, {}))), FeishuRefusal)
    other = "im.chat.updated_v1"
    assert parse_event(Envelope("e", other, envelope(other, {"chat_id": "oc_1"}))) == Unhandled(other)


def test_parse_message_received() -> None:
    event = {
        "sender": {"sender_id": {"open_id": "ou_ann", "union_id": "on_1"}, "sender_type": "user"},
        "message": {
            "message_id": "om_1",
            "chat_id": "oc_1",
            "chat_type": "group",
            "message_type": "text",
            "content": json.dumps({"text": "@_user_1 get_webhook"}),
            "mentions": [{"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "hookcast"}],
        },
    }
    parsed = parse_event(Envelope("e", MESSAGE_RECEIVED, envelope(MESSAGE_RECEIVED, event)))
    assert parsed == MessageReceived(
        chat_id="oc_1",
        chat_type="group",
        message_id="om_1",
        sender_open_id="ou_ann",
        sender_type="user",
        message_type="text",
        text="@_user_1 get_webhook",
        mentions=(MentionRef("@_user_1", "ou_bot", "hookcast"),),
    )
    event["message"]["message_type"] = "image"  # type: ignore[index]
    event["message"]["content"] = json.dumps({"image_key": "img"})  # type: ignore[index]
    image = parse_event(Envelope("e", MESSAGE_RECEIVED, envelope(MESSAGE_RECEIVED, event)))
    assert isinstance(image, MessageReceived) and image.text == ""


@needs_openssl
def test_with_an_encrypt_key_events_must_be_signed_and_recent() -> None:
    plain = json.dumps(envelope(BOT_ADDED, {"chat_id": "oc_1"})).encode()
    body = json.dumps({"encrypt": openssl_encrypt(ENCRYPT_KEY, plain)}).encode()
    unsigned = open_request(body, {}, KEYS, NOW)
    assert isinstance(unsigned, FeishuRefusal) and unsigned.status == 401
    assert "X-Lark-Signature" in unsigned.reason
    replayed = open_request(body, signed(body), KEYS, NOW + 301)
    assert isinstance(replayed, FeishuRefusal) and replayed.status == 401
    early = open_request(body, signed(body), KEYS, NOW - 301)
    assert isinstance(early, FeishuRefusal) and early.status == 401
    assert isinstance(open_request(body, signed(body), KEYS, NOW + 299), Envelope)
    strange = signed(body) | {"x-lark-signature": "签名"}
    assert open_request(body, strange, KEYS, NOW).status == 401  # type: ignore[union-attr]


@needs_openssl
def test_a_wrong_key_and_a_broken_body_look_alike() -> None:
    plain = json.dumps(envelope(BOT_ADDED, {"chat_id": "oc_1"})).encode()
    other_key = json.dumps({"encrypt": openssl_encrypt("another key", plain)}).encode()
    not_json = json.dumps({"encrypt": openssl_encrypt(ENCRYPT_KEY, b"not json")}).encode()
    assert open_request(other_key, signed(other_key), KEYS, NOW) == FeishuRefusal(UNOPENED)
    assert open_request(not_json, signed(not_json), KEYS, NOW) == FeishuRefusal(UNOPENED)
