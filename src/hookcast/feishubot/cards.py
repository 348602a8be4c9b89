"""What the assistant bot says, as Messages encoded into the same interactive card the group
webhooks get. Pure. Text comes from the gettext catalogs; a chat whose language is not known
gets every language, English first."""

from __future__ import annotations

from typing import Any

from hookcast.events import Tone
from hookcast.messages.i18n import N_, translator
from hookcast.messages.model import LANGUAGES, Action, Line, Mention, Message, Text
from hookcast.platforms import get_platform
from hookcast.platforms.base import PlatformName
from hookcast.platforms.feishu.im_app import direct_card

GUIDE_PATH = "/guide/feishu"
TITLE_SEPARATOR = " · "

WELCOME_TITLE = N_("Hello, I am the hookcast assistant")
WELCOME_LINES = (
    N_(
        "I post your projects' notifications in this chat: code pushes, merge requests, issues, "
        "pipelines, deployments and alerts."
    ),
    N_("To connect a project, mention me with get_webhook: I will send you this chat's webhook URL."),
    N_("The guide shows the next steps, with pictures."),
)
GUIDE_BUTTON = N_("Open the guide")
HELP_TITLE = N_("What the hookcast assistant can do")
HELP_LINES = (
    N_("get_webhook: sends you this chat's webhook URL in a private message (members of this chat only)."),
    N_("unbind: revokes this chat's webhook URL; projects using it stop posting here."),
    N_("help: shows this help."),
)
SENT_PRIVATELY = N_("I sent you this chat's webhook URL in a private message.")
URL_TITLE = N_("Webhook URL of the chat “{chat}”")
URL_LINES = (
    N_(
        "Paste it as the webhook URL of a project's {platform} integration in hookcast (UI, API or "
        "CLI). Messages for that webhook are posted into the chat by this app."
    ),
    N_("Keep it to yourself. Send unbind in the chat to revoke it."),
)
REFUSED = N_("Only members of this chat can get its webhook URL.")
ASK_IN_CHAT = N_("Send get_webhook in the group chat you want to connect, mentioning me there.")
NOT_IN_CHAT = N_("I am not in that chat: add me to it first.")
UNBOUND = N_("This chat's webhook URL was revoked: projects using it no longer post here.")
NOTHING_TO_UNBIND = N_("This chat has no webhook URL to revoke.")


def languages(language: str | None) -> tuple[str, ...]:
    """The chat's language when known; every language otherwise."""
    return (language,) if language in LANGUAGES else LANGUAGES


def _title(msgid: str, langs: tuple[str, ...], **values: str) -> str:
    return TITLE_SEPARATOR.join(translator(lang).format(msgid, **values) for lang in langs)


def _lines(langs: tuple[str, ...], *msgids: str, **values: str) -> tuple[Line, ...]:
    lines: list[Line] = []
    for lang in langs:
        t = translator(lang)
        lines.extend((Text(t.format(msgid, **values)),) for msgid in msgids)
    return tuple(lines)


def _button(msgid: str, langs: tuple[str, ...]) -> str:
    return " / ".join(translator(lang).gettext(msgid) for lang in langs)


def _message(title: str, tone: Tone, lines: tuple[Line, ...], actions: tuple[Action, ...] = ()) -> Message:
    return Message(title=title, tone=tone, lines=lines, actions=actions, summary=title)


def guide_url(base_url: str, language: str | None = None) -> str:
    url = base_url.rstrip("/") + GUIDE_PATH
    return f"{url}?lang={language}" if language in LANGUAGES else url


def welcome(base_url: str, language: str | None) -> Message:
    langs = languages(language)
    return _message(
        _title(WELCOME_TITLE, langs),
        Tone.SUCCESS,
        _lines(langs, *WELCOME_LINES),
        (Action(_button(GUIDE_BUTTON, langs), guide_url(base_url, language)),),
    )


def help_card(base_url: str, language: str | None) -> Message:
    langs = languages(language)
    return _message(
        _title(HELP_TITLE, langs),
        Tone.NEUTRAL,
        _lines(langs, *HELP_LINES),
        (Action(_button(GUIDE_BUTTON, langs), guide_url(base_url, language)),),
    )


def note(msgid: str, language: str | None, tone: Tone = Tone.NEUTRAL, **values: str) -> Message:
    """A one-line reply (refusals, confirmations)."""
    langs = languages(language)
    lines = _lines(langs, msgid, **values)
    return _message(lines[0][0].text if isinstance(lines[0][0], Text) else "", tone, lines)


def sent_privately(platform: PlatformName, asker_open_id: str | None, language: str | None) -> Message:
    """The short group reply; it mentions the asker natively."""
    langs = languages(language)
    lines = list(_lines(langs, SENT_PRIVATELY))
    if asker_open_id:
        mention = Mention(name="", ids={platform.value: asker_open_id})
        lines[0] = (mention, Text(" "), *lines[0])
    title = _title(SENT_PRIVATELY, langs)
    return _message(title, Tone.SUCCESS, tuple(lines))


def webhook_url(
    platform: PlatformName, url: str, chat_name: str, base_url: str, language: str | None
) -> Message:
    """The private card with the chat's webhook URL."""
    langs = languages(language)
    label = get_platform(platform).label
    lines: list[Line] = [(Text(url, code=True),)]
    lines.extend(_lines(langs, *URL_LINES, platform=label))
    return _message(
        _title(URL_TITLE, langs, chat=chat_name or "—"),
        Tone.SUCCESS,
        tuple(lines),
        (Action(_button(GUIDE_BUTTON, langs), guide_url(base_url, language)),),
    )


def card_json(platform: PlatformName, message: Message, key: str) -> dict[str, Any]:
    """The interactive card body of ``message`` (the group webhook's card)."""
    return direct_card(get_platform(platform), message, key)
