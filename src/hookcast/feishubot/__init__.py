"""The Feishu / Lark assistant bot: it greets the group chats it is added to, hands a chat's
webhook URL privately to the member who asks (``@bot get_webhook``), and posts the messages of
webhooks with such a URL into the chat through the app.

``events`` and ``commands`` are pure parsing; ``service`` holds the use cases; ``runner`` works
off the stored events and sends the bot's messages; ``delivery`` is the worker's way into a chat.
"""
