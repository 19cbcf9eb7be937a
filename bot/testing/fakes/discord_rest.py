"""REST half of the Discord fake: the v10 routes a bot uses, answered from the in-memory model.

Errors use Discord's JSON codes (10003 Unknown Channel, 50013 Missing Permissions, 50035 Invalid Form
Body, ...) because bots branch on them. Messages the bot creates are echoed on the gateway like Discord
does (subject to the session's intents), so "ignore my own messages" logic gets exercised.

A message create carrying ``nonce`` and ``enforce_nonce: true`` is deduplicated like on Discord: the same
nonce from the same author in the same channel within ``nonce_window`` seconds gets the first message
back (200) and creates nothing. discord.py's ``Messageable.send`` always sends both (a random 64-bit nonce
when none is given), so a retried send is safe exactly when the bot passes a stable nonce itself.
Crash drills hook the instant a message is accepted: ``after_accept`` runs once the message is stored
and dispatched, ``hold_responses`` then keeps the answer back until set.

With ``real_limits`` (discord_limits.DiscordLimits) a request over Discord's per-channel message bucket or
its global limit is answered 429 before its handler runs, and message creates carry the channel bucket's
headers; without, only injected 429s (``rate_limit_next``) refuse anything.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import logging
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.testing.fakes.discord_gateway import Gateway
from bot.testing.fakes.discord_http import (
    JSON,
    Outage,
    RateLimits,
    RecordedRequest,
    Reply,
    RequestLog,
    Router,
    check_message_body,
    check_nonce,
    error,
    form_error,
    json_response,
    major_parameter,
)
from bot.testing.fakes.discord_interactions import CommandStore, validate_commands
from bot.testing.fakes.discord_limits import DiscordLimits, Refusal
from bot.testing.fakes.discord_model import ChannelType, DiscordModel, MessageFlag, Perm, emoji_key
from bot.testing.fakes.discord_webhooks import InteractionRoutes

_log = logging.getLogger(__name__)

AcceptHook = Callable[[JSON], Awaitable[None] | None]


class NonceLedger:
    """Nonces of recent enforced message creates, so a repeated create finds the message it made."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: dict[tuple[str, str, str], tuple[float, str]] = {}  # key -> (monotonic time, message id)

    @staticmethod
    def key(channel_id: str, author_id: str, nonce: int | str) -> tuple[str, str, str]:
        # discord.py sends nonces as strings; an int and its digits are taken to be the same nonce.
        return channel_id, author_id, str(nonce)

    def find(self, key: tuple[str, str, str]) -> str | None:
        """The message id an unexpired create with this key made, else None."""
        self._forget_expired()
        seen = self._seen.get(key)
        return seen[1] if seen else None

    def remember(self, key: tuple[str, str, str], message_id: str) -> None:
        self._seen[key] = (time.monotonic(), message_id)

    def _forget_expired(self) -> None:
        cutoff = time.monotonic() - self.window
        self._seen = {k: v for k, v in self._seen.items() if v[0] >= cutoff}


