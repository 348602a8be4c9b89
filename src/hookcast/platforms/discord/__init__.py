"""Discord: the group webhook (`webhook`); it has no IM app."""

from hookcast.platforms.discord.webhook import Discord

__all__ = ["Discord"]
