"""Direct messages through the IM apps: one client per app, and the factory the worker uses.

    messenger = messenger_for(platform, im_app_row, box, http_session)
    outcome = await messenger.send(message, person, idempotency_key=key)

`MessengerPool` keeps one client per app row (so token and look-up caches live on) and builds a
new one when the row changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import aiohttp

from hookcast.crypto import SecretBox
from hookcast.directmessages.base import USER_NOT_FOUND, CredentialSpec, DirectMessenger
from hookcast.directmessages.client import AppClient
from hookcast.directmessages.dingtalk import DingTalkMessenger
from hookcast.directmessages.feishu import FeishuMessenger, LarkMessenger
from hookcast.directmessages.recipients import direct_recipients
from hookcast.directmessages.slack import SlackMessenger
from hookcast.directmessages.wecom import WeComMessenger
from hookcast.platforms.base import PlatformName
from hookcast.store.directory import ImAppRow

__all__ = [
    "MESSENGERS",
    "USER_NOT_FOUND",
    "DirectMessenger",
    "MessengerPool",
    "build",
    "credential_specs",
    "direct_recipients",
    "messenger_for",
    "open_credentials",
]

MESSENGERS: dict[PlatformName, type[AppClient]] = {
    client.platform: client
    for client in (SlackMessenger, FeishuMessenger, LarkMessenger, DingTalkMessenger, WeComMessenger)
}


def credential_specs(platform: PlatformName) -> tuple[CredentialSpec, ...]:
    return MESSENGERS[platform].credentials


def open_credentials(row: ImAppRow, box: SecretBox) -> dict[str, str]:
    values = json.loads(box.open(row.credentials_sealed))
    return {str(k): str(v) for k, v in values.items()}


def build(
    platform: PlatformName,
    credentials: Mapping[str, str],
    http: aiohttp.ClientSession,
    base_url: str | None = None,
) -> AppClient:
    return MESSENGERS[platform](credentials, http, base_url=base_url)


def messenger_for(
    platform: PlatformName | str,
    im_app_row: ImAppRow | None,
    box: SecretBox,
    http_session: aiohttp.ClientSession,
) -> AppClient | None:
    """The client for ``platform``'s IM app, or None when there is none (no app for that
    platform, the app is disabled, or the platform has no IM app: Discord, Teams)."""
    name = PlatformName(platform)
    if name not in MESSENGERS or im_app_row is None or not im_app_row.enabled:
        return None
    if im_app_row.platform != name.value:
        return None
    return build(name, open_credentials(im_app_row, box), http_session, im_app_row.api_base_url)


class MessengerPool:
    """One client per platform's IM app, rebuilt when its app row changes (``updated_at``), so its
    token and look-up caches live on. One pool serves the process: the worker's direct messages,
    the Feishu bot's cards and chat webhooks share one access token per app."""

    def __init__(self, box: SecretBox, http_session: aiohttp.ClientSession) -> None:
        self._box = box
        self._http = http_session
        self._clients: dict[str, tuple[datetime, AppClient]] = {}

    def get(self, platform: PlatformName | str, row: ImAppRow | None) -> AppClient | None:
        name = PlatformName(platform).value
        if row is None or not row.enabled:
            self._clients.pop(name, None)
            return None
        cached = self._clients.get(name)
        if cached is not None and cached[0] == row.updated_at:
            return cached[1]
        messenger = messenger_for(platform, row, self._box, self._http)
        if messenger is not None:
            self._clients[name] = (row.updated_at, messenger)
        return messenger
