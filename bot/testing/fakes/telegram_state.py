"""The world the fake Bot API server describes: the bot, users, chats, messages, files, commands.

Objects are kept as plain Bot API dicts (what the wire carries), so what the server returns and what
tests assert on are the same shapes a real bot sees. Nothing here does I/O.
"""

from __future__ import annotations

import copy
import itertools
import json
import mimetypes
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .telegram_html import utf16_len

JSON = dict[str, Any]

# The rights a typical group admin has. Every can_* field PTB's ChatMemberAdministrator knows is
# present: PTB builds the object with cls(**data), so a missing required field breaks parsing.
DEFAULT_ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_post_messages": False,
    "can_edit_messages": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
    "can_manage_direct_messages": False,
    "can_manage_tags": False,
}

# A /command, optionally addressed as /command@some_bot, at the start of a word.
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?![\w@])")


class ApiError(Exception):
    """A Bot API error answer: {"ok": false, "error_code": code, "description": ...}."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None
    mime_type: str | None

    def as_file(self) -> JSON:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.content), "file_path": self.file_path}

    def as_document(self) -> JSON:
        document: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                          "file_size": len(self.content)}
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document


def now() -> int:
    return int(time.time())


def command_entities(text: str) -> list[JSON]:
    """bot_command entities as Telegram marks them, with offsets in UTF-16 code units."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND_RE.finditer(text)
    ]


def reply_snapshot(message: JSON) -> JSON:
    """The replied-to message as Telegram embeds it: a copy, one level deep (no reply of its own)."""
    return copy.deepcopy({key: value for key, value in message.items() if key != "reply_to_message"})


def emoji_reactions(emojis: Iterable[str]) -> list[JSON]:
    return [{"type": "emoji", "emoji": emoji} for emoji in emojis]


def scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
    """Commands are stored per (scope, language); no scope means the default scope."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")


class TelegramState:
    """Users, chats and what happened in them, as the Bot API would report it."""

    def __init__(self, token: str, bot_first_name: str, bot_username: str) -> None:
        self.clock: Callable[[], float] = time.time  # where dates come from; a test may set a virtual clock
        # A real token starts with the bot's user id; keep that true so ids line up.
        bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.users: dict[int, JSON] = {bot_id: self.bot_user}
        self.chats: dict[int, JSON] = {}
        self.blocked: set[int] = set()
        self.bot_muted: set[int] = set()  # groups where an admin took the bot's right to send messages
        self.bot_removed: set[int] = set()  # groups the bot was removed from
        self.members: dict[int, set[int]] = {}
        self.admins: dict[int, dict[int, JSON]] = {}
        self.creators: dict[int, int] = {}
        self.messages: dict[int, dict[int, JSON]] = {}
        self._last_message_id: dict[int, int] = {}  # Telegram never reuses a deleted message's id
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_queries: dict[str, JSON] = {}  # id -> the answer, {} while unanswered
        self.reactions: dict[tuple[int, int], dict[int, list[str]]] = {}
        self.topics: dict[tuple[int, int], JSON] = {}  # (chat id, thread id) -> the topic's first message
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_numbers = itertools.count(1)

    # -- people and chats ----------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def add_user(self, first_name: str, username: str | None = None, *, last_name: str | None = None,
                 language_code: str | None = "en", is_bot: bool = False) -> JSON:
        user: JSON = {"id": next(self._user_ids), "is_bot": is_bot, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        self.users[user["id"]] = user
        return user

    def add_group(self, title: str, supergroup: bool = True, *, username: str | None = None,
                  creator: JSON | None = None, forum: bool = False) -> JSON:
        number = next(self._group_ids)
        # Supergroup ids are -100 followed by the channel id; basic groups are plain negatives.
        chat_id = -(1_000_000_000_000 + 2_000_000_000 + number) if supergroup else -(4_000_000_000 + number)
        chat: JSON = {"id": chat_id, "title": title, "type": "supergroup" if supergroup else "group"}
        if username:
            chat["username"] = username
        if forum:  # a supergroup with topics: messages carry their topic's message_thread_id
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        # Every group has an owner; make one up so admin lists look like real ones.
        owner = creator or self.add_user(f"Owner of {title}")
        self.creators[chat_id] = owner["id"]
        self.members[chat_id] = {owner["id"], self.bot_user["id"]}
        self.admins[chat_id] = {}
        return chat

    def private_chat(self, user: JSON) -> JSON:
        chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self.chats.setdefault(user["id"], chat)
        return self.chats[user["id"]]

    def set_admins(self, chat: JSON, users: Sequence[JSON], *, creator: JSON | None = None,
                   rights: JSON | None = None) -> None:
        chat_id = chat["id"]
        if creator is not None:
            self.creators[chat_id] = creator["id"]
        self.admins[chat_id] = {user["id"]: {**DEFAULT_ADMIN_RIGHTS, **(rights or {})} for user in users}
        self.members.setdefault(chat_id, set()).update(user["id"] for user in users)

    def is_admin(self, chat_id: int, user_id: int) -> bool:
        return user_id in self.admins.get(chat_id, {}) or self.creators.get(chat_id) == user_id

    def bot_is_admin(self, chat_id: int) -> bool:
        return self.is_admin(chat_id, self.bot_user["id"])

    def resolve_chat(self, chat_id: Any) -> JSON:
        """The chat a chat_id parameter names: an id, "@username", or a known user's id."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == chat_id[1:].lower():
                    return chat
        elif isinstance(chat_id, int | str) and str(chat_id).lstrip("-").isdigit():
            number = int(chat_id)
            if number in self.chats:
                return self.chats[number]
            if number in self.users and number != self.bot_user["id"]:
                return self.private_chat(self.users[number])
        raise bad_request("chat not found")

    def chat_member(self, chat_id: int, user_id: int) -> JSON:
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if self.creators.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self.admins.get(chat_id, {}):
            return {"status": "administrator", "user": user, **self.admins[chat_id][user_id]}
        status = "member" if user_id in self.members.get(chat_id, set()) else "left"
        return {"status": status, "user": user}

    def administrators(self, chat_id: int) -> list[JSON]:
        creator = [self.creators[chat_id]] if chat_id in self.creators else []
        ids = creator + list(self.admins.get(chat_id, {}))
        return [self.chat_member(chat_id, user_id) for user_id in ids]

    def full_chat(self, chat: JSON) -> JSON:
        # ChatFullInfo fields PTB requires; the values are those of an ordinary chat.
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                    "premium_subscription": False, "gifts_from_channels": False},
        }

    # -- messages ------------------------------------------------------------------------------

    def store_message(self, chat: JSON, sender: JSON, content: JSON, date: int | None = None) -> JSON:
        """A new message; ``date`` (unix seconds) defaults to now, a test's virtual clock may set it."""
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        message: JSON = {"message_id": message_id, "from": sender, "chat": chat,
                         "date": self.now() if date is None else date, **content}
        self.messages.setdefault(chat["id"], {})[message_id] = message
        if chat["type"] != "private":
            self.members.setdefault(chat["id"], set()).add(sender["id"])
        return message

    def message(self, chat_id: int, message_id: Any, missing: str = "message not found") -> JSON:
        found = self.messages.get(chat_id, {}).get(message_id) if isinstance(message_id, int) else None
        if found is None:
            raise bad_request(missing)
        return found

    def add_topic(self, chat: JSON, name: str) -> int:
        """A forum topic, opened by the group's owner: its first message (forum_topic_created, with the
        name) gives the topic its id, the message_thread_id of every message in it."""
        owner = self.users[self.creators[chat["id"]]]
        created = self.store_message(chat, owner, {"forum_topic_created": {"name": name, "icon_color": 7322096},
                                                   "is_topic_message": True})
        created["message_thread_id"] = created["message_id"]
        self.topics[(chat["id"], created["message_id"])] = created
        return int(created["message_id"])

    def user_text(self, chat: JSON, user: JSON, text: str, reply_to: int | None = None,
                  date: int | None = None, topic: int | None = None) -> JSON:
        content: JSON = {"text": text}
        if topic is not None:
            content.update(message_thread_id=topic, is_topic_message=True)
            opened = self.topics.get((chat["id"], topic))
            if opened is not None and reply_to is None:  # as Telegram: a topic's message answers its first
                content["reply_to_message"] = reply_snapshot(opened)
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            content["reply_to_message"] = reply_snapshot(self.message(chat["id"], reply_to))
        if chat["type"] == "private":
            self.blocked.discard(user["id"])  # writing to the bot starts it
        return self.store_message(chat, user, content, date)

    def user_document(self, chat: JSON, user: JSON, filename: str, content: bytes,
                      caption: str | None, date: int | None = None) -> JSON:
        stored = self.store_file(content, filename, None, folder="documents")
        message_content: JSON = {"document": stored.as_document()}
        if caption is not None:
            message_content["caption"] = caption
        return self.store_message(chat, user, message_content, date)

    def store_file(self, content: bytes, filename: str | None, mime_type: str | None,
                   folder: str) -> StoredFile:
        number = next(self._file_numbers)
        suffix = "." + filename.rsplit(".", 1)[1] if filename and "." in filename else ""
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        stored = StoredFile(
            file_id=f"BQACAgFakeFile{number:06d}", file_unique_id=f"AgADFake{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}", content=content, file_name=filename,
            mime_type=mime_type or guessed,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    # -- callback queries and reactions --------------------------------------------------------

    def new_callback_query(self, chat: JSON, user: JSON, message_id: int, data: str) -> JSON:
        query_id = str(next(self._callback_ids))
        self.callback_queries[query_id] = {}
        return {
            "id": query_id,
            "from": user,
            "message": self.message(chat["id"], message_id),
            # Stable per chat, like Telegram's: it identifies the chat for game high scores.
            "chat_instance": str(-(5_000_000_000_000_000_000 + abs(chat["id"]))),
            "data": data,
        }

    def set_reaction(self, chat_id: int, message_id: int, user_id: int, emojis: list[str]) -> list[str]:
        """Record a user's reaction on a message; returns what it was before."""
        per_user = self.reactions.setdefault((chat_id, message_id), {})
        old = per_user.get(user_id, [])
        per_user[user_id] = list(emojis)
        return old

    def reaction_counts(self, chat_id: int, message_id: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for emojis in self.reactions.get((chat_id, message_id), {}).values():
            for emoji in emojis:
                counts[emoji] = counts.get(emoji, 0) + 1
        return counts

    # -- why an update would never reach the bot -----------------------------------------------

    def message_blocker(self, chat: JSON, message: JSON) -> str | None:
        """Privacy mode: in groups a bot that is not an admin sees commands, replies and mentions only."""
        if chat["type"] == "private" or self.bot_user["can_read_all_group_messages"]:
            return None
        if self.bot_is_admin(chat["id"]):
            return None
        text = message.get("text") or message.get("caption") or ""
        bot_name = self.bot_user["username"].lower()
        for match in _COMMAND_RE.finditer(text):
            if match.group(1) is None or match.group(1).lower() == bot_name:
                return None
        if f"@{bot_name}" in text.lower():
            return None
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.bot_user["id"]:
            return None
        return "privacy mode: the bot is not an admin and the message is no command, reply or mention"

    def reaction_blocker(self, chat: JSON, user: JSON | None) -> str | None:
        """Reaction updates need the bot to be an admin, and never report other bots' reactions."""
        if chat["type"] != "private" and not self.bot_is_admin(chat["id"]):
            return "reaction updates need the bot to be an administrator in the chat"
        if user is not None and user.get("is_bot"):
            return "reactions set by bots are not reported"
        return None
