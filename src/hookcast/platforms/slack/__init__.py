"""Slack: the group webhook (`webhook`) and the IM app that sends direct messages (`im_app`)."""

from hookcast.platforms.slack.webhook import Slack

__all__ = ["Slack"]
