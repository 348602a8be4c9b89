"""Feishu and its international edition Lark: the custom bot webhook (`webhook`), the IM app
that sends direct messages (`im_app`) and the chat URLs the assistant bot hands out
(`chat_urls`)."""

from hookcast.platforms.feishu.webhook import Feishu, Lark

__all__ = ["Feishu", "Lark"]
