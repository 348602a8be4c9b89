"""Chat platforms: one module each, registered here."""

from __future__ import annotations

from hookcast.platforms.base import Platform, PlatformName

# name -> the platform's module object (filled by the platform modules' registration below)
PLATFORMS: dict[PlatformName, Platform] = {}


def get_platform(name: PlatformName | str) -> Platform:
    return PLATFORMS[PlatformName(name)]
