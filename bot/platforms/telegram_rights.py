"""Which right a refused Telegram send lacked, read from the Bot API's error description.

The Bot API has no error codes for this: a muted bot gets "Bad Request: not enough rights to send text
messages to the chat", a removed one "Forbidden: bot was kicked from the group chat". The answer is a key
of the "notices.permission.*" texts, or None when the refusal is not about the bot's rights (a malformed
message, a person who never started the bot).
"""

from __future__ import annotations

# Searched in order in the lower-cased description; the first match names the right.
_RIGHTS = (
    ("not enough rights to send photos", "send_photos"),
    ("not enough rights to send documents", "send_documents"),
    ("not enough rights to send", "send_messages"),
    ("have no rights to send", "send_messages"),
    ("chat_write_forbidden", "send_messages"),
    ("need administrator rights in the channel", "post_messages"),
    ("bot was kicked", "membership"),
    ("bot is not a member", "membership"),
)


def missing_right(description: str) -> str | None:
    lowered = description.lower()
    return next((right for phrase, right in _RIGHTS if phrase in lowered), None)
