"""hookcast: development events to team chats, delivered reliably."""

__version__ = "0.1.0"
