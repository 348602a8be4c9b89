"""The names of the chat platforms: the one list a new platform adds its name to (besides its
package and its line in the registry, ``platforms/__init__.py``).

A leaf module, so that a platform's package can name itself without importing the registry,
which imports every platform: the packages stay independent of each other (an import contract
checks it).
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
    TELEGRAM = "telegram"
