"""Chat webhook URLs handed out by the assistant bot: ``{base}/feishu/chats/{token}``. Pure.

A webhook of platform Feishu or Lark whose URL has this shape is delivered through the app
(``im/v1/messages?receive_id_type=chat_id``) instead of being posted to the URL.

A living message (`hookcast.living`) reaches a card posted earlier: the encoder marks the
request to the relay (`feishubot/chat_sender.py`) with one of two headers that name the card's
``message_id`` (`EDIT_HEADER` on a ``PATCH``: update the card in place; `REPLY_HEADER` on a
``POST``: reply in its thread). These requests never leave hookcast (the relay reads them and
calls the open platform), and nothing a user writes reaches a header: the chat URL is checked
for its shape, the card is the body, and the id comes from the open platform's own answer
(`MESSAGE_ID`, checked again by the relay before it goes into a path). ``base`` is the
instance's public URL when set (``HOOKCAST_PUBLIC_URL``); webhooks then only accept chat URLs
under it. The public URL is passed in by whoever checks (API, UI and CLI alike): no module state.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from hookcast.platforms.base import PlatformName
from hookcast.platforms.url_secrets import UrlSecrets

CHAT_PATH = "/feishu/chats/"
CHAT_PLATFORMS = frozenset({PlatformName.FEISHU, PlatformName.LARK})
TOKEN = re.compile(r"fc[0-9a-f]{48}")
# A message id as the open platform hands it out ("om_dc13264520392913993dd051dba21dcf"): it is
# stored and put in a request path, so nothing else is accepted.
MESSAGE_ID = re.compile(r"om_[A-Za-z0-9_-]{1,120}")
EDIT_HEADER = "X-Hookcast-Edit-Message"
REPLY_HEADER = "X-Hookcast-Reply-To"


def new_token() -> str:
    return "fc" + secrets.token_hex(24)  # letters and digits only: nothing to escape in a card


def chat_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CHAT_PATH}{token}"


def chat_token(url: str) -> str | None:
    """The token of a chat URL, or None when ``url`` is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    _, found, token = parts.path.rpartition(CHAT_PATH)
    if not found or "/" in token or not TOKEN.fullmatch(token):
        return None
    return token


def is_chat_url(url: str) -> bool:
    return chat_token(url) is not None


def has_chat_shape(url: str) -> bool:
    """True for a chat URL, whole or redacted (``…/feishu/chats/***``): what a webhook can do
    is read from the stored redacted URL too, where the token is hidden."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and CHAT_PATH in parts.path


def problem(url: str, public_url: str | None) -> str | None:
    """For a chat URL: None when it belongs to this instance (any host when ``public_url`` is
    not set), else what is wrong with it."""
    public = public_url.rstrip("/") if public_url else None
    if public is not None and not url.startswith(public + "/"):
        return f"chat webhook URLs of this hookcast start with {public}{CHAT_PATH}"
    return None


def secret_parts(url: str) -> UrlSecrets | None:
    """Where a chat URL keeps its secret (the token), or None when ``url`` is not a chat URL."""
    if not is_chat_url(url):
        return None
    path = urlsplit(url).path
    return UrlSecrets(path=(path.rindex(CHAT_PATH) + len(CHAT_PATH), len(path)), query=None)


def message_id(value: object) -> str:
    """``value`` when it is a message id of the open platform, else ""."""
    return value if isinstance(value, str) and MESSAGE_ID.fullmatch(value) else ""
