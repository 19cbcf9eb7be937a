"""REST half of the Discord fake: the v10 routes a bot uses, answered from the in-memory model.

Errors use Discord's JSON codes (10003 Unknown Channel, 50013 Missing Permissions, 50035 Invalid Form
Body, ...) because bots branch on them. Messages the bot creates are echoed on the gateway like Discord
does (subject to the session's intents), so "ignore my own messages" logic gets exercised.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_http import (
    JSON,
    RateLimits,
    RecordedRequest,
    Reply,
    RequestLog,
    Router,
    error,
    form_error,
    json_response,
    major_parameter,
)
from tests.fakes.discord_interactions import (
    CallbackType,
    CommandStore,
    FakeInteraction,
    InteractionType,
    validate_commands,
)
from tests.fakes.discord_model import ChannelType, DiscordModel, Perm, emoji_key

_log = logging.getLogger(__name__)
INTERACTION_TOKEN_TTL = 15 * 60
EPHEMERAL, LOADING = 1 << 6, 1 << 7


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")


def _check_message_body(body: JSON, has_files: bool) -> Reply | None:
    """Discord's limits on a message body; None when it would be accepted."""
    content = body.get("content") or ""
    if len(content) > 2000:
        return form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        return form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for embed in embeds:
        fields = embed.get("fields", [])
        if len(str(embed.get("title", ""))) > 256 or len(str(embed.get("description", ""))) > 4096 \
                or len(fields) > 25:
            return form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Embed field too long.")
        total += len(str(embed.get("title", ""))) + len(str(embed.get("description", "")))
        total += sum(len(str(f.get("name", ""))) + len(str(f.get("value", ""))) for f in fields)
    if total > 6000:
        return form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    if not (content or embeds or has_files or body.get("components") or body.get("sticker_ids")
            or body.get("poll")):
        return error(400, "Cannot send an empty message", 50006)
    return None


