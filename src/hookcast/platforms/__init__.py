"""The platform registry: every chat platform hookcast posts to, one package each.

Adding a platform is its package (``platforms/<name>/``), its name in `PlatformName`
(``names.py``) and its line in `PLATFORMS`.
"""

from __future__ import annotations

from hookcast.platforms.base import Platform
from hookcast.platforms.dingtalk import DingTalk
from hookcast.platforms.discord import Discord
from hookcast.platforms.feishu import Feishu, Lark
from hookcast.platforms.google_chat import GoogleChat
from hookcast.platforms.mattermost import Mattermost
from hookcast.platforms.names import PlatformName
from hookcast.platforms.slack import Slack
from hookcast.platforms.teams import Teams
from hookcast.platforms.telegram import Telegram
from hookcast.platforms.wecom import WeCom

__all__ = ["PLATFORMS", "Platform", "PlatformName", "get_platform"]

# name -> the platform's declaration, in the order the UI and the API list them
PLATFORMS: dict[PlatformName, Platform] = {
    platform.name: platform
    for platform in (
        Feishu(),
        Lark(),
        DingTalk(),
        WeCom(),
        Slack(),
        Discord(),
        Teams(),
        GoogleChat(),
        Mattermost(),
        Telegram(),
    )
}


def get_platform(name: PlatformName | str) -> Platform:
    return PLATFORMS[PlatformName(name)]
