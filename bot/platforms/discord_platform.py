"""The Discord adapter: discord.py 2.7 with slash commands, embeds, buttons, reactions and threads.

`create(config)` is called by the CLI when MICROFILM_DISCORD_TOKEN is set. `[discord] api_base` and
`gateway_url` point the library elsewhere (a proxy, or the test suite's loopback stand-in).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from bot.config import Config, ConfigError, DiscordSettings
from bot.models import ChatName, Message, MessageRef, UserRef
from bot.pacing import Pace, Pacer, Rate
from bot.platform import DeliveryError, Platform, PlatformUnavailable, UnreadableMessage, plain_user_ref
from bot.platforms.discord_commands import CatalogTranslator, CommandBuilder
from bot.platforms.discord_events import SHARE, Incoming
from bot.platforms.discord_globals import LibrarySettings
from bot.platforms.discord_guard import ConnectionWatch, guard_parsers
from bot.platforms.discord_render import cut, edit_kwargs, render
from bot.platforms.discord_respond import PLATFORM
from bot.platforms.discord_send import LABELS, missing_for_announcing, missing_permission, pick_channel, refusal

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
READY_TIMEOUT = 60.0
MENU_KEY = "discord.share_as_film"  # the message menu's entry (a context menu's name is its label)
REACTION_PAGE = 100
UNKNOWN_EMOJI = 10014
REFUSED = {50001, 50013}  # Missing Access, Missing Permissions (not 50007: a member closed their DMs)
_CUSTOM_EMOJI = re.compile(r"^<a?:(?P<name>\w+):(?P<id>\d+)>$")
_MENTION = re.compile(r"^<@!?(?P<id>\d+)>$")


class DiscordClient(discord.Client):
    """The discord.py client; events go to the adapter's Incoming."""

    incoming: Incoming
    watch: ConnectionWatch

    def __init__(self, settings: DiscordSettings, **sharding: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_reactions = True
        intents.dm_messages = True
        # No message cache: the bot reads raw events, and discord.py scans that cache for every reaction.
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none(),
                         guild_ready_timeout=settings.guild_ready_timeout, max_messages=None, **sharding)
        self.tree: app_commands.CommandTree[DiscordClient] = app_commands.CommandTree(self)
        self.ready = asyncio.Event()
        guard_parsers(self)

    async def on_ready(self) -> None:
        self.ready.set()
        await self.watch.ready()

    async def on_resumed(self) -> None:
        await self.watch.resumed()

    async def on_disconnect(self) -> None:
        self.watch.disconnected(self.incoming.app.clock.now())

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.incoming.reaction(payload, True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.incoming.reaction(payload, False)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.incoming.joined(guild)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # One handler for every button's custom id: presses work on messages sent before a restart.
        if interaction.type is discord.InteractionType.component:
            await self.incoming.button(interaction)
        elif interaction.type is discord.InteractionType.modal_submit:
            await self.incoming.form(interaction)


class ShardedDiscordClient(DiscordClient, discord.AutoShardedClient):
    """The same client running several of Discord's shards in this process (see `make_client`)."""


def make_client(settings: DiscordSettings) -> DiscordClient:
    """One connection, or the shards this process runs: all `shard_count` of them, or `shard_ids` only
    (other processes on the same database run the rest)."""
    if not settings.shard_count:
        return DiscordClient(settings)
    ids = list(settings.shard_ids) or None
    return ShardedDiscordClient(settings, shard_count=settings.shard_count, shard_ids=ids)


class DiscordPlatform(Platform):
    name = PLATFORM
    idempotent_sends = True  # a resend with the row's nonce returns the message already posted
    private_answers = True  # ephemeral replies
    shows_pictures = True  # embed thumbnails

    def __init__(self, config: Config) -> None:
        self.settings = config.discord
        self.token = config.discord_token or ""
        self.client: DiscordClient | None = None
        self._app: App | None = None
        self._task: asyncio.Task[None] | None = None
        self._library = LibrarySettings.of(self.settings)
        self.pacer = Pacer(discord_pace(self.settings))

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self, app: App) -> None:
        self._app = app
        guilds = _guild_ids(self.settings.guilds)
        self._library.apply()
        client = self.client = make_client(self.settings)
        client.incoming = Incoming(app, client, self.settings.admin_roles)
        client.watch = self.watch = ConnectionWatch(app, client, self._gap)
        for built in CommandBuilder(app, client.incoming.command, client.incoming.complete).build():
            client.tree.add_command(built)
        if SHARE in app.registry.commands:
            label = app_commands.locale_str(app.translator("en").s(MENU_KEY), key=MENU_KEY)
            client.tree.add_command(app_commands.ContextMenu(
                name=label, callback=client.incoming.share_message,
                type=discord.AppCommandType.message))
        await client.tree.set_translator(CatalogTranslator(app))
        try:
            try:
                await client.login(self.token)
            except discord.LoginFailure as exc:
                raise ConfigError("Discord refused the token in MICROFILM_DISCORD_TOKEN; copy the bot token "
                                  "from the Developer Portal (Bot > Reset Token)") from exc
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                raise PlatformUnavailable(f"cannot reach Discord at {self.settings.api_base} "
                                          f"({type(exc).__name__}: {exc}); is the network up?") from exc
            await self._sync(client, guilds)
            self._task = asyncio.create_task(self.watch.run(), name="discord-gateway")
            await self._wait_ready(client)
        except BaseException:
            await self.stop()
            raise
        log.info("discord: logged in as %s in %d guild(s)", client.user, len(client.guilds))

    async def _sync(self, client: DiscordClient, guilds: list[int]) -> None:
        for guild_id in guilds:
            target = discord.Object(guild_id)
            client.tree.copy_global_to(guild=target)
            try:
                await client.tree.sync(guild=target)
            except discord.Forbidden:
                # Not invited there, or invited without the applications.commands scope: the rest still work.
                log.warning("discord: cannot register slash commands in guild %s; invite the bot there with "
                            "the bot and applications.commands scopes", guild_id)
        if not guilds:
            await client.tree.sync()

    async def _wait_ready(self, client: DiscordClient) -> None:
        assert self._task is not None
        ready = asyncio.ensure_future(client.ready.wait())
        done, _ = await asyncio.wait({ready, self._task}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if self._task in done:
                self._task.result()
                raise ConfigError(f"Discord refused the gateway connection: {self.watch.fatal}")
            raise TimeoutError(f"Discord gateway not ready after {READY_TIMEOUT:.0f} s")

    def disconnected_since(self) -> datetime | None:
        return self.watch.disconnected_at if self.client is not None else None

    async def _gap(self, started: datetime, ended: datetime, lost: bool) -> None:
        assert self._app is not None
        try:
            await self._app.gaps.over(PLATFORM, started, ended, lost=lost)
        except Exception:
            log.exception("discord: could not record the connection gap from %s", started.isoformat())

    async def pause(self) -> None:
        """Close the gateway (no more events); REST stays open for the deliveries still due."""
        if self.client is None or self._task is None:
            return
        self.watch.stopping = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        self._task = None
        if self.client.ws is not None:
            with contextlib.suppress(Exception):
                await self.client.ws.close(code=1000)

    async def stop(self) -> None:
        if self.client is not None:
            self.watch.stopping = True
            await self.client.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 5)
            except (asyncio.CancelledError, TimeoutError):
                pass
            except Exception as exc:  # the gateway may end with an error once closed; nothing to do then
                log.debug("discord gateway ended: %r", exc)
            self._task = None
        self.client = None
        self._library.restore()

    # -- sending ---------------------------------------------------------------------------------------------

    @property
    def _client(self) -> DiscordClient:
        if self.client is None:
            raise DeliveryError("Discord is not connected")
        return self.client

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   nonce: str | None = None) -> MessageRef:
        client = self._client
        if not chat_id.isdigit():
            raise DeliveryError(f"{chat_id!r} is not a Discord channel or server id", permanent=True)
        guild = client.get_guild(int(chat_id))
        channel: Any = pick_channel(guild, kind, self.settings) if guild else await self._channel(chat_id)
        sent = await self._post(channel, message, nonce, paced_as=(chat_id, False))
        if kind == "showcase" and message.card is not None and self.settings.threads:
            await self._open_thread(channel, sent, message.card.title)
        return MessageRef(PLATFORM, str(channel.id), str(sent.id))

    async def send_private(self, user_id: str, message: Message, *, zone: str,
                           nonce: str | None = None) -> MessageRef | None:
        client = self._client
        try:
            user = client.get_user(int(user_id)) or await client.fetch_user(int(user_id))
            channel = user.dm_channel or await user.create_dm()
            sent = await self._post(channel, message, nonce, paced_as=(user_id, True))
        except DeliveryError as exc:
            if exc.permanent:
                return None  # they closed their DMs; the reason is logged
            raise
        except discord.NotFound:
            return None
        return MessageRef(PLATFORM, str(channel.id), str(sent.id))

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None:
        channel = await self._channel(ref.chat_id)
        try:
            await channel.get_partial_message(int(ref.message_id)).edit(**edit_kwargs(message))
        except discord.Forbidden as exc:
            self._log_forbidden(channel, exc, message)
            raise DeliveryError(f"no permission to edit in {channel}", permanent=True) from exc
        except discord.NotFound as exc:
            raise DeliveryError(f"message {ref.message_id} is gone", permanent=True) from exc

    async def missing_rights(self, chat_id: str) -> list[str]:
        try:
            channel = await self._channel(chat_id)
        except DeliveryError:
            return ["view_channel"]
        return missing_for_announcing(channel)

    async def chat_label(self, target: str, kind: str | None = None) -> ChatName:
        """A channel mention; for a whole server, of the channel its announcements of `kind` go to."""
        if self.client is None or not target.isdigit():
            return ChatName(target, target)
        guild = self.client.get_guild(int(target))
        try:
            channel = pick_channel(guild, kind, self.settings) if guild else await self._channel(target)
        except DeliveryError:  # none the bot may post in, or gone: named as it is known
            return ChatName("", guild.name if guild else target)
        return ChatName(str(channel.id), f"#{getattr(channel, 'name', target)}")

    async def _channel(self, chat_id: str) -> Any:
        client = self._client
        try:
            return client.get_channel(int(chat_id)) or await client.fetch_channel(int(chat_id))
        except (discord.NotFound, discord.Forbidden) as exc:
            raise DeliveryError(f"Discord channel {chat_id} is gone or hidden from the bot",
                                permanent=True) from exc

    async def _post(self, channel: Any, message: Message, nonce: str | None,
                    paced_as: tuple[str, bool]) -> discord.Message:
        """Post each part; with a nonce each part carries its own (Discord returns an already posted part).
        Each part waits its turn by the pace of `paced_as` (the outbox's target, private or not)."""
        sent: discord.Message | None = None
        for index, part in enumerate(render(message)):
            extra = {"nonce": f"{nonce}.{index}"} if nonce else {}
            if self.pacer is not None:
                await self.pacer.acquire(*paced_as)
            try:
                sent = await channel.send(**part.kwargs(), **extra)
            except discord.Forbidden as exc:
                self._log_forbidden(channel, exc, message)
                raise DeliveryError(f"no permission to post in {channel}",
                                    refusal=refusal(channel, message) if exc.code in REFUSED else None,
                                    permanent=True) from exc
            except discord.NotFound as exc:
                raise DeliveryError(f"Discord channel {channel} is gone", permanent=True) from exc
            except (discord.DiscordServerError, TimeoutError, aiohttp.ClientError) as exc:
                # It may have been posted; the nonce makes sending again safe.
                raise DeliveryError(f"Discord send in {channel} failed: {exc}", uncertain=True) from exc
        assert sent is not None
        return sent

    def _log_forbidden(self, channel: Any, exc: discord.Forbidden, message: Message) -> None:
        named = getattr(channel, "name", None)
        where = f"#{named} ({channel.id})" if named else f"DM channel {channel.id}"
        guild = getattr(channel, "guild", None)
        if guild is not None:
            where += f" in {guild.name} ({guild.id})"
        log.warning("discord: cannot post in %s: missing permission %s (Discord said %s %s); carrying on",
                    where, LABELS[missing_permission(channel, message)], exc.code, exc.text)

    async def _open_thread(self, channel: Any, sent: discord.Message, title: str) -> None:
        """A discussion thread under a shared film's announcement; a failure only costs the thread."""
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            await sent.create_thread(name=cut(title, 100) or "film")
        except discord.HTTPException as exc:
            log.warning("discord: could not open a thread in #%s (%s): %s", channel.name, channel.id, exc)

    # -- reactions -------------------------------------------------------------------------------------------

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        """Everyone reacting with `emoji` now (except the bot), paging 100 at a time."""
        client = self._client
        match = _CUSTOM_EMOJI.match(emoji)
        key = f"{match['name']}:{match['id']}" if match else emoji
        me = str(client.user.id) if client.user else ""
        found: list[str] = []
        after: int | None = None
        try:
            while True:
                page = await client.http.get_reaction_users(int(ref.chat_id), int(ref.message_id), key,
                                                            REACTION_PAGE, after=after)
                found.extend(str(user["id"]) for user in page)
                if len(page) < REACTION_PAGE:
                    break
                after = int(page[-1]["id"])
        except discord.NotFound as exc:
            if exc.code == UNKNOWN_EMOJI:
                return []  # nobody reacts with it
            raise UnreadableMessage(f"message {ref.message_id} is gone (Discord said {exc.code})") from exc
        except discord.Forbidden as exc:
            log.warning("discord: cannot read reactions in channel %s (missing Read Message History)",
                        ref.chat_id)
            raise UnreadableMessage(f"no permission to read channel {ref.chat_id}") from exc
        return [user_id for user_id in found if user_id != me]

    def message_link(self, ref: MessageRef) -> str | None:
        channel = self.client.get_channel(int(ref.chat_id)) if self.client and ref.chat_id.isdigit() else None
        guild = getattr(channel, "guild", None)
        where = str(guild.id) if guild is not None else "@me"
        return f"https://discord.com/channels/{where}/{ref.chat_id}/{ref.message_id}"

    def parse_user(self, text: str) -> UserRef:
        """A pasted mention (`<@123>`, `<@!123>`) names the account; anything else is a name or an id."""
        found = _MENTION.match(text.strip())
        return UserRef(user_id=found["id"]) if found else plain_user_ref(text)

    async def describe(self, ref: MessageRef) -> list[str] | None:
        """The button ids of a message the bot posted (read from Discord); None if it is not the bot's."""
        client = self._client
        try:
            data: Any = await client.http.get_message(int(ref.chat_id), int(ref.message_id))
        except discord.HTTPException as exc:
            log.info("discord: cannot read message %s in %s: %s", ref.message_id, ref.chat_id, exc)
            return None
        if client.user is None or str(data.get("author", {}).get("id")) != str(client.user.id):
            return None
        items = [item for row in data.get("components", []) for item in row.get("components", [])]
        # A select menu's options stand for buttons: their values are those buttons' ids.
        return [str(option["value"]) for item in items for option in item.get("options", [])] + [
            str(item["custom_id"]) for item in items if "custom_id" in item and "options" not in item]


def _guild_ids(guilds: tuple[str, ...]) -> list[int]:
    out = []
    for index, value in enumerate(guilds):
        if not str(value).isdigit():
            raise ConfigError(f"discord.guilds[{index}] = {value!r} is not a guild id; copy the server id "
                              "(Developer Mode > right-click the server > Copy Server ID)")
        out.append(int(value))
    return out


def create(config: Config) -> DiscordPlatform:
    return DiscordPlatform(config)


def discord_pace(settings: DiscordSettings) -> Pace:
    """A channel's message bucket (a DM channel has one too) and a share of the global limit."""
    channel = (Rate(settings.channel_messages, settings.channel_seconds),) if settings.channel_messages > 0 else ()
    overall = Rate(max(1, int(settings.global_max_rate * 0.8)), 1.0) if settings.global_max_rate > 0 else None
    return Pace(chat=channel, private=channel, overall=overall)
