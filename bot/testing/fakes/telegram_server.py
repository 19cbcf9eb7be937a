"""FakeTelegram: a loopback stand-in for Telegram's Bot API, good enough for python-telegram-bot 22.

    async with FakeTelegram() as fake:
        app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
               .base_file_url(fake.base_file_url).build())
        group, alice = fake.add_group("Makers"), fake.add_user("Alice", "alice")
        ...  # initialize(), updater.start_polling(), start()
        fake.send_text(group, alice, "/start")
        reply = await fake.wait_for_call("sendMessage")

The server listens on 127.0.0.1 only and never fetches anything. It behaves like Telegram where
bots commonly trip: HTML parse errors and length limits, allowed_updates, privacy mode in groups,
reaction updates needing admin rights, 403 for users who never started the bot, 429 on demand, a group
where the bot was muted (400 "not enough rights") or removed (403 "bot was kicked").
With ``real_limits=True`` it also enforces Telegram's flood limits (per private chat, per group, overall;
configurable) with Telegram's 429 and ``retry_after``, counting the refusals in ``limit_hits``.

Trouble on demand, for reliability drills: fail_next/rate_limit_next (one call answers an error),
delay_next (one call is carried out but answered late, so a client with a shorter timeout gives up on a
message that exists), after_accept (a hook at the instant a sent message is stored, before the answer),
outage/restore (every request refused with a status, or cut without an answer), and inject_update /
unparseable_update for updates the library cannot parse.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import logging
import socket
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from .telegram_limits import LIMITED_METHODS, TelegramLimits
from .telegram_methods import BotApi
from .telegram_state import JSON, ApiError, TelegramState, UploadedFile, emoji_reactions
from .telegram_updates import DroppedUpdate, PollInterrupted, UpdateQueue

DEFAULT_TOKEN = "123456:fake-telegram-token"
# Methods whose success means "a message now exists in the chat": what after_accept watches.
ACCEPTED_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
AcceptHook = Callable[[JSON], Awaitable[None] | None]

_log = logging.getLogger(__name__)

# Parameters that are strings in the Bot API. PTB sends every string as-is and JSON-encodes the
# rest, so everything else is JSON-decoded; these stay text even when they look like numbers.
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "data", "url",
    "secret_token", "ip_address", "language_code", "file_id", "title", "description",
    "short_description", "name", "custom_title", "query", "emoji", "business_connection_id",
    "message_effect_id", "document", "photo", "audio", "video", "animation", "voice", "sticker",
    "thumbnail", "first_name", "last_name", "phone_number", "vcard", "address", "question",
    "explanation",
})
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(eq=False)  # an event, compared by identity
class RecordedRequest:
    """One request to the fake Bot API, recorded when it arrives and completed when answered."""

    method: str
    params: JSON
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int | None = None  # HTTP status of the answer; None while a long poll waits
    response: JSON | None = None  # the JSON body sent back
    aborted: bool = False  # an outage cut the connection instead of answering

    @property
    def ok(self) -> bool:
        return self.status == 200


def decode_param(name: str, raw: str) -> Any:
    """Undo PTB's form encoding of one parameter (see STRING_PARAMS)."""
    if name in STRING_PARAMS:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    # A JSON string can only have come from a raw string that happened to be quoted: keep it raw.
    return raw if isinstance(value, str) else value


