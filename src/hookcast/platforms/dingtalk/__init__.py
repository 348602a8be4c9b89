"""DingTalk: the group webhook (`webhook`) and the IM app that sends direct messages (`im_app`)."""

from hookcast.platforms.dingtalk.webhook import DingTalk

__all__ = ["DingTalk"]
