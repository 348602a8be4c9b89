"""Direct messages through the IM apps: the registry of app clients (derived from the platform
declarations), building one from its stored row, and the pool the worker uses.

    messenger = messenger_for(platform, im_app_row, box, http_session)
    outcome = await messenger.send(message, person, idempotency_key=key)

Each platform's client lives in its package (``platforms/<name>/im_app.py``) and is declared by
``Platform.im_app``; what they share is in ``platforms/app_client``. `MessengerPool` keeps one
client per app row (so token and look-up caches live on) and builds a new one when the row
changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import aiohttp

from hookcast.crypto import SecretBox
from hookcast.directmessages.recipients import direct_recipients
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.app_client.base import USER_NOT_FOUND, DirectMessenger
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.base import FieldSpec, PlatformName
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

# The platforms that have an IM app, and its client class.
MESSENGERS: dict[PlatformName, type[AppClient]] = {
    name: platform.im_app for name, platform in PLATFORMS.items() if platform.im_app is not None
}


def credential_specs(platform: PlatformName) -> tuple[FieldSpec, ...]:
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
    return MESSENGERS[platform](get_platform(platform), credentials, http, base_url=base_url)


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