async def decode_request(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JSON = {name: decode_param(name, value) for name, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.read()
        decoded = json.loads(body) if body else {}
        if not isinstance(decoded, dict):
            raise ValueError("a JSON body must be an object")
        params.update(decoded)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(value.filename, value.file.read(), value.content_type)
            else:
                params[name] = decode_param(name, str(value))
    return params, files


@dataclass(frozen=True)
class Outage:
    """Telegram unreachable: every request answers ``status``, or (None) gets its connection cut."""

    status: int | None


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # e.g. Cloudflare's 520-526
        return "Server Error"


def json_response(body: JSON, status: int = 200) -> web.Response:
    # Plain "application/json" like api.telegram.org (aiohttp's json_response appends a charset).
    return web.Response(body=json.dumps(body).encode(), status=status, content_type="application/json")


class FakeTelegram:
    """The Bot API on 127.0.0.1: model helpers, update injection and a record of every request."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "microfilm_test_bot",
                 bot_first_name: str = "Microfilm Test Bot", privacy_mode: bool = True,
                 strict_ampersand: bool = False, real_limits: bool = False,
                 chat_limit: tuple[int, float] = (1, 1.0), group_limit: tuple[int, float] = (20, 60.0),
                 overall_limit: tuple[int, float] = (30, 1.0)) -> None:
        """privacy_mode: Telegram's default for bots; in groups where the bot is no admin it only
        gets commands, replies to it and mentions. strict_ampersand: reject a bare "&" in HTML,
        which Telegram itself lets through as text (useful to catch unescaped user text).

        real_limits: enforce Telegram's flood limits (off by default, so bursts in tests go through):
        at most (count, seconds) ``chat_limit`` messages per private chat, ``group_limit`` per group and
        ``overall_limit`` in all, each a sliding window over sendMessage, sendDocument, sendPhoto and
        editMessageText; a call over one answers 429 "Too Many Requests: retry after N". See
        telegram_limits.py."""
        self.token = token
        self.state = TelegramState(token, bot_first_name, bot_username)
        self.state.bot_user["can_read_all_group_messages"] = not privacy_mode
        self.updates = UpdateQueue()
        self.api = BotApi(self.state, self.updates, strict_ampersand=strict_ampersand)
        self.requests: list[RecordedRequest] = []
        self.limits = TelegramLimits(chat_limit, group_limit, overall_limit) if real_limits else None
        self._rate_limits: dict[str, list[int]] = {}
        self._failures: dict[str, list[tuple[int, str, asyncio.Event | None]]] = {}
        self._delays: dict[str, list[float]] = {}
        self._outage: Outage | None = None
        self.outage_calls = 0  # requests refused (answered with the outage status, or cut) during outages
        # Called with the sent Message (a copy) once sendMessage/sendDocument/sendPhoto stored it, before
        # the answer is written: the instant a crash drill kills the bot. Sync or async.
        self.after_accept: AcceptHook | None = None
        self.errors: list[str] = []  # tracebacks of after_accept hooks that failed (the answer still went)
        self._returned: set[RecordedRequest] = set()  # what wait_for_call already handed out
        self._recorded = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        self.updates.open()
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload limit for bots
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # Waiting polls are released in close(), so a short shutdown timeout is plenty.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Bind the socket ourselves: a random free port, and we know which one without asking aiohttp.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        self.updates.close()  # answer waiting long polls now instead of at their timeout
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- the model -----------------------------------------------------------------------------

    @property
    def bot_user(self) -> JSON:
        return self.state.bot_user

    def add_user(self, first_name: str, username: str | None = None, **extra: Any) -> JSON:
        """A new user; extra: last_name, language_code (default "en"), is_bot."""
        return self.state.add_user(first_name, username, **extra)

    def add_group(self, title: str, supergroup: bool = True, **extra: Any) -> JSON:
        """A new group the bot is in, as a plain member: with privacy mode on it sees commands,
        replies and mentions only, until set_admins includes fake.bot_user.
        extra: username, creator (else an owner is made up)."""
        return self.state.add_group(title, supergroup, **extra)

    def add_topic(self, chat: JSON, name: str) -> int:
        """Open a topic in a forum group (made with ``add_group(..., forum=True)``); returns its
        message_thread_id, for ``send_text(..., topic=)``."""
        return self.state.add_topic(chat, name)

    def private_chat(self, user: JSON) -> JSON:
        return self.state.private_chat(user)

    def set_admins(self, chat: JSON, users: Sequence[JSON], **extra: Any) -> None:
        """Make these users the chat's administrators (besides its creator); extra: creator,
        rights (overrides of DEFAULT_ADMIN_RIGHTS). Include fake.bot_user to make the bot an admin."""
        self.state.set_admins(chat, users, **extra)

    def mute_bot(self, chat: JSON) -> None:
        """An admin took the bot's right to send messages there: sends answer 400 "not enough rights"."""
        self.state.bot_muted.add(chat["id"])

    def remove_bot(self, chat: JSON) -> None:
        """The bot was removed from the group: sends (and getChat) answer 403 "bot was kicked"."""
        self.state.bot_removed.add(chat["id"])
        self.state.members.get(chat["id"], set()).discard(self.state.bot_user["id"])

    def block_private(self, user: JSON) -> None:
        """The user never started the bot: sending to their private chat answers 403."""
        self.state.blocked.add(user["id"])

    def messages(self, chat: JSON) -> list[JSON]:
        """Messages in the chat, oldest first (the bot's and those injected from users)."""
        return list(self.state.messages.get(chat["id"], {}).values())

    def bot_messages(self, chat: JSON) -> list[JSON]:
        return [m for m in self.messages(chat) if m["from"]["id"] == self.bot_user["id"]]

    def commands(self, language_code: str = "", scope: JSON | None = None) -> list[JSON]:
        """What setMyCommands stored for this scope (default scope when None) and language."""
        return self.api.get_my_commands({"scope": scope, "language_code": language_code}, {})

    def callback_answer(self, query_id: str) -> JSON | None:
        """answerCallbackQuery's parameters for a query; {} while unanswered, None if unknown."""
        return self.state.callback_queries.get(query_id)

    @property
    def allowed_updates(self) -> list[str]:
        """The allowed_updates the server keeps ([] means the default set)."""
        return self.updates.allowed_updates

    @property
    def pending_updates(self) -> list[JSON]:
        return self.updates.pending

    @property
    def dropped_updates(self) -> list[DroppedUpdate]:
        """Injected updates Telegram would never have delivered, each with the reason."""
        return self.updates.dropped

    @property
    def webhook(self) -> JSON:
        """What setWebhook set (url, secret_token, ...), {} when no webhook is set."""
        return self.api.webhook

    @property
    def limit_hits(self) -> Counter[str]:
        """429s the real limits answered, by kind: "chat" (a private chat), "group" and "overall".
        Always empty without ``real_limits``; injected ones (:meth:`rate_limit_next`) are not counted."""
        return self.limits.hits if self.limits is not None else Counter()

    def rate_limit_next(self, method: str, retry_after: int = 1) -> None:
        """The next call of this method answers 429 with retry_after (calls queue up)."""
        self._rate_limits.setdefault(method.lower(), []).append(retry_after)

    def fail_next(self, method: str, status: int = 502, description: str = "Bad Gateway", *,
                  hold: asyncio.Event | None = None) -> None:
        """The next call of this method answers `status` (a server-side failure; calls queue up).
        With `hold` the request first stalls until the event is set, like one heading for a timeout."""
        self._failures.setdefault(method.lower(), []).append((status, description, hold))

    def delay_next(self, method: str, seconds: float) -> None:
        """The next call of this method is carried out at once (a sent message is stored and visible,
        as Telegram would have delivered it) but its answer is written ``seconds`` later, so a client
        with a shorter timeout gives up on a message that exists. Calls queue up like fail_next."""
        self._delays.setdefault(method.lower(), []).append(seconds)

    def outage(self, status: int | None = 502) -> None:
        """Telegram is unreachable until :meth:`restore`: every request (files too) answers ``status``
        with a Telegram-shaped error body, or with ``status=None`` gets its connection cut without an
        answer (PTB raises NetworkError either way). Long polls waiting now are refused at once."""
        self._outage = Outage(status)
        self.updates.interrupt(self._outage)

    def restore(self) -> None:
        """End the outage; requests are answered normally again."""
        self._outage = None

    def unparseable_update(self, chat: JSON | None = None, user: JSON | None = None) -> JSON:
        """A raw update python-telegram-bot 22 cannot turn into an Update: a "message" without "date".

        PTB reads ``data["date"]`` while parsing a message, to tell an inaccessible message (date 0)
        from a real one, so the missing key raises KeyError in ``Update.de_json``. Most other missing
        fields do not break it: a message without "chat", or a message_reaction without "date", parse
        with None there. Returned without update_id, for inject_update or post_webhook.
        """
        user = user or {"id": 100_000_000, "is_bot": False, "first_name": "Nobody"}
        chat = chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        return {"message": {"message_id": 1, "from": user, "chat": chat, "text": "/start"}}

    # -- requests ------------------------------------------------------------------------------

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    async def wait_for_call(self, method: str, predicate: Callable[[RecordedRequest], bool] | None = None,
                            timeout: float = 5) -> RecordedRequest:
        """The earliest answered call of `method` matching `predicate` that no earlier wait_for_call
        returned, waiting up to `timeout` seconds for it. getUpdates calls match on arrival, since a
        long poll can stay unanswered for its whole timeout."""
        async def first_match() -> RecordedRequest:
            while True:
                for request in self.requests:
                    if self._matches(request, method, predicate):
                        self._returned.add(request)
                        return request
                await self._recorded.wait()

        try:
            return await asyncio.wait_for(first_match(), timeout)
        except TimeoutError:
            seen = [(r.method, r.status) for r in self.requests[-10:]]
            raise TimeoutError(
                f"no matching {method} call within {timeout}s; last requests: {seen}"
            ) from None

    def _matches(self, request: RecordedRequest, method: str,
                 predicate: Callable[[RecordedRequest], bool] | None) -> bool:
        if request in self._returned or request.method.lower() != method.lower():
            return False
        if request.status is None and request.method != "getUpdates":
            return False
        return predicate is None or predicate(request)

    def _notify(self) -> None:
        self._recorded.set()
        self._recorded = asyncio.Event()

    async def _handle_api(self, request: web.Request) -> web.Response:
        record = RecordedRequest(self.api.canonical_name(request.match_info["method"]), {})
        broken: ApiError | None = None
        try:
            record.params, record.files = await decode_request(request)
        except ValueError:  # a body that is no JSON, or a broken form
            broken = ApiError(400, "Bad Request: can't parse request body")
        # Recorded on arrival (with its parameters), so tests can see a long poll while it waits.
        self.requests.append(record)
        self._notify()
        if self._outage is not None:
            return self._refuse(request, record, self._outage)
        if broken is not None:
            return self._finish(record, broken.body(), broken.code)
        delays = self._delays.get(record.method.lower())
        delay = delays.pop(0) if delays else 0.0
        try:
            result = await self._answer(request.match_info["token"], record)
        except PollInterrupted as interrupted:
            return self._refuse(request, record, interrupted.args[0])
        except ApiError as error:
            body, status = error.body(), error.code
        else:
            body, status = {"ok": True, "result": result}, 200
            if record.method in ACCEPTED_METHODS:
                await self._accepted(result)
        if delay:
            await asyncio.sleep(delay)  # carried out already; only the answer is late
        return self._finish(record, body, status)

    async def _accepted(self, message: JSON) -> None:
        """Run after_accept; a failing hook is a test bug, kept in ``errors`` (the answer still goes)."""
        if self.after_accept is None:
            return
        try:
            result = self.after_accept(copy.deepcopy(message))
            if inspect.isawaitable(result):
                await result
        except Exception:
            self.errors.append(traceback.format_exc())
            _log.exception("after_accept hook failed")

    def _refuse(self, request: web.Request, record: RecordedRequest, outage: Outage) -> web.Response:
        """A request during an outage: the outage's status, or the connection cut without an answer."""
        self.outage_calls += 1
        if outage.status is not None:
            error = ApiError(outage.status, status_phrase(outage.status))
            return self._finish(record, error.body(), outage.status)
        record.aborted = True
        if request.transport is not None:
            request.transport.abort()  # the client sees the server disconnect; this answer is never sent
        self._notify()
        return web.Response(status=502)

    def _finish(self, record: RecordedRequest, body: JSON, status: int) -> web.Response:
        record.status, record.response = status, body
        self._notify()
        return json_response(body, status)

    async def _answer(self, token: str, record: RecordedRequest) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        limits = self._rate_limits.get(record.method.lower())
        if limits:
            retry_after = limits.pop(0)
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        failures = self._failures.get(record.method.lower())
        if failures:
            status, description, hold = failures.pop(0)
            if hold is not None:
                await hold.wait()
            raise ApiError(status, description)
        if record.method == "getUpdates":
            return await self._get_updates(record.params)
        limited = self._limited(record)
        if limited is not None:
            limited[0].check(limited[1])  # raises the 429
        result = self.api.call(record.method, record.params, record.files)
        if limited is not None:
            limited[0].record(limited[1])  # only a message that went through uses up a slot
        return result

    def _limited(self, record: RecordedRequest) -> tuple[TelegramLimits, JSON] | None:
        """The real limits and the chat a call counts against; None when the limits are off, the method
        is not limited, or the chat is unknown (the method then answers its own error)."""
        if self.limits is None or record.method not in LIMITED_METHODS or "chat_id" not in record.params:
            return None
        try:
            return self.limits, self.state.resolve_chat(record.params["chat_id"])
        except ApiError:
            return None

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.api.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        if params.get("allowed_updates") is not None:
            self.updates.set_allowed(params["allowed_updates"])  # kept for later calls, as on Telegram
        try:
            offset = None if params.get("offset") is None else int(params["offset"])
            limit = min(max(int(params.get("limit", 100)), 1), 100)
            timeout = max(float(params.get("timeout", 0)), 0.0)  # the fake also takes fractions
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong parameter in getUpdates") from None
        return await self.updates.long_poll(offset, limit, timeout)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self._outage is not None:  # file downloads are not in `requests`, but count as refused
            return self._refuse(request, RecordedRequest("file", {}), self._outage)
        stored = self.state.file_by_path(request.match_info["file_path"])
        if request.match_info["token"] != self.token or stored is None:
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # -- update injection ----------------------------------------------------------------------

    def inject_update(self, update: JSON) -> JSON:
        """Queue a raw Update as given, under the server's next update_id (any update_id in it is
        replaced). Dropped, as by Telegram, when its type is not in the allowed_updates."""
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self.state.callback_queries.setdefault(str(query["id"]), {})  # so it can be answered
        return self.updates.push(update)

    def send_text(self, chat: JSON, user: JSON, text: str, *, reply_to: int | None = None,
                  date: int | None = None, topic: int | None = None) -> JSON:
        """A user writes in a chat; /commands (also /cmd@bot) get bot_command entities. ``date`` (unix
        seconds, default now) is the message's date, e.g. from a test's virtual clock; ``topic`` the
        forum topic (message_thread_id) of a forum supergroup it is written in."""
        message = self.state.user_text(chat, user, text, reply_to, date, topic)
        return self.updates.push({"message": message}, self.state.message_blocker(chat, message))

    def send_document(self, chat: JSON, user: JSON, filename: str, content: bytes,
                      caption: str | None = None, *, date: int | None = None) -> JSON:
        """A user sends a file; the bot can fetch it with getFile and the file URL."""
        message = self.state.user_document(chat, user, filename, content, caption, date)
        return self.updates.push({"message": message}, self.state.message_blocker(chat, message))

    def press_button(self, chat: JSON, user: JSON, message_id: int, data: str, *,
                     date: int | None = None) -> JSON:
        """A user presses an inline button with this callback_data under a stored message.

        A CallbackQuery has no date of its own; the only date a bot can read is its message's. ``date``
        replaces that in this update (the stored message keeps its own), so a virtual-clock test can
        date a press before or after a deadline."""
        query = self.state.new_callback_query(chat, user, message_id, data)
        if date is not None:
            query["message"] = {**query["message"], "date": date}
        return self.updates.push({"callback_query": query})

    def react(self, chat: JSON, user: JSON, message_id: int, emoji: str | Sequence[str] | None,
              old: Sequence[str] | None = None, *, date: int | None = None) -> JSON:
        """A user sets their reaction (None or [] removes it). `old` defaults to what the fake
        remembers of this user's reaction on the message; `date` (unix seconds) to now."""
        new = [] if emoji is None else [emoji] if isinstance(emoji, str) else list(emoji)
        remembered = self.state.set_reaction(chat["id"], message_id, user["id"], new)
        event = {
            "chat": chat, "message_id": message_id, "user": user, "date": self.state.now() if date is None else date,
            "old_reaction": emoji_reactions(remembered if old is None else old),
            "new_reaction": emoji_reactions(new),
        }
        return self.updates.push({"message_reaction": event}, self.state.reaction_blocker(chat, user))

    def react_count(self, chat: JSON, message_id: int, counts: dict[str, int], *,
                    date: int | None = None) -> JSON:
        """Anonymous reaction totals on a message (what channels and anonymous admins produce)."""
        event = {
            "chat": chat, "message_id": message_id, "date": self.state.now() if date is None else date,
            "reactions": [
                {"type": {"type": "emoji", "emoji": emoji}, "total_count": total}
                for emoji, total in counts.items()
            ],
        }
        return self.updates.push({"message_reaction_count": event}, self.state.reaction_blocker(chat, None))

    async def post_webhook(self, url: str, update: JSON, secret_token: str | None = None) -> int:
        """POST an Update to the bot's webhook as Telegram does; returns the HTTP status.
        An update without update_id gets the server's next one. Loopback URLs only."""
        host = URL(url).host
        if host not in _LOOPBACK_HOSTS:
            raise ValueError(f"post_webhook only posts to loopback addresses, not {host!r}")
        if "update_id" not in update:
            update = self.updates.number(update)
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with aiohttp.ClientSession() as session, session.post(url, data=json.dumps(update),
                                                                    headers=headers) as response:
            await response.read()
            return response.status
