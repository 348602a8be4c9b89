"""Feishu / Lark event subscription (request URL mode), pure: open a pushed request and parse
the events the assistant bot handles.

- With an Encrypt Key set, Feishu posts ``{"encrypt": "<base64>"}``: AES-256-CBC with PKCS#7
  padding, key = SHA-256 of the Encrypt Key, IV = the first 16 bytes of the decoded data.
- ``X-Lark-Signature`` (sent with events, not with the URL check, and only when an Encrypt Key
  is set) is the hex SHA-256 of ``timestamp + nonce + encrypt_key`` (UTF-8) followed by the raw
  body, with ``X-Lark-Request-Timestamp`` and ``X-Lark-Request-Nonce``.
- The URL check is ``{"type": "url_verification", "challenge", "token"}`` (encrypted too when a
  key is set), answered with ``{"challenge": ...}``.
- Events use schema 2.0: ``header.event_id / event_type / token`` and ``event``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from hookcast.sources import Rejection
from hookcast.sources.tolerant import JsonObject, as_obj, as_objs, as_raw, decode_json_object

BOT_ADDED = "im.chat.member.bot.added_v1"
BOT_REMOVED = "im.chat.member.bot.deleted_v1"
MESSAGE_RECEIVED = "im.message.receive_v1"

SIGNATURE_HEADER = "x-lark-signature"
TIMESTAMP_HEADER = "x-lark-request-timestamp"
NONCE_HEADER = "x-lark-request-nonce"
FRESH_SECONDS = 300  # how far a signed request's timestamp may be from the receive time
UNOPENED = "the request could not be opened (not JSON, or not encrypted with this Encrypt Key)"


@dataclass(frozen=True, slots=True)
class Keys:
    """The app's event subscription settings (Events & Callbacks > Encryption strategy)."""

    verification_token: str
    encrypt_key: str | None = None


@dataclass(frozen=True, slots=True)
class FeishuRefusal:
    """A pushed request hookcast refuses: answer ``status`` with ``reason``."""

    reason: str
    status: int = 400


@dataclass(frozen=True, slots=True)
class Challenge:
    """The request URL check: answer ``{"challenge": challenge}``."""

    challenge: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """A verified schema 2.0 event: its id, type and the whole decrypted body."""

    event_id: str
    event_type: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BotAdded:
    chat_id: str
    chat_name: str
    operator_open_id: str | None
    external: bool = False


@dataclass(frozen=True, slots=True)
class BotRemoved:
    chat_id: str
    chat_name: str
    operator_open_id: str | None


@dataclass(frozen=True, slots=True)
class MentionRef:
    key: str  # the placeholder in the text, e.g. "@_user_1"
    open_id: str | None
    name: str


