"""Forum topics: where in a group an announcement goes, and what the topics are called.

A target is a chat id (`-1001234`) or, for a topic of a forum group, the chat id and the topic's
message_thread_id (`-1001234/42`, like the topic's t.me/c link). Targets stored before topics existed
are plain chat ids and keep meaning the whole chat (its General topic in a forum).

The Bot API cannot look a topic's name up; every message in a topic points at the topic's first
message (its creation, with the name), so names are learned from the messages the bot sees.
"""

from __future__ import annotations

from telegram import Message

SEPARATOR = "/"


def target(chat_id: str, topic: str | None) -> str:
    return f"{chat_id}{SEPARATOR}{topic}" if topic else chat_id


def split_target(value: str) -> tuple[int, int | None]:
    """The chat id and the topic (None: the chat itself) of a target."""
    chat, _, topic = value.partition(SEPARATOR)
    return int(chat), int(topic) if topic.isdigit() else None


def chat_of(value: str) -> str:
    """The chat of a target: a topic's posts count against its group's sending limit."""
    return value.partition(SEPARATOR)[0]


def topic_of(message: Message) -> int | None:
    """The forum topic a message was written in; None outside topics (and in a forum's General topic)."""
    return message.message_thread_id if message.is_topic_message else None


class TopicNames:
    """The names of the topics seen, by (chat id, thread id); the newest name wins (a topic renamed)."""

    def __init__(self) -> None:
        self._names: dict[tuple[int, int], str] = {}

    def learn(self, message: Message) -> None:
        thread = topic_of(message)
        if thread is None:
            return
        for source in (message, message.reply_to_message):
            if source is None:
                continue
            created, edited = source.forum_topic_created, source.forum_topic_edited
            name = (edited.name if edited is not None else None) or (created.name if created else None)
            # A reply to another message inside the topic carries that message, not the topic's first one.
            if name and (source is message or source.message_id == thread):
                self._names[(message.chat.id, thread)] = name
                return

    def name(self, chat_id: int, thread: int) -> str | None:
        return self._names.get((chat_id, thread))
