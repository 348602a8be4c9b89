"""Body signatures: how a source that signs its requests proves them, checked with the project's
signing secret over the raw body before anything parses it. Pure (the caller passes the time).

Two schemes, the two senders hookcast is to receive signed:

* `HubSignature`: GitHub's ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``
  (docs.github.com, "Validating webhook deliveries").
* `StandardWebhookSignature`: the Standard Webhooks scheme (standardwebhooks.com) that GitLab's
  webhook signing token follows (GitLab merge request 230944): ``webhook-signature: v1,<base64>``
  (several, space-separated, while a secret rotates), the HMAC-SHA256 of
  ``{webhook-id}.{webhook-timestamp}.{body}`` with the key the ``whsec_<base64>`` secret encodes;
  a timestamp too far from now is refused, so a captured request cannot be replayed later.

Every comparison is constant-time (`hmac.compare_digest`): a forger learns nothing from how long
a wrong guess takes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

WHSEC_PREFIX = "whsec_"


class BodyHmac(ABC):
    """An HMAC over the raw body (and, per scheme, more) with the project's sealed signing
    secret. There is no token, so the route must name the project; a request without ``header``
    is refused before its body is read."""

    header: str

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header the scheme reads (documented in OpenAPI)."""
        return (self.header,)

    @abstractmethod
    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        """Whether ``headers`` carry a valid signature of ``body`` under ``secret`` at ``now``
        (seconds since the epoch)."""


@dataclass(frozen=True)
class HubSignature(BodyHmac):
    """``prefix`` + lower-case hex of the HMAC of the body, keyed by the secret's bytes."""

    header: str = "x-hub-signature-256"
    prefix: str = "sha256="

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        given = headers.get(self.header)
        if not given:
            return False
        expected = self.prefix + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


@dataclass(frozen=True)
class StandardWebhookSignature(BodyHmac):
    """Standard Webhooks v1 signatures, within ``tolerance`` seconds of the sender's clock."""

    header: str = "webhook-signature"
    id_header: str = "webhook-id"
    timestamp_header: str = "webhook-timestamp"
    tolerance: float = 300.0

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.id_header, self.timestamp_header, self.header)

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        key = _whsec_key(secret)
        message_id = headers.get(self.id_header, "")
        timestamp = headers.get(self.timestamp_header, "")
        if key is None or not message_id or not timestamp.isdigit():
            return False
        if abs(now - int(timestamp)) > self.tolerance:
            return False
        signed = f"{message_id}.{timestamp}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
        found = False
        for entry in headers.get(self.header, "").split():
            version, _, signature = entry.partition(",")
            # Every candidate is compared (no early exit), each in constant time.
            found |= version == "v1" and hmac.compare_digest(expected, signature.encode())
        return found


def _whsec_key(secret: str) -> bytes | None:
    try:
        return base64.b64decode(secret.removeprefix(WHSEC_PREFIX), validate=True) or None
    except (binascii.Error, ValueError):
        return None
