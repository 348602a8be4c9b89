"""Chat platforms: one module each, registered here."""

from __future__ import annotations

from hookcast.platforms.base import Platform, PlatformName
from hookcast.platforms.dingtalk import DingTalk
from hookcast.platforms.discord import Discord
from hookcast.platforms.feishu import Feishu, Lark
from hookcast.platforms.slack import Slack
from hookcast.platforms.teams import Teams
from hookcast.platforms.telegram import Telegram
from hookcast.platforms.wecom import WeCom

# name -> the platform's module object: adding a platform is one module and one line here
PLATFORMS: dict[PlatformName, Platform] = {
    platform.name: platform
    for platform in (Feishu(), Lark(), DingTalk(), WeCom(), Slack(), Discord(), Teams(), Telegram())
}


def get_platform(name: PlatformName | str) -> Platform:
    return PLATFORMS[PlatformName(name)]
