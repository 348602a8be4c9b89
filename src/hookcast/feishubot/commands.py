"""The bot's commands, pure: ``get_webhook``, ``help`` and ``unbind`` found in a message's text.

Feishu replaces each mention in a text message with a placeholder (``@_user_1``) listed in
``mentions``; a message typed without a real mention may still start with ``@Name``. Both are
skipped: the first word that names a command wins, in any case, with ``-`` or ``_`` or none
between its words (``get_webhook``, ``Get-Webhook``, ``getwebhook``, ``/get_webhook``).
A word after the command is its argument (a chat id for ``get_webhook`` in a private chat).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hookcast.feishubot.pushed import MentionRef


class CommandName(StrEnum):
    GET_WEBHOOK = "get_webhook"
    HELP = "help"
    UNBIND = "unbind"


@dataclass(frozen=True, slots=True)
class Command:
    name: CommandName
    argument: str | None = None
    leading: bool = True  # the first word of the message (mentions aside)


_SPELLINGS: dict[str, CommandName] = {
    "getwebhook": CommandName.GET_WEBHOOK,
    "webhook": CommandName.GET_WEBHOOK,
    "help": CommandName.HELP,
    "帮助": CommandName.HELP,
    "unbind": CommandName.UNBIND,
    "解绑": CommandName.UNBIND,
}
_PLACEHOLDER = re.compile(r"@_user_\d+|@_all")
_ARGUMENT = re.compile(r"[A-Za-z0-9_\-]{1,128}")


def _normal(word: str) -> str:
    return re.sub(r"[-_]", "", word.strip().lstrip("/").rstrip(".,!?:;。！？，：").lower())


def parse_command(text: str, mentions: Sequence[MentionRef] = ()) -> Command | None:
    """The command in ``text``, or None when it names none."""
    for mention in mentions:
        if mention.key:
            text = text.replace(mention.key, " ")
    text = _PLACEHOLDER.sub(" ", text)
    words = text.split()
    plain_words = 0
    for index, word in enumerate(words):
        if word.startswith("@"):
            continue  # a typed "@Name" (a real mention is a placeholder, removed above)
        name = _SPELLINGS.get(_normal(word))
        plain_words += 1
        if name is None:
            continue
        rest = words[index + 1 :]
        argument = rest[0] if rest and _ARGUMENT.fullmatch(rest[0]) else None
        return Command(name, argument, leading=plain_words == 1)
    return None


def mentions_anyone(text: str, mentions: Sequence[MentionRef]) -> bool:
    return bool(mentions) or _PLACEHOLDER.search(text) is not None