class RestApi:
    """Route table and handlers; FakeDiscord owns one and mounts :meth:`handle` under ``/api/v10``."""

    def __init__(self, model: DiscordModel, gateway: Gateway, commands: CommandStore, *, token: str,
                 rate_limits: RateLimits, gateway_url: Any, nonce_window: float = 300.0,
                 real_limits: DiscordLimits | None = None) -> None:
        self.model = model
        self.gateway = gateway
        self.commands = commands
        self.token = token
        self.rate_limits = rate_limits
        self.outages: list[Outage] = []  # routes failing on demand (FakeDiscord.fail_after)
        self.real_limits = real_limits  # None: nothing is refused for going too fast (only injected 429s)
        self.gateway_url = gateway_url  # callable, the port is only known once listening
        self.log = RequestLog()
        self.webhooks = InteractionRoutes(model, gateway, delete=self._delete)
        self.dm_denied: set[str] = set()
        self.errors: list[str] = []  # tracebacks of the fake's own bugs
        self.nonces = NonceLedger(nonce_window)
        self.nonce_hits = 0  # creates answered with the message an earlier create (same nonce) made
        self.created_per_channel: Counter[str] = Counter()  # messages POST .../messages created, by channel
        self.after_accept: AcceptHook | None = None
        self.hold_responses: asyncio.Event | None = None
        self.router = Router()
        self._add_routes()

    # plumbing --------------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        self.log.add(recorded)
        route, params, path_known = self.router.match(recorded.method, recorded.path)
        headers: dict[str, str] = {}
        if route is None:
            reply = error(405, "405: Method Not Allowed") if path_known else error(404, "404: Not Found")
        elif route.auth and recorded.headers.get("Authorization") != f"Bot {self.token}":
            reply = error(401, "401: Unauthorized")
        elif any(outage.refuses(recorded) for outage in self.outages):
            reply = error(503, "Service Unavailable")
        elif (rule := self.rate_limits.take_rule(recorded)) is not None:
            recorded.route, recorded.status = route.template, 429
            self.log.answered(recorded)
            return self.rate_limits.too_many(rule)
        elif (refusal := self._over_limit(route.method, route.template, params)) is not None:
            recorded.route = route.template
            reply, headers = Reply(429, refusal[0]), refusal[1]
        else:
            recorded.route = route.template
            headers = self._limit_headers(route.method, route.template, params)
            reply = await self._run(route.handler, recorded, params)
            if reply.accepted is not None:
                await self._accepted(reply.accepted)
        recorded.status, recorded.response = reply.status, reply.body
        self.log.answered(recorded)
        return json_response(reply.status, reply.body, headers)

    def _over_limit(self, method: str, template: str, params: dict[str, str]) -> Refusal | None:
        """With real limits on: the 429 for a request over one, else None (and the request is counted)."""
        return None if self.real_limits is None else self.real_limits.admit(method, template, params)

    def _limit_headers(self, method: str, template: str, params: dict[str, str]) -> dict[str, str]:
        """The ordinary per-bucket headers; with real limits on, a message create's describe its channel
        bucket instead, so discord.py paces itself by the limit that is enforced."""
        real = self.real_limits.headers(method, template, params) if self.real_limits is not None else None
        return real or self.rate_limits.headers(method, template, major_parameter(params))

    async def _run(self, handler: Any, recorded: RecordedRequest, params: dict[str, str]) -> Reply:
        """Run a handler; a bug in the fake becomes a 400 (not a 500, which discord.py retries for ~25 s)."""
        try:
            reply: Reply = await handler(recorded, **params)
        except Exception as exc:
            self.errors.append(traceback.format_exc())
            _log.exception("fake Discord failed on %s %s", recorded.method, recorded.path)
            return error(400, f"fake-discord internal error: {exc!r}")
        return reply

    async def _accepted(self, message: JSON) -> None:
        """The instant Discord has a message and the bot does not know yet: run the hook, then hold.

        A hook that fails is a test bug: its traceback goes to ``errors`` and the answer still goes out.
        """
        if self.after_accept is not None:
            try:
                result = self.after_accept(copy.deepcopy(message))
                if inspect.isawaitable(result):
                    await result
            except Exception:
                self.errors.append(traceback.format_exc())
                _log.exception("after_accept hook failed")
        if self.hold_responses is not None:
            await self.hold_responses.wait()

    async def _record(self, request: web.Request) -> RecordedRequest:
        path = request.path.removeprefix("/api/v10")
        body: Any = None
        files: list[JSON] = []
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    files.append({"field": name, "filename": value.filename, "size": len(content),
                                  "content_type": value.content_type, "content": content})
                elif name == "payload_json":
                    body = json.loads(str(value))
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        return RecordedRequest(method=request.method, path=path, query=dict(request.query), json=body,
                               headers=dict(request.headers), files=files)

    def _add_routes(self) -> None:
        add = self.router.add
        add("GET", "/gateway", self.get_gateway, auth=False)
        add("GET", "/gateway/bot", self.get_gateway)
        add("GET", "/users/@me", self.get_me)
        add("GET", "/users/{user_id}", self.get_user)
        add("POST", "/users/@me/channels", self.create_dm)
        add("GET", "/oauth2/applications/@me", self.get_application)
        add("GET", "/applications/@me", self.get_application)
        for scope in ("/applications/{app_id}/commands", "/applications/{app_id}/guilds/{guild_id}/commands"):
            add("PUT", scope, self.put_commands)
            add("GET", scope, self.get_commands)
        add("GET", "/guilds/{guild_id}", self.get_guild)
        add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self.get_roles)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        add("GET", "/channels/{channel_id}", self.get_channel)
        add("POST", "/channels/{channel_id}/typing", self.typing)
        add("GET", "/channels/{channel_id}/messages", self.get_history)
        add("POST", "/channels/{channel_id}/messages", self.post_message)
        add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        add("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message)
        add("POST", "/channels/{channel_id}/threads", self.thread_without_message)
        reactions = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"
        add("PUT", reactions + "/@me", self.add_reaction)
        add("DELETE", reactions + "/@me", self.remove_own_reaction)
        add("DELETE", reactions + "/{user_id}", self.remove_user_reaction)
        add("GET", reactions, self.get_reaction_users)
        self.webhooks.register(self.router)

    # users, application, guilds --------------------------------------------------------------------

    async def get_gateway(self, req: RecordedRequest) -> Reply:
        body: JSON = {"url": str(self.gateway_url())}
        if req.path.endswith("/bot"):
            body.update(shards=1, session_start_limit={"total": 1000, "remaining": 999, "reset_after": 0,
                                                       "max_concurrency": 1})
        return Reply(200, body)

    async def get_me(self, req: RecordedRequest) -> Reply:
        return Reply(200, {**self.model.bot_user, "verified": True, "mfa_enabled": False, "flags": 0,
                           "email": None, "locale": "en-US", "banner": None, "accent_color": None})

    async def get_user(self, req: RecordedRequest, user_id: str) -> Reply:
        user = self.model.users.get(user_id)
        return Reply(200, user) if user else error(404, "Unknown User", 10013)

    async def create_dm(self, req: RecordedRequest) -> Reply:
        recipient = str((req.json or {}).get("recipient_id"))
        if recipient not in self.model.users:
            return error(400, "Invalid Recipient(s)", 50033)
        return Reply(200, self.model.dm_channel(recipient).to_payload())

    async def get_application(self, req: RecordedRequest) -> Reply:
        bot = self.model.bot_user
        return Reply(200, {
            "id": self.model.application_id, "name": bot["username"], "icon": None,
            "description": "microfilm-bot test application", "summary": "", "type": None,
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "owner": self.model.owner_user, "team": None, "flags": 0, "bot": bot,
            "rpc_origins": [], "tags": [], "redirect_uris": [], "interactions_endpoint_url": None,
            "role_connections_verification_url": None, "approximate_guild_count": len(self.model.guilds),
            "integration_types_config": {"0": {}},
        })

    async def put_commands(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> Reply:
        if app_id != self.model.application_id:
            return error(403, "Missing Access", 50001)
        if guild_id is not None and guild_id not in self.model.guilds:
            return error(404, "Unknown Guild", 10004)
        problem = validate_commands(req.json)
        if problem:
            return form_error("commands", "APPLICATION_COMMAND_INVALID", problem)
        return Reply(200, self.commands.overwrite(guild_id, req.json))

    async def get_commands(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> Reply:
        return Reply(200, self.commands.list(guild_id))

    async def get_guild(self, req: RecordedRequest, guild_id: str) -> Reply:
        guild = self.model.guilds.get(guild_id)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        payload = self.model.guild_payload(guild)
        for key in ("members", "channels", "threads", "voice_states", "presences", "joined_at", "large"):
            payload.pop(key, None)  # REST guilds carry none of the GUILD_CREATE extras
        return Reply(200, payload)

    async def get_guild_channels(self, req: RecordedRequest, guild_id: str) -> Reply:
        guild = self.model.guilds.get(guild_id)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return Reply(200, [c.to_payload() for c in guild.channels.values() if not c.is_thread])

    async def get_roles(self, req: RecordedRequest, guild_id: str) -> Reply:
        guild = self.model.guilds.get(guild_id)
        return Reply(200, list(guild.roles.values())) if guild else error(404, "Unknown Guild", 10004)

    async def get_member(self, req: RecordedRequest, guild_id: str, user_id: str) -> Reply:
        guild = self.model.guilds.get(guild_id)
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        if user_id not in guild.members:
            return error(404, "Unknown Member", 10007)
        return Reply(200, self.model.member_payload(guild, user_id))

    # channels and messages -------------------------------------------------------------------------

    def _channel(self, channel_id: str) -> Any:
        return self.model.channels.get(channel_id)

    def _message(self, channel_id: str, message_id: str) -> JSON | None:
        message = self.model.messages.get(message_id)
        return message if message and message["channel_id"] == channel_id else None

    async def get_channel(self, req: RecordedRequest, channel_id: str) -> Reply:
        channel = self._channel(channel_id)
        return Reply(200, channel.to_payload()) if channel else error(404, "Unknown Channel", 10003)

    async def typing(self, req: RecordedRequest, channel_id: str) -> Reply:
        return Reply(204) if self._channel(channel_id) else error(404, "Unknown Channel", 10003)

    async def get_history(self, req: RecordedRequest, channel_id: str) -> Reply:
        if self._channel(channel_id) is None:
            return error(404, "Unknown Channel", 10003)
        limit = int(req.query.get("limit", 50))
        if not 1 <= limit <= 100:
            return form_error("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100")
        visible = [m for m, msg in self.model.messages.items()
                   if msg["channel_id"] == channel_id and not msg["flags"] & MessageFlag.EPHEMERAL]
        ids = sorted(visible, key=int, reverse=True)
        if "before" in req.query:
            ids = [m for m in ids if int(m) < int(req.query["before"])]
        if "after" in req.query:
            ids = [m for m in ids if int(m) > int(req.query["after"])][-limit:]
        return Reply(200, [self.model.message_payload(m) for m in ids[:limit]])

    async def post_message(self, req: RecordedRequest, channel_id: str) -> Reply:
        channel = self._channel(channel_id)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if channel.type == ChannelType.DM and channel_id in self.dm_denied:
            return error(403, "Cannot send messages to this user", 50007)
        if not self.model.can_send(channel, self.model.bot_id):
            return error(403, "Missing Permissions", 50013)
        body = dict(req.json or {})
        problem = check_message_body(body, bool(req.files)) or check_nonce(body.get("nonce"))
        if problem:
            return problem
        nonce_key = None
        if body.get("nonce") is not None and body.get("enforce_nonce"):
            nonce_key = self.nonces.key(channel_id, self.model.bot_id, body["nonce"])
            earlier = self.nonces.find(nonce_key)
            if earlier is not None:
                return self._nonce_hit(earlier)
        body["attachments"] = self.model.make_attachments(req.files, body.get("attachments"))
        reference = body.get("message_reference")
        if reference and reference.get("fail_if_not_exists", True) \
                and reference.get("message_id") not in self.model.messages:
            return form_error("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
        message = self.model.create_message(channel, self.model.bot_user, body)
        self.created_per_channel[channel_id] += 1
        if nonce_key is not None:
            self.nonces.remember(nonce_key, message["id"])
        await self.gateway.dispatch("MESSAGE_CREATE", self.model.message_event(message))
        payload = self.model.message_payload(message["id"])
        return Reply(200, payload, accepted=payload)

    def _nonce_hit(self, message_id: str) -> Reply:
        """A repeated enforced nonce: the earlier message as it is now, or 404 if it was deleted since
        (discord.py documents NotFound for that case)."""
        if message_id not in self.model.messages:
            return error(404, "Unknown Message", 10008)
        self.nonce_hits += 1
        return Reply(200, self.model.message_payload(message_id))

    async def get_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        channel = self._channel(channel_id)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if not self.model.channel_permissions(channel, self.model.bot_id) & Perm.READ_MESSAGE_HISTORY:
            return error(403, "Missing Permissions", 50013)
        message = self._message(channel_id, message_id)
        # Ephemeral messages exist for one user only; the bot cannot fetch them.
        if message is None or message["flags"] & MessageFlag.EPHEMERAL:
            return error(404, "Unknown Message", 10008)
        return Reply(200, self.model.message_payload(message_id))

    async def edit_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        message = self._message(channel_id, message_id)
        if message is None:
            return error(404, "Unknown Message", 10008)
        if message["author"]["id"] != self.model.bot_id:
            return error(403, "Cannot edit a message authored by another user", 50005)
        body = dict(req.json or {})
        if len(body.get("content") or "") > 2000:
            return form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        self.model.edit_message(message, body)
        await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(message))
        return Reply(200, self.model.message_payload(message_id))

    async def delete_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        message = self._message(channel_id, message_id)
        if message is None:
            return error(404, "Unknown Message", 10008)
        channel = self._channel(channel_id)
        own = message["author"]["id"] == self.model.bot_id
        if not own and not self.model.channel_permissions(channel, self.model.bot_id) & Perm.MANAGE_MESSAGES:
            return error(403, "Missing Permissions", 50013)
        await self._delete(message)
        return Reply(204)

    async def _delete(self, message: JSON) -> None:
        del self.model.messages[message["id"]]
        self.model.reactions.pop(message["id"], None)
        event = {"id": message["id"], "channel_id": message["channel_id"]}
        guild = self.model.guild_of(self._channel(message["channel_id"]))
        if guild is not None:
            event["guild_id"] = guild.id
        await self.gateway.dispatch("MESSAGE_DELETE", event)

    # threads ---------------------------------------------------------------------------------------

    async def _create_thread(self, parent_id: str, body: JSON, thread_id: str | None) -> Reply:
        parent = self._channel(parent_id)
        if parent is None:
            return error(404, "Unknown Channel", 10003)
        guild = self.model.guild_of(parent)
        if guild is None or parent.is_thread:
            return error(400, "Cannot execute action on this channel type", 50024)
        kind = int(body.get("type") or ChannelType.PUBLIC_THREAD)
        public = kind == ChannelType.PUBLIC_THREAD
        needed = Perm.CREATE_PUBLIC_THREADS if public else Perm.CREATE_PRIVATE_THREADS
        if not self.model.channel_permissions(parent, self.model.bot_id) & needed:
            return error(403, "Missing Permissions", 50013)
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            return form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        # A thread started from a message shares the message's id (thread_id); others get a new one.
        thread = self.model.add_channel(guild, {"name": name, "type": kind, "owner_id": self.model.bot_id},
                                        parent_id=parent_id, channel_id=thread_id)
        payload = {**thread.to_payload(), "newly_created": True}
        await self.gateway.dispatch("THREAD_CREATE", payload)
        return Reply(201, thread.to_payload())

    async def thread_from_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        message = self._message(channel_id, message_id)
        if message is None:
            return error(404, "Unknown Message", 10008)
        if message_id in self.model.channels:
            return error(400, "A thread has already been created for this message", 160004)
        reply = await self._create_thread(channel_id, {**(req.json or {}), "type": 11}, message_id)
        if reply.status == 201:
            message["thread"] = reply.body
        return reply

    async def thread_without_message(self, req: RecordedRequest, channel_id: str) -> Reply:
        return await self._create_thread(channel_id, dict(req.json or {}), None)

    # reactions -------------------------------------------------------------------------------------

    async def add_reaction(self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str) -> Reply:
        channel, message = self._channel(channel_id), self._message(channel_id, message_id)
        if channel is None or message is None:
            return error(404, "Unknown Channel" if channel is None else "Unknown Message",
                         10003 if channel is None else 10008)
        key = emoji_key(emoji)
        existing = self.model.reactions.get(message_id, {})
        perms = self.model.channel_permissions(channel, self.model.bot_id)
        if not perms & Perm.READ_MESSAGE_HISTORY or (key not in existing and not perms & Perm.ADD_REACTIONS):
            return error(403, "Missing Permissions", 50013)
        if key not in existing and len(existing) >= 20:
            return error(400, "Maximum number of reactions reached (20)", 30010)
        if self.model.add_reaction(message_id, key, self.model.bot_id):
            event = self.model.reaction_event(channel, message_id, self.model.bot_id, key, add=True)
            await self.gateway.dispatch("MESSAGE_REACTION_ADD", event)
        return Reply(204)

    async def remove_own_reaction(self, req: RecordedRequest, channel_id: str, message_id: str,
                                  emoji: str) -> Reply:
        return await self._remove_reaction(channel_id, message_id, emoji, self.model.bot_id)

    async def remove_user_reaction(self, req: RecordedRequest, channel_id: str, message_id: str,
                                   emoji: str, user_id: str) -> Reply:
        channel = self._channel(channel_id)
        if channel and not self.model.channel_permissions(channel, self.model.bot_id) & Perm.MANAGE_MESSAGES:
            return error(403, "Missing Permissions", 50013)
        return await self._remove_reaction(channel_id, message_id, emoji, user_id)

    async def _remove_reaction(self, channel_id: str, message_id: str, emoji: str, user_id: str) -> Reply:
        channel, message = self._channel(channel_id), self._message(channel_id, message_id)
        if channel is None or message is None:
            return error(404, "Unknown Message", 10008)
        key = emoji_key(emoji)
        if self.model.remove_reaction(message_id, key, user_id):
            event = self.model.reaction_event(channel, message_id, user_id, key, add=False)
            await self.gateway.dispatch("MESSAGE_REACTION_REMOVE", event)
        return Reply(204)

    async def get_reaction_users(self, req: RecordedRequest, channel_id: str, message_id: str,
                                 emoji: str) -> Reply:
        if self._message(channel_id, message_id) is None:
            return error(404, "Unknown Message", 10008)
        limit = int(req.query.get("limit", 25))
        if not 1 <= limit <= 100:
            return form_error("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100")
        users = self.model.reaction_users(message_id, emoji_key(emoji), after=req.query.get("after"),
                                          limit=limit, burst=req.query.get("type") == "1")
        return Reply(200, users)
