"""Chat platforms: one module each, registered here."""

from __future__ import annotations

from hookcast.platforms.base import Platform, PlatformName
from hookcast.platforms.feishu import Feishu, Lark

# name -> the platform's module object (filled by the platform modules' registration below)
PLATFORMS: dict[PlatformName, Platform] = {
    platform.name: platform
    for platform in (
        Feishu(),
        Lark(),
    )
}


def get_platform(name: PlatformName | str) -> Platform:
    return PLATFORMS[PlatformName(name)]