@dataclass(frozen=True, slots=True)
class MessageReceived:
    chat_id: str
    chat_type: str  # group | p2p
    message_id: str
    sender_open_id: str | None
    sender_type: str  # user | app | ...
    message_type: str
    text: str  # the text of a text message ("" for other types)
    mentions: tuple[MentionRef, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Unhandled:
    event_type: str


BotEvent = BotAdded | BotRemoved | MessageReceived | Unhandled


# --- crypto ---------------------------------------------------------------------------------


def decrypt(encrypt_key: str, data: str) -> bytes:
    """The plaintext of an ``encrypt`` field; raises ValueError when it does not decrypt."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the encrypt field is not base64") from exc
    if len(raw) < 32 or len(raw) % 16:
        raise ValueError("the encrypt field has the wrong length for AES-CBC")
    key = hashlib.sha256(encrypt_key.encode()).digest()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    padded = decryptor.update(raw[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise ValueError("the encrypt field does not decrypt with this Encrypt Key") from exc


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256(f"{timestamp}{nonce}{encrypt_key}".encode() + body).hexdigest()


# --- opening a request ----------------------------------------------------------------------


def open_request(
    body: bytes, headers: Mapping[str, str], keys: Keys, now: float
) -> Challenge | Envelope | FeishuRefusal:
    """Verify and decrypt one pushed request. ``headers`` has lower-cased names; ``now`` is the
    receive time (Unix seconds) the request's timestamp must be close to.

    With an Encrypt Key set, an event must be signed (``X-Lark-Signature`` over timestamp, nonce,
    key and body), the signature is checked before anything is decrypted, and its timestamp must
    be within `FRESH_SECONDS` of ``now`` (a captured request cannot be replayed later). Only the
    address check (``url_verification``) comes unsigned: Feishu signs no challenge, and the only
    thing it gets back is the challenge it sent, which took the Encrypt Key to encrypt. Whatever
    fails to open (a wrong key, a broken body) gets one generic answer: which one it was is not
    told to whoever is trying keys."""
    outer = _json_object(body)
    if outer is None:
        return FeishuRefusal(UNOPENED)
    signed = headers.get(SIGNATURE_HEADER)
    if keys.encrypt_key and signed is not None:
        timestamp = headers.get(TIMESTAMP_HEADER, "")
        if not timestamp.isdigit() or abs(now - int(timestamp)) > FRESH_SECONDS:
            return FeishuRefusal("the request's timestamp is missing or not recent", 401)
        expected = signature(timestamp, headers.get(NONCE_HEADER, ""), keys.encrypt_key, body)
        if not signed.isascii() or not hmac.compare_digest(expected, signed.strip().lower()):
            return FeishuRefusal("X-Lark-Signature does not match", 401)
    if "encrypt" in outer:
        if not keys.encrypt_key:
            return FeishuRefusal("the event is encrypted but no Encrypt Key is set in hookcast", 400)
        try:
            inner = _json_object(decrypt(keys.encrypt_key, str(outer["encrypt"])))
        except ValueError:
            inner = None
        if inner is None:
            return FeishuRefusal(UNOPENED)
        outer = inner
    elif keys.encrypt_key:
        return FeishuRefusal("an Encrypt Key is set but the event came unencrypted", 401)
    if keys.encrypt_key and signed is None and outer.get("type") != "url_verification":
        return FeishuRefusal("an Encrypt Key is set: events must carry X-Lark-Signature", 401)
    if outer.get("type") == "url_verification":
        if not _token_ok(outer.get("token"), keys):
            return FeishuRefusal("the Verification Token does not match", 401)
        challenge = outer.get("challenge")
        if not isinstance(challenge, str):
            return FeishuRefusal("url_verification without a challenge")
        return Challenge(challenge)
    header = outer.get("header")
    if outer.get("schema") != "2.0" or not isinstance(header, dict):
        return FeishuRefusal("only schema 2.0 events are handled (subscribe to the v2.0 events)")
    if not _token_ok(header.get("token"), keys):
        return FeishuRefusal("the Verification Token does not match", 401)
    event_id, event_type = header.get("event_id"), header.get("event_type")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
        return FeishuRefusal("the event header has no event_id or event_type")
    return Envelope(event_id, event_type, outer)


def _token_ok(token: object, keys: Keys) -> bool:
    return isinstance(token, str) and hmac.compare_digest(token, keys.verification_token)


# --- parsing the events ---------------------------------------------------------------------


def parse_event(envelope: Envelope) -> BotEvent | FeishuRefusal:
    event = envelope.body.get("event")
    if not isinstance(event, dict):
        return FeishuRefusal("the event has no event object")
    if envelope.event_type in (BOT_ADDED, BOT_REMOVED):
        chat_id = as_raw(event.get("chat_id"))
        if not chat_id:
            return FeishuRefusal("the event has no chat_id")
        operator = _open_id(event.get("operator_id"))
        name = as_raw(event.get("name"))
        if envelope.event_type == BOT_ADDED:
            return BotAdded(chat_id, name, operator, bool(event.get("external")))
        return BotRemoved(chat_id, name, operator)
    if envelope.event_type == MESSAGE_RECEIVED:
        return _message(event)
    return Unhandled(envelope.event_type)


def _message(event: dict[str, Any]) -> MessageReceived | FeishuRefusal:
    message = event.get("message")
    sender = as_obj(event.get("sender"))
    if not isinstance(message, dict):
        return FeishuRefusal("the message event has no message")
    chat_id = as_raw(message.get("chat_id"))
    if not chat_id:
        return FeishuRefusal("the message has no chat_id")
    message_type = as_raw(message.get("message_type"))
    text = ""
    if message_type == "text":
        content = _json_object(as_raw(message.get("content")).encode())
        text = as_raw(content.get("text")) if content else ""
    mentions = tuple(
        MentionRef(as_raw(m.get("key")), _open_id(m.get("id")), as_raw(m.get("name")))
        for m in as_objs(message.get("mentions"))
    )
    return MessageReceived(
        chat_id=chat_id,
        chat_type=as_raw(message.get("chat_type")) or "group",
        message_id=as_raw(message.get("message_id")),
        sender_open_id=_open_id(sender.get("sender_id")),
        sender_type=as_raw(sender.get("sender_type")),
        message_type=message_type,
        text=text,
        mentions=mentions,
    )


def _open_id(ids: object) -> str | None:
    return as_raw(as_obj(ids).get("open_id")) or None


def _json_object(raw: bytes) -> JsonObject | None:
    value = decode_json_object(raw)
    return None if isinstance(value, Rejection) else value
