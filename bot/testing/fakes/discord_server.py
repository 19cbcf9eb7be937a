"""A loopback stand-in for Discord (REST v10 + gateway) that the real discord.py 2.7 runs against.

Usage::

    async with FakeDiscord() as fake:
        guild = fake.add_guild("makers", channels=["general", "screenings"])
        with fake.patch_discord():
            client = discord.Client(intents=..., guild_ready_timeout=0.05)
            task = asyncio.create_task(client.start(fake.token))
            await fake.wait_connected()
            interaction = await fake.slash(guild, "general", fake.add_member(guild, "ana"), "ping")
            assert (await interaction.wait_callback())["data"]["content"] == "pong"
            await client.close()

Pointing discord.py elsewhere takes two class attributes, ``discord.http.Route.BASE`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``; :meth:`FakeDiscord.patch_discord` sets both. A bot
configured with its own API/gateway URLs must set the same two attributes (a plain ``Client`` never asks
``GET /gateway/bot``; after READY it reconnects to ``resume_gateway_url``, which points back here).

Discord's own rate limits on demand: ``FakeDiscord(real_limits=True)`` refuses, with Discord's 429, a
sixth message create in a channel within 5 s and a 51st request within a second (both configurable);
``limit_hits`` counts those 429s and ``created_per_channel`` the messages each channel got.

Trouble on demand, for reliability drills: ``rate_limit_next`` (a 429), ``after_accept`` and
``hold_responses`` (the instant between Discord storing a bot's message and the bot hearing of it),
message nonces deduplicated like Discord's (``nonce_window``, ``nonce_hits``), ``reconnect`` (op 7),
``drop_connection`` and ``refuse_next_resume`` (a cut socket, a forgotten session), ``react_many`` (a burst
of reactions back to back) and ``dispatch_raw`` (a frame exactly as given, malformed ones included).

Only 127.0.0.1 is used. The module is split: discord_model (state), discord_gateway (websocket),
discord_rest + discord_http (REST), discord_interactions (commands and interactions).
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any

from aiohttp import web

from bot.platforms.discord_globals import LibrarySettings
from bot.testing.fakes.discord_gateway import Gateway, Intent
from bot.testing.fakes.discord_http import Outage, RateLimits, RecordedRequest
from bot.testing.fakes.discord_interactions import (
    CommandStore,
    FakeInteraction,
    InteractionType,
    build_interaction,
    command_options,
    resolved_data,
)
from bot.testing.fakes.discord_limits import DiscordLimits
from bot.testing.fakes.discord_model import JSON, Channel, DiscordModel, Guild, Perm, emoji_key
from bot.testing.fakes.discord_rest import AcceptHook, RestApi

__all__ = ["FakeDiscord", "FakeInteraction", "Guild", "Channel", "RecordedRequest",
           "Intent", "Perm"]

UserRef = JSON | str
ChannelRef = Channel | str | None
# One reaction change for react_many: (channel, message_id, user, emoji, add).
ReactionChange = tuple[Channel | str, str, UserRef, str | JSON, bool]


class FakeDiscord:
    """Discord for one bot application: ``async with FakeDiscord() as fake: ...``.

    ``granted_intents`` are the privileged intents switched on "in the developer portal"; asking for
    others at IDENTIFY gets close code 4014. ``rate_limit``/``rate_window`` drive the X-RateLimit headers
    per bucket. ``interaction_deadline`` is Discord's 3 s to answer an interaction (None: no limit).
    ``nonce_window`` is how long (seconds, monotonic clock) a message create with ``enforce_nonce`` is
    remembered: a repeat within it gets the first message back (Discord keeps them "a few minutes").

    Crash drills: ``after_accept`` (sync or async, given the message payload) runs once a bot message
    create is stored and its MESSAGE_CREATE dispatched, before the HTTP answer is written; an unset
    ``hold_responses`` event then keeps the answer back until set. Both cover channel messages,
    interaction responses of type 4 and follow-ups.

    ``real_limits`` enforces Discord's rate limits (off by default, so bursts in tests go through): at
    most ``channel_limit`` = (count, seconds) message creates per channel, a fixed window like Discord's
    bucket (it opens with the first create and resets ``seconds`` later), announced in the X-RateLimit-*
    headers of every create; and at most ``global_limit`` requests over all routes, a fixed window too,
    with the interaction endpoints exempt as on Discord. A request over either gets Discord's 429
    (``retry_after`` in seconds, ``global`` true for the second). See discord_limits.py.
    """

    def __init__(self, *, token: str = "fake-discord-token", bot_name: str = "microfilm-bot",
                 bot_permissions: int = Perm.BOT_DEFAULT, granted_intents: int = Intent.PRIVILEGED,
                 heartbeat_interval_ms: int = 41250, rate_limit: int = 50, rate_window: float = 1.0,
                 interaction_deadline: float | None = 3.0, nonce_window: float = 300.0,
                 real_limits: bool = False, channel_limit: tuple[int, float] = (5, 5.0),
                 global_limit: tuple[int, float] = (50, 1.0)) -> None:
        self.token = token
        self.port = 0
        self.model = DiscordModel(bot_name=bot_name, bot_permissions=bot_permissions)
        self.gateway = Gateway(self.model, token=token, granted_intents=granted_intents,
                               heartbeat_interval_ms=heartbeat_interval_ms,
                               resume_url=lambda: self.resume_gateway_url)
        self.command_store = CommandStore(self.model)
        self.rest = RestApi(self.model, self.gateway, self.command_store, token=token,
                            rate_limits=RateLimits(rate_limit, rate_window),
                            gateway_url=lambda: self.gateway_url, nonce_window=nonce_window,
                            real_limits=DiscordLimits(channel_limit, global_limit) if real_limits else None)
        self.rest.webhooks.deadline = interaction_deadline
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.uploads: dict[str, JSON] = {}  # attachment objects users uploaded, by id
        self.upload_content: dict[str, bytes] = {}  # what the CDN route serves for them

    # lifecycle -------------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_get("/cdn/attachments/{attachment_id}/{filename}", self._serve_upload)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)  # unknown paths are recorded too
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))  # the OS picks a free port; nothing listens beyond loopback
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close websockets first so a connected client notices at once, then the HTTP server.

        Safe to call twice (a test may stop the fake inside ``async with``)."""
        for task in list(self._tasks):
            await task
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def is_serving(self) -> bool:
        return self._runner is not None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/resume"

    def patch_discord(self) -> LibrarySettings:
        """Set ``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` to this fake, as the bot's
        Discord platform does from its settings.

        ``with fake.patch_discord(): ...`` or ``undo = fake.patch_discord(); ...; undo()``.
        """
        library = LibrarySettings(self.api_base, self.gateway_url)
        library.apply()
        return library

    # the world -------------------------------------------------------------------------------------

    @property
    def bot_user(self) -> JSON:
        return self.model.bot_user

    @property
    def application_id(self) -> str:
        return self.model.application_id

    @property
    def guilds(self) -> dict[str, Guild]:
        return self.model.guilds

    def add_guild(self, name: str, channels: Sequence[str | JSON] | None = None,
                  roles: Sequence[str | JSON] | None = None,
                  members: Sequence[str | JSON] | None = None) -> Guild:
        """A guild the bot is in. Channels/roles/members are names or dicts of add_channel/add_member
        arguments. The first text channel is the system channel; roles are dicts {name, permissions}."""
        guild = self.model.add_guild(name, list(channels or ["general"]), list(roles or []))
        for spec in members or []:
            spec = {"username": spec} if isinstance(spec, str) else dict(spec)
            self.model.add_member(guild, spec.pop("username"), **spec)
        return guild

    async def join_guild(self, name: str, channels: Sequence[str | JSON] | None = None) -> Guild:
        """The bot is invited to a new guild while connected: GUILD_CREATE without `unavailable`, which is
        how a join differs from a known guild coming back (discord.py fires on_guild_join for it)."""
        guild = self.add_guild(name, channels)
        payload = self.model.guild_payload(guild)
        payload.pop("unavailable", None)
        await self.dispatch("GUILD_CREATE", payload)
        return guild

    def add_member(self, guild: Guild, username: str, *, permissions: int | None = None,
                   roles: list[str] | None = None, bot: bool = False, avatar: str | None = None) -> JSON:
        """A new member (returns the user dict); `avatar` the hash of their picture (None: Discord's
        default). On a live session, GUILD_MEMBER_ADD is dispatched."""
        user = self.model.add_member(guild, username, permissions=permissions, roles=roles, bot=bot,
                                     avatar=avatar)
        event = {**self.model.member_payload(guild, user["id"]), "guild_id": guild.id}
        self._spawn(self.gateway.dispatch("GUILD_MEMBER_ADD", event))
        return user

    def add_user(self, username: str, *, bot: bool = False, avatar: str | None = None) -> JSON:
        """A user who shares no guild with the bot (DMs, reactions from outside)."""
        return self.model.add_user(username, bot=bot, avatar=avatar)

    def dm_channel(self, user: UserRef) -> Channel:
        return self.model.dm_channel(self._user_id(user))

    def set_bot_permissions(self, permissions: int, guild: Guild | None = None) -> None:
        """The bot role's permissions in one guild (or all); live clients learn it on next IDENTIFY."""
        for target in [guild] if guild else self.model.guilds.values():
            target.roles[target.bot_role_id]["permissions"] = str(permissions)

    def deny_send(self, channel: Channel | str) -> None:
        """Make POST /channels/{id}/messages answer 403 (50013, or 50007 for a DM).

        Done as a channel overwrite denying the bot SEND_MESSAGES, so discord.py's permission checks agree;
        a connected client gets a CHANNEL_UPDATE.
        """
        target = self._channel(None, channel)
        if target.guild_id is None:
            self.rest.dm_denied.add(target.id)
            return
        self.deny_bot(target, Perm.SEND_MESSAGES | Perm.SEND_MESSAGES_IN_THREADS)

    def deny_bot(self, channel: Channel | str, bits: int) -> None:
        """Deny the bot the permission `bits` in a guild channel (an overwrite, as a server admin would set);
        a connected client gets a CHANNEL_UPDATE."""
        target = self._channel(None, channel)
        self.model.deny(target, self.model.bot_id, bits)
        self._spawn(self.gateway.dispatch("CHANNEL_UPDATE", target.to_payload()))

    def messages_in(self, channel: Channel | str) -> list[JSON]:
        """Stored messages of a channel, oldest first (with current reactions)."""
        channel_id = channel.id if isinstance(channel, Channel) else channel
        return [self.model.message_payload(m) for m, msg in self.model.messages.items()
                if msg["channel_id"] == channel_id]

    # requests --------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.rest.log.items

    @property
    def errors(self) -> list[str]:
        """Tracebacks of exceptions inside the fake's handlers (answered as 400); should stay empty."""
        return self.rest.errors

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests no route matched: the quickest way to spot a route the fake lacks."""
        return [r for r in self.requests if r.route is None]

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests by method and ``re.search`` on the path below /api/v10."""
        return [r for r in self.requests if r.matches(method, path_regex)]

    async def wait_for(self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0, *,
                       since: int = 0) -> RecordedRequest:
        """The first answered request (from index ``since``) matching ``predicate``, waiting if need be."""
        return await self.rest.log.wait_for(predicate, timeout, since)

    async def wait_for_request(self, method: str, path_regex: str, *,
                               where: Callable[[Any], bool] | None = None, timeout: float = 5.0,
                               since: int = 0) -> RecordedRequest:
        """Like :meth:`wait_for` by method/path, optionally also testing the JSON body with ``where``."""
        def matches(request: RecordedRequest) -> bool:
            return request.matches(method, path_regex) and (where is None or where(request.json))

        return await self.wait_for(matches, timeout, since=since)

    def rate_limit_next(self, method: str, path_regex: str, retry_after: float = 0.3,
                        global_: bool = False) -> None:
        """The next matching request gets a Discord-shaped 429 (the library should wait and retry)."""
        self.rest.rate_limits.inject(method, path_regex, retry_after, global_)

    def fail_after(self, method: str, path_regex: str, after: int, status: int = 503) -> Outage:
        """An outage on one route: the next `after` matching requests are served, the rest answered
        `status` until the returned outage is removed from ``rest.outages``."""
        outage = Outage(method.upper(), path_regex, after, status)
        self.rest.outages.append(outage)
        return outage

    def commands(self, guild_id: str | None = None) -> list[JSON]:
        """Commands as last synced: global, or for one guild."""
        return self.command_store.list(guild_id)

    @property
    def limit_hits(self) -> Counter[str]:
        """429s the real limits answered, by kind: "channel" (a channel's message bucket) and "global".
        Always empty without ``real_limits``; injected 429s (:meth:`rate_limit_next`) are not counted."""
        return self.rest.real_limits.hits if self.rest.real_limits is not None else Counter()

    @property
    def created_per_channel(self) -> Counter[str]:
        """Messages the bot created with POST /channels/{id}/messages, by channel id (a create answered
        with an earlier message for its nonce, or refused, creates none). Counted with or without limits."""
        return self.rest.created_per_channel

    @property
    def nonce_hits(self) -> int:
        """Message creates answered with the message an earlier create with the same nonce made."""
        return self.rest.nonce_hits

    @property
    def after_accept(self) -> AcceptHook | None:
        return self.rest.after_accept

    @after_accept.setter
    def after_accept(self, hook: AcceptHook | None) -> None:
        self.rest.after_accept = hook

    @property
    def hold_responses(self) -> asyncio.Event | None:
        return self.rest.hold_responses

    @hold_responses.setter
    def hold_responses(self, event: asyncio.Event | None) -> None:
        self.rest.hold_responses = event

    # interactions ----------------------------------------------------------------------------------

    def interaction(self, interaction_id: str) -> FakeInteraction:
        return self.rest.webhooks.interactions[interaction_id]

    def callbacks(self, interaction_id: str | FakeInteraction) -> list[JSON]:
        """Callback bodies (``{"type": 4, "data": {...}}``) the bot POSTed for an interaction."""
        return self._interaction(interaction_id).callbacks

    async def wait_callback(self, interaction_id: str | FakeInteraction, timeout: float = 5.0) -> JSON:
        return await self._interaction(interaction_id).wait_callback(timeout)

    async def slash(self, guild: Guild | None, channel: ChannelRef, user: UserRef, name: str,
                    options: list[JSON] | dict[str, Any] | None = None, subcommand: str | None = None, *,
                    locale: str = "en-US") -> FakeInteraction:
        """INTERACTION_CREATE for ``/name [subcommand] options``; option types come from the synced
        command when known. ``subcommand`` may be "sub" or "group sub"; nested options pass through."""
        data = self._command_data(guild, name, options, subcommand, focused=None)
        return await self._interact(InteractionType.APPLICATION_COMMAND, guild, channel, user, data,
                                    locale=locale)

    async def autocomplete(self, guild: Guild | None, channel: ChannelRef, user: UserRef, name: str,
                           options: list[JSON] | dict[str, Any], focused: str, subcommand: str | None = None,
                           *, locale: str = "en-US") -> FakeInteraction:
        """Type 4: the user is typing into option ``focused`` (its value is the partial text)."""
        data = self._command_data(guild, name, options, subcommand, focused=focused)
        return await self._interact(InteractionType.AUTOCOMPLETE, guild, channel, user, data, locale=locale)

    async def message_command(self, guild: Guild | None, channel: ChannelRef, user: UserRef, name: str,
                              message_id: str) -> FakeInteraction:
        """A message menu entry (an application command of type 3) chosen on a stored message."""
        command = self.command_store.find(guild.id if guild else None, name, kind=3)
        data: JSON = {"id": command["id"] if command else self.model.ids.next(), "name": name, "type": 3,
                      "target_id": message_id,
                      "resolved": {"messages": {message_id: self.model.message_payload(message_id)}}}
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._interact(InteractionType.APPLICATION_COMMAND, guild, channel, user, data)

    async def press_button(self, guild: Guild | None, channel: ChannelRef, user: UserRef, message_id: str,
                           custom_id: str, *, component_type: int = 2, values: list[str] | None = None,
                           locale: str = "en-US") -> FakeInteraction:
        """Type 3 on a message (stored, or a stand-in bot message for ones sent before this fake ran)."""
        target = self._channel(guild, channel, user)
        if message_id in self.model.messages:
            message = self.model.message_payload(message_id)
        else:
            message = self.model.create_message(target, self.bot_user, {"content": "", "type": 0})
            del self.model.messages[message["id"]]
            message["id"] = message_id
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self._interact(InteractionType.MESSAGE_COMPONENT, guild, target, user, data,
                                    message=message, locale=locale)

    async def submit_modal(self, guild: Guild | None, channel: ChannelRef, user: UserRef, custom_id: str,
                           values: dict[str, str]) -> FakeInteraction:
        """Type 5; the submitted layout mirrors the modal the bot sent with that custom_id, if any."""
        data = {"custom_id": custom_id, "components": self._modal_components(custom_id, values)}
        return await self._interact(InteractionType.MODAL_SUBMIT, guild, channel, user, data)

    def upload(self, filename: str, content: bytes, content_type: str = "application/octet-stream") -> JSON:
        """A file a user attaches to a slash command's attachment option: pass the returned attachment
        object as the option's value; ``data.resolved.attachments`` then carries it, and its ``url`` is
        served by this fake (as Discord's CDN serves the real one)."""
        attachment_id = self.model.ids.next()
        url = f"http://127.0.0.1:{self.port}/cdn/attachments/{attachment_id}/{filename}"
        attachment = {"id": attachment_id, "filename": filename, "size": len(content), "url": url,
                      "proxy_url": url, "content_type": content_type, "ephemeral": True}
        self.uploads[attachment_id] = attachment
        self.upload_content[attachment_id] = content
        return attachment

    async def _serve_upload(self, request: web.Request) -> web.Response:
        content = self.upload_content.get(request.match_info["attachment_id"])
        if content is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=content, content_type="application/octet-stream")

    async def inject_interaction(self, payload: JSON) -> FakeInteraction:
        """Dispatch a hand-made interaction object (e.g. a captured one) and accept callbacks for it."""
        interaction = FakeInteraction(payload)
        self.rest.webhooks.interactions[interaction.id] = interaction
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # messages and reactions ------------------------------------------------------------------------

    async def send_message(self, channel: Guild | ChannelRef, author: UserRef, content: str, *,
                           embeds: list[JSON] | None = None, attachments: list[JSON] | None = None,
                           reply_to: str | None = None) -> JSON:
        """A user posts a message: stored, then MESSAGE_CREATE (blanked if the bot lacks MESSAGE_CONTENT).
        ``channel`` may be a Guild (its system channel). Returns the unblanked event payload."""
        target = channel.system_channel if isinstance(channel, Guild) else self._channel(None, channel, author)
        body: JSON = {"content": content, "embeds": embeds or [], "attachments": attachments or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to, "channel_id": target.id, "type": 0}
            body["type"] = 19
        message = self.model.create_message(target, self.model.users[self._user_id(author)], body)
        event = self.model.message_event(message)
        await self.gateway.dispatch("MESSAGE_CREATE", event)
        return event

    async def react(self, channel: Channel | str, message_id: str, user: UserRef, emoji: str | JSON,
                    add: bool = True, *, burst: bool = False) -> JSON:
        """MESSAGE_REACTION_ADD/REMOVE from a user; the per-message reaction store is updated too.

        Like Discord, nothing is dispatched when the reaction was already there (or already gone).
        """
        changed, name, event = self._change_reaction(channel, message_id, user, emoji, add, burst=burst)
        if changed:
            await self.gateway.dispatch(name, event)
        return event

    async def react_many(self, items: Iterable[ReactionChange], *, pace: float | None = None) -> list[JSON]:
        """A burst of reaction changes: the store is updated for each in order and the ADD/REMOVE
        dispatches go out one frame each, in order, without waiting for the bot (as the gateway does).

        No-op changes are skipped as in :meth:`react`. ``pace`` holds a rate of that many events per
        second; None sends them back to back with no other frame between. Returns the events sent
        (those the session's intents let through).
        """
        if pace is not None:
            return await self._paced(items, pace)
        changes = [self._change_reaction(*item) for item in items]
        events = [(name, event) for changed, name, event in changes if changed]
        flags = await self.gateway.dispatch_many(events)
        return [event for (_, event), sent in zip(events, flags, strict=True) if sent]

    async def _paced(self, items: Iterable[ReactionChange], pace: float) -> list[JSON]:
        """Each change happens when its event goes out, ``pace`` events/s on a fixed schedule (so send
        time does not slow the rate); no-ops take no slot."""
        loop = asyncio.get_running_loop()
        start, slot, sent = loop.time(), 0, []
        for item in items:
            await asyncio.sleep(max(0.0, start + slot / pace - loop.time()))
            changed, name, event = self._change_reaction(*item)
            if changed:
                slot += 1
                if await self.gateway.dispatch(name, event):
                    sent.append(event)
        return sent

    def _change_reaction(self, channel: Channel | str, message_id: str, user: UserRef, emoji: str | JSON,
                         add: bool, *, burst: bool = False) -> tuple[bool, str, JSON]:
        """Apply one reaction change to the store: (changed, event name, event payload)."""
        target = self._channel(None, channel)
        user_id, key = self._user_id(user), emoji_key(emoji)
        if add:
            changed = self.model.add_reaction(message_id, key, user_id, burst=burst)
        else:
            changed = self.model.remove_reaction(message_id, key, user_id)
        event = self.model.reaction_event(target, message_id, user_id, key, add=add, burst=burst)
        return changed, "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", event

    async def delete_message(self, message_id: str) -> None:
        """A moderator deletes a message: gone with its reactions, MESSAGE_DELETE dispatched."""
        await self.rest._delete(self.model.messages[message_id])

    def seed_reactions(self, message_id: str, emoji: str | JSON, users: Sequence[UserRef]) -> None:
        """Reactions made while the bot was offline: in the store (REST sees them), never dispatched."""
        for user in users:
            self.model.add_reaction(message_id, emoji_key(emoji), self._user_id(user))

    # gateway ---------------------------------------------------------------------------------------

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def intents(self) -> int | None:
        """Intents the bot sent in its last IDENTIFY."""
        return self.gateway.intents

    async def dispatch(self, event: str, data: JSON) -> bool:
        """Send any dispatch as is; False when there is no session or its intents filter the event.

        "As is" with two exceptions, both as on Discord: events the intents do not cover are not sent,
        and MESSAGE_CREATE/UPDATE lose their content without MESSAGE_CONTENT. See :meth:`dispatch_raw`.
        """
        return await self.gateway.dispatch(event, data)

    async def dispatch_raw(self, event: str, data: Any) -> JSON:
        """Send ``data`` exactly as given as the ``d`` of an ``event`` frame, whatever the intents (for
        malformed or captured payloads, e.g. a MESSAGE_REACTION_ADD without ``type``). Returns the frame
        sent (``{"op": 0, "t": event, "s": ..., "d": data}``); raises without a session."""
        return await self.gateway.dispatch_raw(event, data)

    @property
    def sent_frames(self) -> list[JSON]:
        """Every frame sent on the newest gateway socket, oldest first (HELLO, READY, ...)."""
        return self.gateway.connections[-1].sent if self.gateway.connections else []

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Until a session has had READY and its GUILD_CREATEs.

        discord.py fires on_ready ``guild_ready_timeout`` after the last GUILD_CREATE, so slightly later.
        """
        def connected() -> bool:
            session = self.gateway.session
            return session is not None and session.ready and session.conn is not None

        await self.gateway.wait_until(connected, timeout)

    async def reconnect(self, *, wait: bool = True, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT. With ``wait``, return once the client has RESUMEd; without, dispatches
        made before it does are held and replayed on RESUME."""
        target = self.resume_count + 1
        await self.gateway.reconnect()
        if wait:
            await self.wait_resumed(target, timeout)

    def refuse_next_resume(self) -> None:
        """The next RESUME is answered op 9 INVALID_SESSION (d=false): the library re-IDENTIFYs and gets a
        new session (on_ready again); dispatches made in between are never replayed. discord.py waits
        5 s (``before_identify_hook``) before that IDENTIFY."""
        self.gateway.refuse_next_resume()

    async def drop_connection(self, code: int | None = None) -> None:
        """Cut the current gateway socket abnormally: None aborts TCP (the client sees 1006), or close
        with ``code`` (e.g. 4000). The library reconnects to ``resume_gateway_url`` and RESUMEs; pair with
        :meth:`refuse_next_resume` for a session Discord has forgotten. Use :meth:`wait_resumed` or
        :meth:`wait_connected` to wait for the comeback."""
        await self.gateway.drop(code)

    async def wait_resumed(self, count: int | None = None, timeout: float = 5.0) -> None:
        """Until ``count`` resumes happened (default: one more than now) and the session is connected."""
        target = count if count is not None else self.resume_count + 1

        def resumed() -> bool:
            session = self.gateway.session
            return self.resume_count >= target and session is not None and session.conn is not None

        await self.gateway.wait_until(resumed, timeout)

    # helpers ---------------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a dispatch from sync code; without a session there is nobody to tell."""
        if self.gateway.session is None:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _user_id(user: UserRef) -> str:
        return str(user["id"]) if isinstance(user, dict) else str(user)

    def _interaction(self, ref: str | FakeInteraction) -> FakeInteraction:
        return ref if isinstance(ref, FakeInteraction) else self.rest.webhooks.interactions[ref]

    def _channel(self, guild: Guild | None, channel: ChannelRef, user: UserRef | None = None) -> Channel:
        """A Channel from an object, an id, a name in ``guild``; None: the guild's system channel or,
        without a guild, the DM with ``user``."""
        if isinstance(channel, Channel):
            return channel
        if channel is None:
            if guild is not None:
                return guild.system_channel
            assert user is not None, "a DM needs the user"
            return self.dm_channel(user)
        if channel in self.model.channels:
            return self.model.channels[channel]
        if guild is not None:
            return guild.channel(channel)
        raise KeyError(f"unknown channel {channel!r}")

    def _command_data(self, guild: Guild | None, name: str, options: list[JSON] | dict[str, Any] | None,
                      subcommand: str | None, focused: str | None) -> JSON:
        guild_id = guild.id if guild else None
        typed = command_options(self.command_store, guild_id, name, options, subcommand, focused)
        command = self.command_store.find(guild_id, name)
        data: JSON = {"id": command["id"] if command else self.model.ids.next(), "name": name, "type": 1}
        if typed:
            data["options"] = typed
        resolved = resolved_data(self.model, guild, typed, self.uploads)
        if resolved:
            data["resolved"] = resolved
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]  # discord.py looks guild commands up by this
        return data

    def _modal_components(self, custom_id: str, values: dict[str, str]) -> list[JSON]:
        sent = [cb["data"] for i in self.rest.webhooks.interactions.values() for cb in i.callbacks
                if cb.get("type") == 9 and cb.get("data", {}).get("custom_id") == custom_id]
        layout = sent[-1]["components"] if sent else [
            {"type": 1, "components": [{"type": 4, "custom_id": key}]} for key in values]

        def fill(component: JSON) -> JSON:
            if component.get("type") == 1:
                return {"type": 1, "components": [fill(c) for c in component.get("components", [])]}
            if component.get("type") == 18:
                return {"type": 18, "component": fill(component["component"])}
            return {"type": component.get("type", 4), "custom_id": component.get("custom_id"),
                    "value": values.get(component.get("custom_id", ""), "")}

        return [fill(c) for c in layout]

    async def _interact(self, itype: int, guild: Guild | None, channel: ChannelRef, user: UserRef,
                        data: JSON, *, locale: str = "en-US", message: JSON | None = None) -> FakeInteraction:
        target = self._channel(guild, channel, user)
        payload = build_interaction(self.model, itype=itype, channel=target, user_id=self._user_id(user),
                                    data=data, locale=locale, message=message)
        return await self.inject_interaction(payload)

