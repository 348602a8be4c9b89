"""WeCom: the group webhook (`webhook`) and the IM app that sends direct messages (`im_app`)."""

from hookcast.platforms.wecom.webhook import WeCom

__all__ = ["WeCom"]
