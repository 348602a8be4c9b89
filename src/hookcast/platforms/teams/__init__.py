"""Microsoft Teams: the group webhook (`webhook`); it has no IM app."""

from hookcast.platforms.teams.webhook import Teams

__all__ = ["Teams"]
