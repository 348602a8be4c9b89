"""The bot's commands found in message text: mention placeholders or typed names skipped, any case
and spelling of the separators, an argument after the command; and which messages the bot takes."""

from __future__ import annotations

import pytest

from hookcast.feishubot.commands import Command, CommandName, parse_command
from hookcast.feishubot.pushed import MentionRef, MessageReceived
from hookcast.feishubot.service import command_of, language_hint, membership_question, target_chat

BOT = MentionRef("@_user_1", "ou_bot", "hookcast")


@pytest.mark.parametrize(
    "text",
    [
        "@_user_1 get_webhook",
        "@_user_1 GET_WEBHOOK",
        "@_user_1 Get-Webhook",
        "@_user_1 getwebhook",
        "@_user_1  /get_webhook  ",
        "get_webhook",
        "@hookcast get_webhook",
        "@极狐GitLab 助手 get_webhook please",
    ],
)
def test_get_webhook_in_any_spelling(text: str) -> None:
    command = parse_command(text, [BOT])
    assert command is not None and command.name is CommandName.GET_WEBHOOK


def test_help_unbind_and_arguments() -> None:
    assert parse_command("@_user_1 HELP", [BOT]) == Command(CommandName.HELP)
    assert parse_command("@_user_1 unbind.", [BOT]) == Command(CommandName.UNBIND)
    assert parse_command("@_user_1 解绑", [BOT]) == Command(CommandName.UNBIND)
    assert parse_command("get_webhook oc_abc123", []) == Command(CommandName.GET_WEBHOOK, "oc_abc123")
    assert parse_command("get_webhook <script>", []) == Command(CommandName.GET_WEBHOOK)
    assert parse_command("@_user_1 hello there", [BOT]) is None
    assert parse_command("", []) is None


def test_leading_tells_a_command_from_chatter() -> None:
    assert parse_command("help", []) == Command(CommandName.HELP, leading=True)
    chatter = parse_command("can someone help me", [])
    assert chatter is not None and not chatter.leading


def message(text: str, *, chat_type: str = "group", mentions: tuple[MentionRef, ...] = ()) -> MessageReceived:
    return MessageReceived("oc_1", chat_type, "om_1", "ou_ann", "user", "text", text, mentions)


def test_which_messages_the_bot_takes() -> None:
    assert command_of(message("@_user_1 get_webhook", mentions=(BOT,))) == Command(CommandName.GET_WEBHOOK)
    assert command_of(message("@_user_1 hi", mentions=(BOT,))) == Command(CommandName.HELP)
    assert command_of(message("lunch?")) is None  # group chatter without a mention
    assert command_of(message("can someone help me")) is None
    assert command_of(message("hi", chat_type="p2p")) == Command(CommandName.HELP)
    bot_message = MessageReceived("oc_1", "group", "om", "ou_x", "app", "text", "help", ())
    assert command_of(bot_message) is None


def test_target_chat_and_membership_question() -> None:
    group = message("@_user_1 get_webhook", mentions=(BOT,))
    assert target_chat(group, Command(CommandName.GET_WEBHOOK)) == "oc_1"
    private = message("get_webhook oc_team", chat_type="p2p")
    assert target_chat(private, Command(CommandName.GET_WEBHOOK, "oc_team")) == "oc_team"
    assert target_chat(private, Command(CommandName.GET_WEBHOOK, "nonsense")) is None
    question = membership_question(private)
    assert question is not None and (question.chat_id, question.open_id) == ("oc_team", "ou_ann")
    assert membership_question(message("@_user_1 help", mentions=(BOT,))) is None


def test_language_hint() -> None:
    assert language_hint("后端组") == "zh_CN"
    assert language_hint("Backend team") is None
