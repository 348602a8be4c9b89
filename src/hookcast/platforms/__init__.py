"""The platform registry: every chat platform hookcast posts to, one package each.

Adding a platform is its package (``platforms/<name>/``), its name here and its line in
`PLATFORMS`. `PlatformName` is defined before the packages are imported on purpose: they (and
``base.py``, which re-exports it) read it while this module is still being imported.
"""

from __future__ import annotations

from enum import StrEnum


class PlatformName(StrEnum):
    FEISHU = "feishu"
    LARK = "lark"
    DINGTALK = "dingtalk"
    WECOM = "wecom"
    SLACK = "slack"
    DISCORD = "discord"
    TEAMS = "teams"
    GOOGLE_CHAT = "google_chat"
    MATTERMOST = "mattermost"


from hookcast.platforms.base import Platform  # noqa: E402
from hookcast.platforms.dingtalk import DingTalk  # noqa: E402
from hookcast.platforms.discord import Discord  # noqa: E402
from hookcast.platforms.feishu import Feishu, Lark  # noqa: E402
from hookcast.platforms.google_chat import GoogleChat  # noqa: E402
from hookcast.platforms.mattermost import Mattermost  # noqa: E402
from hookcast.platforms.slack import Slack  # noqa: E402
from hookcast.platforms.teams import Teams  # noqa: E402
from hookcast.platforms.wecom import WeCom  # noqa: E402

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
    )
}


def get_platform(name: PlatformName | str) -> Platform:
    return PLATFORMS[PlatformName(name)]