class RestApi:
    """Route table and handlers; FakeDiscord owns one and mounts :meth:`handle` under ``/api/v10``."""

    def __init__(self, model: DiscordModel, gateway: Gateway, commands: CommandStore, *, token: str,
                 rate_limits: RateLimits, gateway_url: Any) -> None:
        self.model = model
        self.gateway = gateway
        self.commands = commands
        self.token = token
        self.rate_limits = rate_limits
        self.gateway_url = gateway_url  # callable, the port is only known once listening
        self.log = RequestLog()
        self.interactions: dict[str, FakeInteraction] = {}
        self.interaction_deadline: float | None = 3.0
        self.dm_denied: set[str] = set()
        self.errors: list[str] = []  # tracebacks of the fake's own bugs
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
        elif (rule := self.rate_limits.take_rule(recorded)) is not None:
            recorded.route, recorded.status = route.template, 429
            self.log.answered(recorded)
            return self.rate_limits.too_many(rule)
        else:
            recorded.route = route.template
            headers = self.rate_limits.headers(route.method, route.template, major_parameter(params))
            reply = await self._run(route.handler, recorded, params)
        recorded.status, recorded.response = reply.status, reply.body
        self.log.answered(recorded)
        return json_response(reply.status, reply.body, headers)

    async def _run(self, handler: Any, recorded: RecordedRequest, params: dict[str, str]) -> Reply:
        """Run a handler; a bug in the fake becomes a 400 (not a 500, which discord.py retries for ~25 s)."""
        try:
            reply: Reply = await handler(recorded, **params)
        except Exception as exc:
            self.errors.append(traceback.format_exc())
            _log.exception("fake Discord failed on %s %s", recorded.method, recorded.path)
            return error(400, f"fake-discord internal error: {exc!r}")
        return reply

    async def _record(self, request: web.Request) -> RecordedRequest:
        path = request.path.removeprefix("/api/v10")
        body: Any = None
        files: list[JSON] = []
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    size = len(value.file.read())
                    files.append({"field": name, "filename": value.filename, "size": size,
                                  "content_type": value.content_type})
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
        add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False)
        add("POST", "/webhooks/{app_id}/{token}", self.followup, auth=False)
        for verb, handler in (("GET", self.get_webhook_message), ("PATCH", self.edit_webhook_message),
                              ("DELETE", self.delete_webhook_message)):
            add(verb, "/webhooks/{app_id}/{token}/messages/{message_id}", handler, auth=False)

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
                   if msg["channel_id"] == channel_id and not msg["flags"] & EPHEMERAL]
        ids = sorted(visible, key=int, reverse=True)
        if "before" in req.query:
            ids = [m for m in ids if int(m) < int(req.query["before"])]
        if "after" in req.query:
            ids = [m for m in ids if int(m) > int(req.query["after"])][-limit:]
        return Reply(200, [self.model.message_payload(m) for m in ids[:limit]])

    def _attachments(self, req: RecordedRequest, body: JSON) -> list[JSON]:
        """Attachment objects for uploaded files, named from ``payload_json.attachments`` when given."""
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        attachments = []
        for index, upload in enumerate(req.files):
            meta = described.get(str(index), {})
            attachment_id = self.model.ids.next()
            url = f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{upload['filename']}"
            attachments.append({
                "id": attachment_id, "filename": meta.get("filename", upload["filename"]),
                "size": upload["size"], "url": url, "proxy_url": url,
                "content_type": upload["content_type"], "description": meta.get("description"),
            })
        return attachments

    async def post_message(self, req: RecordedRequest, channel_id: str) -> Reply:
        channel = self._channel(channel_id)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if channel.type == ChannelType.DM and channel_id in self.dm_denied:
            return error(403, "Cannot send messages to this user", 50007)
        if not self.model.can_send(channel, self.model.bot_id):
            return error(403, "Missing Permissions", 50013)
        body = dict(req.json or {})
        problem = _check_message_body(body, bool(req.files))
        if problem:
            return problem
        body["attachments"] = self._attachments(req, body)
        reference = body.get("message_reference")
        if reference and reference.get("fail_if_not_exists", True) \
                and reference.get("message_id") not in self.model.messages:
            return form_error("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
        message = self.model.create_message(channel, self.model.bot_user, body)
        await self.gateway.dispatch("MESSAGE_CREATE", self.model.message_event(message))
        return Reply(200, self.model.message_payload(message["id"]))

    async def get_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        channel = self._channel(channel_id)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if not self.model.channel_permissions(channel, self.model.bot_id) & Perm.READ_MESSAGE_HISTORY:
            return error(403, "Missing Permissions", 50013)
        message = self._message(channel_id, message_id)
        if message is None or message["flags"] & EPHEMERAL:  # ephemeral messages only exist for one user
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

    # interactions ----------------------------------------------------------------------------------

    def _live_interaction(self, interaction_id: str, token: str) -> FakeInteraction | None:
        interaction = self.interactions.get(interaction_id)
        return interaction if interaction and interaction.token == token else None

    async def callback(self, req: RecordedRequest, interaction_id: str, token: str) -> Reply:
        interaction = self._live_interaction(interaction_id, token)
        if interaction is None:
            return error(404, "Unknown interaction", 10062)
        late = self.interaction_deadline is not None \
            and time.monotonic() - interaction.created > self.interaction_deadline
        if late and not interaction.callbacks:
            return error(404, "Unknown interaction", 10062)  # Discord's answer after the 3 s window
        if interaction.callbacks:
            return error(400, "Interaction has already been acknowledged.", 40060)
        body = dict(req.json or {})
        if req.files:
            data = body.setdefault("data", {})
            data["attachments"] = self._attachments(req, data)
        reply = await self._apply_callback(interaction, body, has_files=bool(req.files))
        if reply.status >= 300:
            return reply
        interaction.callbacks.append(body)
        interaction.answered.set()
        return reply if _truthy(req.query.get("with_response")) else Reply(204)

    async def _apply_callback(self, interaction: FakeInteraction, body: JSON, *, has_files: bool) -> Reply:
        kind, data = int(body.get("type", 0)), body.get("data") or {}
        info: JSON = {"id": interaction.id, "type": interaction.type,
                      "response_message_loading": False, "response_message_ephemeral": False}
        resource: JSON = {"type": kind}
        if kind in (CallbackType.CHANNEL_MESSAGE, CallbackType.DEFERRED_CHANNEL_MESSAGE):
            problem = kind == CallbackType.CHANNEL_MESSAGE and _check_message_body(data, has_files)
            if problem:
                return problem
            message = await self._interaction_message(interaction, data, loading=kind == 5)
            info.update(response_message_id=message["id"], response_message_loading=kind == 5,
                        response_message_ephemeral=bool(message["flags"] & EPHEMERAL))
            resource["message"] = message
        elif kind in (CallbackType.UPDATE_MESSAGE, CallbackType.DEFERRED_UPDATE_MESSAGE):
            target = interaction.payload.get("message")
            if target is None:
                return error(400, "Interaction callback type only valid for component interactions", 50035)
            if kind == CallbackType.UPDATE_MESSAGE and target["id"] in self.model.messages:
                updated = self.model.edit_message(self.model.messages[target["id"]], data)
                await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(updated))
                resource["message"] = self.model.message_payload(target["id"])
            info["response_message_id"] = target["id"]
        elif kind == CallbackType.AUTOCOMPLETE_RESULT:
            if interaction.type != InteractionType.AUTOCOMPLETE or len(data.get("choices", [])) > 25:
                return form_error("data", "INTERACTION_CALLBACK_INVALID", "Invalid autocomplete response")
        elif kind == CallbackType.MODAL:
            if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                return form_error("data", "BASE_TYPE_REQUIRED", "A modal needs custom_id, title, components")
        elif kind != CallbackType.PONG:
            return form_error("type", "BASE_TYPE_CHOICES", f"Value must be one of ... (got {kind})")
        return Reply(200, {"interaction": info, "resource": resource})

    async def _interaction_message(self, interaction: FakeInteraction, data: JSON, *, loading: bool) -> JSON:
        """The message an interaction response or follow-up creates (author: the bot, via webhook)."""
        channel = self.model.channels[interaction["channel_id"]]
        flags = int(data.get("flags") or 0) | (LOADING if loading else 0)
        sent = interaction.payload
        metadata = {"id": interaction.id, "type": interaction.type,
                    "user": sent.get("member", {}).get("user") or sent.get("user"),
                    "authorizing_integration_owners": sent.get("authorizing_integration_owners", {})}
        body = {**data, "flags": flags, "webhook_id": self.model.application_id,
                "application_id": self.model.application_id, "interaction_metadata": metadata,
                "type": 20 if interaction.type == InteractionType.APPLICATION_COMMAND else 0}
        message = self.model.create_message(channel, self.model.bot_user, body)
        if interaction.original_message_id is None:
            interaction.original_message_id = message["id"]
        if not flags & EPHEMERAL:
            await self.gateway.dispatch("MESSAGE_CREATE", self.model.message_event(message))
        return self.model.message_payload(message["id"])

    def _webhook_interaction(self, app_id: str, token: str) -> FakeInteraction | None:
        """The interaction behind a webhook token, if the token is still valid (15 minutes)."""
        if app_id != self.model.application_id:
            return None
        interaction = next((i for i in self.interactions.values() if i.token == token), None)
        if interaction is None or time.monotonic() - interaction.created > INTERACTION_TOKEN_TTL:
            return None
        return interaction

    async def followup(self, req: RecordedRequest, app_id: str, token: str) -> Reply:
        interaction = self._webhook_interaction(app_id, token)
        if interaction is None or not interaction.callbacks:
            return error(404, "Unknown Webhook", 10015)  # no webhook exists before the first callback
        body = dict(req.json or {})
        problem = _check_message_body(body, bool(req.files))
        if problem:
            return problem
        body["attachments"] = self._attachments(req, body)
        original = self.model.messages.get(interaction.original_message_id or "")
        if original is not None and original["flags"] & LOADING:
            # After a deferral Discord turns the first follow-up into the "thinking" message itself.
            message = self.model.edit_message(original, {**body, "flags": original["flags"] & ~LOADING})
            await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(message))
            payload = self.model.message_payload(message["id"])
        else:
            payload = await self._interaction_message(interaction, body, loading=False)
        interaction.followups.append(payload)
        return Reply(200, payload) if _truthy(req.query.get("wait")) else Reply(204)

    def _webhook_message(self, app_id: str, token: str, message_id: str) -> JSON | Reply:
        """The message a webhook route addresses (``@original`` = the interaction response), or an error."""
        interaction = self._webhook_interaction(app_id, token)
        if interaction is None:
            return error(404, "Unknown Webhook", 10015)
        if message_id == "@original":
            message_id = interaction.original_message_id or ""
        message = self.model.messages.get(message_id)
        return error(404, "Unknown Message", 10008) if message is None else message

    async def get_webhook_message(self, req: RecordedRequest, app_id: str, token: str,
                                  message_id: str) -> Reply:
        message = self._webhook_message(app_id, token, message_id)
        if isinstance(message, Reply):
            return message
        return Reply(200, self.model.message_payload(message["id"]))

    async def edit_webhook_message(self, req: RecordedRequest, app_id: str, token: str,
                                   message_id: str) -> Reply:
        message = self._webhook_message(app_id, token, message_id)
        if isinstance(message, Reply):
            return message
        body = dict(req.json or {})
        if len(body.get("content") or "") > 2000:
            return form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        body["flags"] = message["flags"] & ~LOADING  # editing the deferred message ends "thinking"
        self.model.edit_message(message, body)
        if not message["flags"] & EPHEMERAL:
            await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(message))
        return Reply(200, self.model.message_payload(message["id"]))

    async def delete_webhook_message(self, req: RecordedRequest, app_id: str, token: str,
                                     message_id: str) -> Reply:
        message = self._webhook_message(app_id, token, message_id)
        if isinstance(message, Reply):
            return message
        await self._delete(message)
        return Reply(204)
