"""The Bot API methods the fake server answers (all but getUpdates, which waits and lives in the server).

Each method takes the decoded parameters and uploaded files and returns the ``result`` of a
successful answer, or raises ApiError with Telegram's error code and description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.platforms.telegram_render import REACTION_EMOJI

from .telegram_html import HtmlParseError, parse_html, utf16_len
from .telegram_state import (
    JSON,
    ApiError,
    StoredFile,
    TelegramState,
    UploadedFile,
    bad_request,
    reply_snapshot,
    scope_key,
)
from .telegram_updates import UpdateQueue

Method = Callable[[JSON, dict[str, UploadedFile]], Any]

MESSAGE_LIMIT = 4096  # UTF-16 code units after entity parsing
CAPTION_LIMIT = 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOFn; C4/C8/CC are other segments


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG image, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments to the frame header, which holds height then width."""
    index = 2
    while index + 9 <= len(data) and data[index] == 0xFF:
        marker, length = data[index + 1], int.from_bytes(data[index + 2:index + 4], "big")
        if marker in _JPEG_FRAME_MARKERS:
            height = int.from_bytes(data[index + 5:index + 7], "big")
            return int.from_bytes(data[index + 7:index + 9], "big"), height
        index += 2 + length
    return None


class BotApi:
    """Bot API methods over a TelegramState and an UpdateQueue."""

    def __init__(self, state: TelegramState, updates: UpdateQueue, *, strict_ampersand: bool = False) -> None:
        self.state = state
        self.updates = updates
        self.strict_ampersand = strict_ampersand
        self.webhook: JSON = {}  # what setWebhook set: url, secret_token, max_connections, ...
        self._methods: dict[str, tuple[str, Method]] = {
            name.lower(): (name, method)
            for name, method in {
                "getMe": self.get_me,
                "deleteWebhook": self.delete_webhook,
                "setWebhook": self.set_webhook,
                "getWebhookInfo": self.get_webhook_info,
                "sendMessage": self.send_message,
                "editMessageText": self.edit_message_text,
                "editMessageReplyMarkup": self.edit_message_reply_markup,
                "deleteMessage": self.delete_message,
                "answerCallbackQuery": self.answer_callback_query,
                "setMyCommands": self.set_my_commands,
                "getMyCommands": self.get_my_commands,
                "deleteMyCommands": self.delete_my_commands,
                "getChat": self.get_chat,
                "getChatMember": self.get_chat_member,
                "getChatAdministrators": self.get_chat_administrators,
                "getChatMemberCount": self.get_chat_member_count,
                "sendDocument": self.send_document,
                "sendPhoto": self.send_photo,
                "setMessageReaction": self.set_message_reaction,
                "getFile": self.get_file,
                "sendChatAction": self.send_chat_action,
            }.items()
        }

    def canonical_name(self, method: str) -> str:
        """Telegram matches method names case-insensitively; record them in their documented case."""
        if method.lower() == "getupdates":
            return "getUpdates"
        known = self._methods.get(method.lower())
        return known[0] if known else method

    def call(self, method: str, params: JSON, files: dict[str, UploadedFile]) -> Any:
        known = self._methods.get(method.lower())
        if known is None:
            raise ApiError(404, "Not Found")
        return known[1](params, files)

    # -- shared checks -------------------------------------------------------------------------

    def formatted(self, params: JSON, field: str, limit: int, too_long: str) -> tuple[str, list[JSON]]:
        """(text, entities) of a text or caption after parse_mode, checked like Telegram checks it."""
        raw = params.get(field, "")
        if not isinstance(raw, str):
            raw = str(raw)
        parse_mode = str(params.get("parse_mode") or "").lower()
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif parse_mode in ("", "markdown", "markdownv2"):
            # Markdown is passed through unchecked: the fake only validates HTML.
            entities_param = "caption_entities" if field == "caption" else "entities"
            text, entities = raw, list(params.get(entities_param) or [])
        else:
            raise bad_request("unsupported parse_mode")
        if utf16_len(text) > limit:
            raise bad_request(too_long)
        return text, entities

    def sendable_chat(self, params: JSON, what: str = "text messages") -> JSON:
        chat = self.state.resolve_chat(params.get("chat_id"))
        self.bot_in(chat)
        if chat["id"] in self.state.bot_muted:
            raise bad_request(f"not enough rights to send {what} to the chat")
        if chat["type"] == "private":
            user = self.state.users.get(chat["id"], {})
            if user.get("is_bot"):
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
            if chat["id"] in self.state.blocked:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def reply_content(self, chat: JSON, params: JSON) -> JSON:
        """reply_to_message and message_thread_id for a message the bot sends."""
        content: JSON = {}
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_id is not None:
            reply_chat_id = chat["id"]
            if "chat_id" in reply:
                reply_chat_id = self.state.resolve_chat(reply["chat_id"])["id"]
            replied = self.state.messages.get(reply_chat_id, {}).get(reply_id)
            if replied is not None:
                content["reply_to_message"] = reply_snapshot(replied)
            elif not reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply")):
                raise bad_request("message to be replied not found")
        if params.get("message_thread_id") is not None:
            content["message_thread_id"] = params["message_thread_id"]
            if chat.get("is_forum"):
                content["is_topic_message"] = True
        return content

    @staticmethod
    def inline_markup(params: JSON) -> JSON | None:
        # Only inline keyboards belong to a message; reply keyboards are not echoed back by Telegram.
        markup = params.get("reply_markup")
        return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None

    def bot_message(self, params: JSON, missing: str) -> JSON:
        chat = self.state.resolve_chat(params.get("chat_id"))
        return self.state.message(chat["id"], params.get("message_id"), missing)

    # -- methods -------------------------------------------------------------------------------

    def get_me(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self.state.bot_user

    def delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self.updates.drop_pending()
        return True

    def set_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        # Unlike Telegram the fake takes plain-http loopback URLs: nothing here can speak TLS.
        if not params.get("url"):
            return self.delete_webhook(params, files)
        if params.get("allowed_updates") is not None:
            self.updates.set_allowed(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self.updates.drop_pending()
        self.webhook = {"url": params["url"], "max_connections": params.get("max_connections", 40),
                        "secret_token": params.get("secret_token"), "ip_address": params.get("ip_address")}
        return True

    def get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        info: JSON = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                      "pending_update_count": len(self.updates.pending)}
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("ip_address"):
                info["ip_address"] = self.webhook["ip_address"]
        if self.updates.allowed_updates:
            info["allowed_updates"] = list(self.updates.allowed_updates)
        return info

    def send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self.sendable_chat(params)
        text, entities = self.formatted(params, "text", MESSAGE_LIMIT, "message is too long")
        if not text.strip():
            raise bad_request("message text is empty")
        content: JSON = {"text": text, **self.reply_content(chat, params)}
        if entities:
            content["entities"] = entities
        markup = self.inline_markup(params)
        if markup:
            content["reply_markup"] = markup
        return self.state.store_message(chat, self.state.bot_user, content)

    def edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> JSON | bool:
        if params.get("inline_message_id") is not None:
            return True  # inline messages: Telegram answers True, and the fake keeps no copy of them
        message = self.bot_message(params, "message to edit not found")
        if message["from"]["id"] != self.state.bot_user["id"]:
            raise bad_request("message can't be edited")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self.formatted(params, "text", MESSAGE_LIMIT, "message is too long")
        # Leaving out reply_markup removes the inline keyboard, as on Telegram.
        markup = self.inline_markup(params)
        current = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if (text, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        message.update(text=text, edit_date=self.state.now())
        self._set_optional(message, "entities", entities or None)
        self._set_optional(message, "reply_markup", markup)
        return message

    def edit_message_reply_markup(self, params: JSON, files: dict[str, UploadedFile]) -> JSON | bool:
        if params.get("inline_message_id") is not None:
            return True  # inline messages: Telegram answers True, and the fake keeps no copy of them
        message = self.bot_message(params, "message to edit not found")
        if message["from"]["id"] != self.state.bot_user["id"]:
            raise bad_request("message can't be edited")
        markup = self.inline_markup(params)
        if markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        self._set_optional(message, "reply_markup", markup)
        message["edit_date"] = self.state.now()
        return message

    def delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat = self.state.resolve_chat(params.get("chat_id"))
        message = self.state.message(chat["id"], params.get("message_id"), "message to delete not found")
        own = message["from"]["id"] == self.state.bot_user["id"]
        if chat["type"] != "private" and not own:
            rights = self.state.admins.get(chat["id"], {}).get(self.state.bot_user["id"], {})
            if not rights.get("can_delete_messages"):
                raise bad_request("message can't be deleted")
        del self.state.messages[chat["id"]][message["message_id"]]
        return True

    def answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if self.state.callback_queries.get(query_id) != {}:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        answer: JSON = {"answered": True}
        answer.update({k: params[k] for k in ("text", "show_alert", "url", "cache_time") if k in params})
        self.state.callback_queries[query_id] = answer
        return True

    def set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not _COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters long")
        key = scope_key(params.get("scope"), params.get("language_code"))
        self.state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return self.state.commands.get(scope_key(params.get("scope"), params.get("language_code")), [])

    def delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.state.commands.pop(scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    def get_chat(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self.state.full_chat(self.bot_in(self.state.resolve_chat(params.get("chat_id"))))

    def bot_in(self, chat: JSON) -> JSON:
        """A group the bot was removed from answers 403, as Telegram does."""
        if chat["id"] in self.state.bot_removed:
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        return chat

    def get_chat_member(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self.state.resolve_chat(params.get("chat_id"))
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request("invalid user_id specified")
        return self.state.chat_member(chat["id"], user_id)

    def get_chat_administrators(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        chat = self.state.resolve_chat(params.get("chat_id"))
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        return self.state.administrators(chat["id"])

    def get_chat_member_count(self, params: JSON, files: dict[str, UploadedFile]) -> int:
        chat = self.state.resolve_chat(params.get("chat_id"))
        return 2 if chat["type"] == "private" else len(self.state.members.get(chat["id"], set()))

    def send_document(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self.sendable_chat(params, "documents")
        stored = self.document_file(params.get("document"), files)
        content: JSON = {"document": stored.as_document(), **self.reply_content(chat, params)}
        return self.store_with_caption(chat, params, content)

    def send_photo(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        """One PhotoSize, the image as sent (Telegram adds smaller copies and scales big ones down).

        Telegram decodes the image; the fake reads the size of a PNG, GIF or JPEG and refuses anything
        else the way Telegram refuses a broken upload.
        """
        chat = self.sendable_chat(params, "photos")
        stored = self.document_file(params.get("photo"), files, field="photo", folder="photos")
        size = image_size(stored.content)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        photo = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "file_size": len(stored.content), "width": size[0], "height": size[1]}
        content: JSON = {"photo": [photo], **self.reply_content(chat, params)}
        return self.store_with_caption(chat, params, content)

    def store_with_caption(self, chat: JSON, params: JSON, content: JSON) -> JSON:
        """Store a bot's media message with its caption (after parse_mode) and inline keyboard."""
        if params.get("caption"):
            caption, entities = self.formatted(params, "caption", CAPTION_LIMIT,
                                               "message caption is too long")
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        markup = self.inline_markup(params)
        if markup:
            content["reply_markup"] = markup
        return self.state.store_message(chat, self.state.bot_user, content)

    def document_file(self, value: Any, files: dict[str, UploadedFile], *, field: str = "document",
                      folder: str = "documents") -> StoredFile:
        """The file a `document` (or `photo`) parameter names: an upload (direct or attach://) or a
        known file_id."""
        upload = files.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            return self.state.store_file(upload.content, upload.filename, upload.content_type, folder)
        if isinstance(value, str) and value in self.state.files:
            return self.state.files[value]
        # URLs included: the fake never fetches anything from the network.
        raise bad_request("wrong file identifier/HTTP URL specified")

    def set_message_reaction(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat = self.state.resolve_chat(params.get("chat_id"))
        self.state.message(chat["id"], params.get("message_id"), "MESSAGE_ID_INVALID")
        reactions = params.get("reaction") or []
        emojis = [r.get("emoji") for r in reactions if r.get("type") == "emoji"]
        if any(e not in REACTION_EMOJI for e in emojis):  # Telegram accepts only its fixed reaction set
            raise bad_request("REACTION_INVALID")
        # Custom emoji ids are numbers. PTB turns a string outside its reaction list into a custom
        # emoji with that string as id, so a plain "🎬" arrives here as custom_emoji_id "🎬".
        if any(r.get("type") == "custom_emoji" and not str(r.get("custom_emoji_id", "")).isdigit()
               for r in reactions):
            raise bad_request("REACTION_INVALID")
        self.state.set_reaction(chat["id"], params["message_id"], self.state.bot_user["id"], emojis)
        return True

    def get_file(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        stored = self.state.files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_file()

    def send_chat_action(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.sendable_chat(params)
        return True

    @staticmethod
    def _set_optional(target: JSON, key: str, value: Any) -> None:
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
