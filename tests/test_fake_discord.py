"""The Discord fake against the real discord.py 2.7 (nothing mocked): login, gateway, commands, REST.

Each test runs a small discord.Client (ProbeBot) against a fresh FakeDiscord on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.testing.fakes.discord_gateway import Intent
from bot.testing.fakes.discord_server import Channel, FakeDiscord, Guild

pytestmark = pytest.mark.timeout(20)

# Payload captures (see their README for provenance); kept in tests/fixtures/.
FIXTURE_DIRS = [Path(__file__).parent / "fixtures" / "discord"]


def load_fixture(name: str) -> dict[str, Any]:
    for directory in FIXTURE_DIRS:
        if (directory / name).exists():
            return json.loads((directory / name).read_text(encoding="utf-8"))
    pytest.skip(f"fixture {name} not available")


class VoteView(discord.ui.View):
    """A persistent view: stable custom_id, no timeout, registered in setup_hook."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Vote", custom_id="microfilm:vote", style=discord.ButtonStyle.primary)
    async def vote(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.send_message(f"vote counted for {interaction.user.name}", ephemeral=True)


class PitchModal(discord.ui.Modal, title="Pitch a film"):
    logline: discord.ui.TextInput[PitchModal] = discord.ui.TextInput(label="Logline", custom_id="logline")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"pitched: {self.logline.value}")


class ProbeBot(discord.Client):
    """A minimal bot: the intents the project's bot uses, a command tree, events turned into queues."""

    def __init__(self, *, extra_intents: dict[str, bool] | None = None) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_reactions = True
        intents.dm_messages = True
        for name, value in (extra_intents or {}).items():
            setattr(intents, name, value)
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none(),
                         guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.is_up = asyncio.Event()
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._add_commands()

    def _add_commands(self) -> None:
        @self.tree.command(name="echo", description="Repeat some text")
        async def echo(interaction: discord.Interaction, text: str, times: int = 1) -> None:
            await interaction.response.send_message(text * times)

        @self.tree.command(name="slow", description="Defer, then answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done")

        @self.tree.command(name="pitch", description="Pitch a film")
        async def pitch(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(PitchModal())

        @self.tree.command(name="cardsearch", description="The command in Discord's docs example")
        async def cardsearch(interaction: discord.Interaction, cardname: str) -> None:
            await interaction.response.send_message(f"found {cardname}")

        film = app_commands.Group(name="film", description="Films")

        @film.command(name="add", description="Add a film")
        async def film_add(interaction: discord.Interaction, title: str) -> None:
            await interaction.response.send_message(f"added {title}")

        @film_add.autocomplete("title")
        async def title_choices(interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
            titles = [t for t in ("Paprika", "Parasite", "Persona") if t.lower().startswith(current.lower())]
            return [app_commands.Choice(name=t, value=t) for t in titles]

        self.tree.add_command(film)

    async def setup_hook(self) -> None:
        self.add_view(VoteView())

    async def on_ready(self) -> None:
        self.is_up.set()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.events.put(("reaction_add", payload))

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.events.put(("reaction_remove", payload))

    async def on_message(self, message: discord.Message) -> None:
        await self.events.put(("message", message))

    async def next_event(self, kind: str, timeout: float = 3.0) -> Any:
        """The next event of this kind, skipping others (e.g. echoes of the bot's own messages)."""
        async def _next() -> Any:
            while True:
                name, payload = await self.events.get()
                if name == kind:
                    return payload

        return await asyncio.wait_for(_next(), timeout)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        with server.patch_discord():  # restores Route.BASE and DEFAULT_GATEWAY after each test
            yield server
        assert server.errors == []  # no handler of the fake blew up


@pytest.fixture
def guild(fake: FakeDiscord) -> Guild:
    return fake.add_guild("microfilm makers", channels=["general", "screenings"], roles=["jury"],
                          members=["ana", {"username": "ben", "roles": ["jury"]}])


Bot = TypeVar("Bot", bound=ProbeBot)


@asynccontextmanager
async def running(bot: Bot, fake: FakeDiscord) -> AsyncIterator[Bot]:
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.is_up.wait(), 5)
        yield bot
    finally:
        await bot.close()
        if not fake.is_serving:
            task.cancel()  # the fake stopped first: the client sits in its reconnect back-off sleep
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(fake: FakeDiscord, guild: Guild) -> AsyncIterator[ProbeBot]:
    async with running(ProbeBot(), fake) as client:
        yield client


def member(guild: Guild, fake: FakeDiscord, name: str) -> dict[str, Any]:
    return next(fake.model.users[uid] for uid in guild.members if fake.model.users[uid]["username"] == name)


def text_channel(bot: discord.Client, channel: Channel) -> discord.TextChannel:
    """The bot's cached TextChannel for a fake channel."""
    found = bot.get_channel(int(channel.id))
    assert isinstance(found, discord.TextChannel)
    return found


# --- login and gateway ------------------------------------------------------------------------------


async def test_login_ready_and_guild_cache(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    assert bot.user is not None and str(bot.user.id) == fake.bot_user["id"]
    assert str(bot.application_id) == fake.application_id
    cached = bot.get_guild(int(guild.id))
    assert cached is not None and cached.member_count == len(guild.members)
    assert {c.name for c in cached.text_channels} == {"general", "screenings"}
    assert cached.system_channel is not None and cached.system_channel.name == "general"
    assert cached.me.guild_permissions.send_messages
    login = [f"{r.method} {r.path}" for r in fake.requests]
    assert login == ["GET /users/@me", "GET /oauth2/applications/@me"]
    assert fake.intents == bot.intents.value == 5121
    assert fake.identify_count == 1 and fake.gateway.connections[0].query["v"] == "10"
    assert fake.unknown_requests == []


async def test_wrong_token_is_a_login_failure(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.none())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert fake.requests[0].status == 401


async def test_privileged_intent_not_granted_closes_4014() -> None:
    async with FakeDiscord(granted_intents=Intent.GUILD_MEMBERS) as strict:
        strict.add_guild("strict")
        with strict.patch_discord():
            client = ProbeBot(extra_intents={"message_content": True})
            with pytest.raises(discord.PrivilegedIntentsRequired):
                await asyncio.wait_for(client.start(strict.token), 5)
            await client.close()
        assert strict.gateway.close_codes == [4014]


async def test_reconnect_resumes_and_replays_missed_dispatches(fake: FakeDiscord, guild: Guild,
                                                               bot: ProbeBot) -> None:
    ana = member(guild, fake, "ana")
    message = await text_channel(bot, guild.system_channel).send("vote here")
    await fake.reconnect(wait=False)
    # Sent while the client is between sockets: held by the fake, replayed after RESUME.
    await fake.react(guild.system_channel, str(message.id), ana, "🎬")
    await fake.wait_resumed()
    replayed = await bot.next_event("reaction_add")
    assert replayed.user_id == int(ana["id"]) and str(replayed.emoji) == "🎬"
    assert (fake.identify_count, fake.resume_count) == (1, 1)
    assert fake.gateway.connections[-1].path == "/gateway/resume"  # READY's resume_gateway_url
    interaction = await fake.slash(guild, "general", ana, "echo", {"text": "still here"})
    assert (await interaction.wait_callback())["data"]["content"] == "still here"


async def test_member_query_uses_op8_chunks(fake: FakeDiscord, guild: Guild) -> None:
    async with running(ProbeBot(extra_intents={"members": True}), fake) as client:
        cached = client.get_guild(int(guild.id))
        assert cached is not None
        found = await cached.query_members("an")
    assert [m.name for m in found] == ["ana"]
    assert any(frame["op"] == 8 for frame in fake.gateway.received)


async def test_message_content_blanked_without_the_intent(fake: FakeDiscord, guild: Guild) -> None:
    async with running(ProbeBot(extra_intents={"guild_messages": True}), fake) as client:
        ana = member(guild, fake, "ana")
        await fake.send_message(guild, ana, "a secret plot twist")
        assert (await client.next_event("message")).content == ""
        await fake.send_message(guild, ana, f"<@{fake.bot_user['id']}> what do you think?")
        assert (await client.next_event("message")).content.endswith("what do you think?")
        await fake.send_message(fake.dm_channel(ana), ana, "hello in private")
        assert (await client.next_event("message")).content == "hello in private"


async def test_stopping_closes_websockets_promptly(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    started = time.monotonic()
    await fake.stop()
    assert time.monotonic() - started < 1.5
    assert all(conn.ws.closed for conn in fake.gateway.connections)


# --- application commands and interactions ----------------------------------------------------------


async def test_tree_sync_to_guild_puts_commands(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    target = discord.Object(int(guild.id))
    bot.tree.copy_global_to(guild=target)
    synced = await bot.tree.sync(guild=target)
    stored = fake.commands(guild.id)
    assert {c.name for c in synced} == {c["name"] for c in stored} >= {"echo", "film", "pitch"}
    assert {str(c.id) for c in synced} == {c["id"] for c in stored}
    assert fake.requests_to("PUT", rf"/applications/{fake.application_id}/guilds/{guild.id}/commands$")


async def test_slash_command_is_answered_through_the_callback(fake: FakeDiscord, guild: Guild,
                                                              bot: ProbeBot) -> None:
    await bot.tree.sync()
    interaction = await fake.slash(guild, "general", member(guild, fake, "ana"), "echo",
                                   {"text": "ab", "times": 3})
    assert interaction["data"]["options"][1] == {"type": 4, "name": "times", "value": 3}  # typed from sync
    callback = await interaction.wait_callback()
    assert callback == {"type": 4, "data": callback["data"]} and callback["data"]["content"] == "ababab"
    request = fake.requests_to("POST", rf"/interactions/{interaction.id}/")[0]
    assert request.query == {"with_response": "1"} and "Authorization" not in request.headers
    original = fake.messages_in(guild.channel("general"))[-1]
    assert original["content"] == "ababab" and original["interaction_metadata"]["id"] == interaction.id


async def test_defer_then_followup_fills_the_thinking_message(fake: FakeDiscord, guild: Guild,
                                                              bot: ProbeBot) -> None:
    interaction = await fake.slash(guild, None, member(guild, fake, "ben"), "slow")
    assert (await interaction.wait_callback())["type"] == 5
    await fake.wait_for_request("POST", rf"/webhooks/{fake.application_id}/{interaction.token}$")
    assert interaction.followups[0]["id"] == interaction.original_message_id
    assert fake.model.messages[interaction.original_message_id or ""]["content"] == "done"


async def test_subcommand_autocomplete_and_invocation(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    ana = member(guild, fake, "ana")
    typing = await fake.autocomplete(guild, "general", ana, "film", {"title": "pa"}, focused="title",
                                     subcommand="add")
    choices = (await typing.wait_callback())["data"]["choices"]
    assert [c["value"] for c in choices] == ["Paprika", "Parasite"]
    invoked = await fake.slash(guild, "general", ana, "film", {"title": "Paprika"}, subcommand="add")
    assert invoked["data"]["options"][0]["type"] == 1
    assert (await invoked.wait_callback())["data"]["content"] == "added Paprika"


async def test_modal_round_trip(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    ana = member(guild, fake, "ana")
    opened = await fake.slash(guild, "general", ana, "pitch")
    modal = await opened.wait_callback()
    assert modal["type"] == 9 and modal["data"]["custom_id"]
    submitted = await fake.submit_modal(guild, "general", ana, modal["data"]["custom_id"],
                                        {"logline": "A phone films its owner"})
    assert (await submitted.wait_callback())["data"]["content"] == "pitched: A phone films its owner"


async def test_button_press_reaches_the_persistent_view(fake: FakeDiscord, guild: Guild,
                                                        bot: ProbeBot) -> None:
    channel = text_channel(bot, guild.channel("screenings"))
    posted = await channel.send("Vote for tonight's film", view=VoteView())
    components = fake.requests_to("POST", r"/channels/\d+/messages$")[-1].json["components"]
    assert components[0]["components"][0]["custom_id"] == "microfilm:vote"
    ben = member(guild, fake, "ben")
    for message_id in (str(posted.id), "1234567890123456789"):  # also a message from before a restart
        pressed = await fake.press_button(guild, "screenings", ben, message_id, "microfilm:vote")
        callback = await pressed.wait_callback()
        assert callback["type"] == 4 and callback["data"]["content"] == "vote counted for ben"
        assert callback["data"]["flags"] == 64  # ephemeral


async def test_captured_interaction_shape_parses(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    payload = load_fixture("interaction_create_slash.json")
    channel = guild.channel("general")
    # The docs example predates fields discord.py 2.7 reads unconditionally (KeyError without them).
    payload.update(application_id=fake.application_id, version=1, attachment_size_limit=8388608)
    payload["member"]["flags"] = 0
    # Point it at the fake's guild and channel so the answer has somewhere to land.
    payload.update(guild_id=guild.id, channel_id=channel.id)
    interaction = await fake.inject_interaction(payload)
    assert (await interaction.wait_callback())["data"]["content"] == "found The Gitrog Monster"


# --- messages, reactions, REST ----------------------------------------------------------------------


async def test_message_post_without_pings(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    ana = member(guild, fake, "ana")
    channel = text_channel(bot, guild.system_channel)
    message = await channel.send(f"<@{ana['id']}> your film is up @everyone")
    request = await fake.wait_for_request("POST", rf"/channels/{channel.id}/messages$")
    assert request.json["allowed_mentions"] == {"parse": []}
    stored = fake.model.messages[str(message.id)]
    assert stored["mentions"] == [] and stored["mention_everyone"] is False
    assert message.author == bot.user and message.created_at.year >= 2024


async def test_reactions_arrive_as_raw_events(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    channel = text_channel(bot, guild.system_channel)
    message = await channel.send("react to me")
    ben = member(guild, fake, "ben")
    await fake.react(guild.system_channel, str(message.id), ben, "👍")
    added = await bot.next_event("reaction_add")
    assert (added.user_id, str(added.emoji), added.burst, added.type) == (
        int(ben["id"]), "👍", False, discord.ReactionType.normal)
    assert added.message_author_id == message.author.id
    assert added.member is not None and added.member.name == "ben"
    await fake.react(guild.system_channel, str(message.id), ben, "👍", add=False)
    removed = await bot.next_event("reaction_remove")
    assert removed.user_id == int(ben["id"]) and removed.event_type == "REACTION_REMOVE"
    await message.add_reaction("🍿")
    assert fake.model.reactions[str(message.id)]["🍿"] == {fake.bot_user["id"]: False}


async def test_captured_reaction_shape_parses(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    payload = load_fixture("message_reaction_add_2.json")
    # Required now, absent in the 2017 capture; guild_id also routes it to the guild_reactions intent.
    payload.update(type=0, burst=False, guild_id=guild.id)
    assert await fake.dispatch("MESSAGE_REACTION_ADD", payload)
    event = await bot.next_event("reaction_add")
    assert (event.user_id, event.message_id) == (114941315417899012, 307288080891772929)
    assert str(event.emoji) == "👍" and event.emoji.id is None


async def test_reaction_users_page_past_100(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    channel = text_channel(bot, guild.system_channel)
    poll = await channel.send("Which film?")
    voters = [fake.add_user(f"voter{i}") for i in range(150)]
    fake.seed_reactions(str(poll.id), "🎞️", voters)  # votes cast while the bot was offline
    fetched = await channel.fetch_message(poll.id)
    (reaction,) = fetched.reactions
    assert reaction.count == 150 and not reaction.me
    users = [user async for user in reaction.users()]
    assert sorted(u.id for u in users) == sorted(int(v["id"]) for v in voters)
    pages = fake.requests_to("GET", r"/reactions/")
    assert [p.query.get("limit") for p in pages] == ["100", "50"]
    assert pages[1].query["after"] == sorted((v["id"] for v in voters), key=int)[99]


async def test_rate_limit_is_waited_out_and_retried(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    channel = text_channel(bot, guild.system_channel)
    fake.rate_limit_next("POST", r"/channels/\d+/messages$", retry_after=0.2)
    started = time.monotonic()
    await channel.send("after a short wait")
    assert time.monotonic() - started >= 0.2
    assert [r.status for r in fake.requests_to("POST", r"/channels/\d+/messages$")] == [429, 200]
    # The webhook/interaction code path retries too.
    fake.rate_limit_next("POST", r"/interactions/", retry_after=0.1, global_=True)
    interaction = await fake.slash(guild, "general", member(guild, fake, "ana"), "echo", {"text": "x"})
    assert (await interaction.wait_callback())["data"]["content"] == "x"


async def test_denied_channel_raises_forbidden(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    screenings = guild.channel("screenings")
    updated = asyncio.ensure_future(bot.wait_for("guild_channel_update", timeout=3))
    fake.deny_send(screenings)
    _, after = await updated
    assert isinstance(after, discord.TextChannel)
    assert not after.permissions_for(after.guild.me).send_messages
    with pytest.raises(discord.Forbidden) as raised:
        await after.send("let me in")
    assert raised.value.code == 50013 and raised.value.status == 403


async def test_everyday_rest_routes(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    cached = bot.get_guild(int(guild.id))
    assert cached is not None
    ana = member(guild, fake, "ana")
    assert (await cached.fetch_member(int(ana["id"]))).name == "ana"
    assert {c.name for c in await cached.fetch_channels()} == {"general", "screenings"}
    assert "jury" in {r.name for r in await cached.fetch_roles()}
    channel = text_channel(bot, guild.system_channel)
    message = await channel.send("first cut")
    edited = await message.edit(content="final cut")
    assert edited.content == "final cut" and edited.edited_at is not None
    thread = await message.create_thread(name="feedback")
    assert thread.id == message.id and thread.parent_id == channel.id
    await thread.send("notes in the thread")
    dm = await (await bot.fetch_user(int(ana["id"]))).send("a private hello")
    assert dm.channel.type is discord.ChannelType.private
    await message.delete()
    assert str(message.id) not in fake.model.messages
    assert fake.unknown_requests == []


async def test_direct_message_slash_and_denied_dm(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    ana = member(guild, fake, "ana")
    interaction = await fake.slash(None, None, ana, "echo", {"text": "psst"})
    assert interaction["context"] == 1 and "member" not in interaction.payload
    assert (await interaction.wait_callback())["data"]["content"] == "psst"
    assert fake.messages_in(fake.dm_channel(ana))[-1]["content"] == "psst"
    fake.deny_send(fake.dm_channel(ana))  # e.g. the user closed DMs from server members
    user = await bot.fetch_user(int(ana["id"]))
    with pytest.raises(discord.Forbidden) as raised:
        await user.send("hello?")
    assert raised.value.code == 50007


async def test_late_interaction_answer_is_unknown() -> None:
    async with FakeDiscord(interaction_deadline=0.05) as strict:
        g = strict.add_guild("strict")
        user = strict.add_member(g, "cy")
        with strict.patch_discord():
            client = ProbeBot()

            @client.tree.command(name="nap", description="Too slow to answer")
            async def nap(interaction: discord.Interaction) -> None:
                await asyncio.sleep(0.1)
                await interaction.response.send_message("too late")

            async with running(client, strict):
                late = await strict.slash(g, None, user, "nap")
                request = await strict.wait_for_request("POST", rf"/interactions/{late.id}/")
        assert request.status == 404 and request.response["code"] == 10062 and late.callbacks == []


async def test_patch_discord_is_undone() -> None:
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    # Earlier tests patched through the fixture: the library must point at Discord again.
    assert (Route.BASE, str(DiscordWebSocket.DEFAULT_GATEWAY)) == (
        "https://discord.com/api/v10", "wss://gateway.discord.gg/")
    async with FakeDiscord() as server:
        undo = server.patch_discord()  # the plain-call form returns its undo
        assert (Route.BASE, str(DiscordWebSocket.DEFAULT_GATEWAY)) == (server.api_base, server.gateway_url)
        undo()
    assert Route.BASE == "https://discord.com/api/v10"


# --- nonces and the instant of acceptance -----------------------------------------------------------


async def test_send_with_a_nonce_twice_gives_the_same_message(fake: FakeDiscord, guild: Guild) -> None:
    async with running(ProbeBot(extra_intents={"guild_messages": True}), fake) as client:
        channel = text_channel(client, guild.system_channel)
        first = await channel.send("screening at eight", nonce="abc")
        again = await channel.send("screening at eight", nonce="abc")
        other = await channel.send("screening at nine")  # discord.py makes up a random nonce itself
    assert again.id == first.id and first.nonce == "abc" and fake.nonce_hits == 1
    assert [m["content"] for m in fake.messages_in(guild.system_channel)] == [
        "screening at eight", "screening at nine"]
    posts = fake.requests_to("POST", rf"/channels/{channel.id}/messages$")
    assert [(p.json["nonce"], p.json["enforce_nonce"]) for p in posts[:2]] == [("abc", True)] * 2
    assert posts[2].json["enforce_nonce"] is True and posts[2].json["nonce"].isdigit() and other.id != first.id
    creates = [f for f in fake.sent_frames if f["t"] == "MESSAGE_CREATE"]
    assert [f["d"]["id"] for f in creates] == [str(first.id), str(other.id)]  # the repeat dispatched nothing


async def test_nonce_window_length_and_deleted_original() -> None:
    async with FakeDiscord(nonce_window=0.1) as short:
        g = short.add_guild("short memory")
        with short.patch_discord():
            async with running(ProbeBot(), short) as client:
                channel = text_channel(client, g.system_channel)
                first = await channel.send("one", nonce=12345)
                await asyncio.sleep(0.15)
                later = await channel.send("one", nonce=12345)  # the window has passed: a new message
                await later.delete()
                with pytest.raises(discord.NotFound):  # the nonce's message was deleted meanwhile
                    await channel.send("one", nonce=12345)
                with pytest.raises(discord.HTTPException) as too_long:
                    await channel.send("two", nonce="n" * 26)
        assert later.id != first.id and short.nonce_hits == 0
        assert too_long.value.code == 50035 and short.errors == []


async def test_after_accept_runs_between_storing_and_answering(fake: FakeDiscord, guild: Guild) -> None:
    seen: list[tuple[str, bool, bool, bool]] = []

    async def hook(message: dict[str, Any]) -> None:
        stored = any(m["id"] == message["id"] for m in fake.messages_in(guild.system_channel))
        echoed = any(f["t"] == "MESSAGE_CREATE" and f["d"]["id"] == message["id"] for f in fake.sent_frames)
        seen.append((message["content"], stored, echoed, sending.done()))

    async with running(ProbeBot(extra_intents={"guild_messages": True}), fake) as client:
        fake.after_accept = hook
        sending = asyncio.create_task(text_channel(client, guild.system_channel).send("poster is up"))
        sent = await sending
        ana = member(guild, fake, "ana")
        echo = await fake.slash(guild, None, ana, "echo", {"text": "hi"})
        await echo.wait_callback()
        slow = await fake.slash(guild, None, ana, "slow")
        await fake.wait_for_request("POST", rf"/webhooks/{fake.application_id}/{slow.token}$")
    assert seen[0] == ("poster is up", True, True, False) and sent.content == "poster is up"
    assert [content for content, *_ in seen] == ["poster is up", "hi", "done"]  # callback 4 and follow-up


async def test_held_answer_times_out_and_a_retry_with_the_nonce_finds_the_message(fake: FakeDiscord, guild: Guild,
                                                                                 bot: ProbeBot) -> None:
    channel = text_channel(bot, guild.system_channel)
    fake.hold_responses = release = asyncio.Event()
    with pytest.raises(TimeoutError):  # discord.py has no request timeout of its own (aiohttp: 300 s)
        await asyncio.wait_for(channel.send("tonight: Persona", nonce="post-17"), 0.2)
    (stored,) = fake.messages_in(guild.system_channel)  # Discord has it although the bot gave up
    release.set()
    fake.hold_responses = None
    retried = await channel.send("tonight: Persona", nonce="post-17")
    assert str(retried.id) == stored["id"] and fake.nonce_hits == 1
    assert len(fake.messages_in(guild.system_channel)) == 1


# A bot process that sends one message and prints its id: killed inside after_accept, it never does.
CRASH_CHILD = """
import asyncio, sys
import aiohttp
import discord

discord.http.Route.BASE = sys.argv[1]

async def main() -> None:
    client = discord.Client(intents=discord.Intents.none())
    await client.login(sys.argv[2])
    channel = await client.fetch_channel(int(sys.argv[3]))
    message = await channel.send("results are in", nonce=sys.argv[4])
    print(message.id, flush=True)
    await client.close()

asyncio.run(main())
"""


async def test_process_killed_at_acceptance_and_its_restart_reuses_the_message(fake: FakeDiscord,
                                                                                 guild: Guild) -> None:
    async def run_child() -> tuple[asyncio.subprocess.Process, bytes]:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CRASH_CHILD, fake.api_base, fake.token, guild.system_channel.id, "drill-1",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        processes.append(child)
        out, _ = await asyncio.wait_for(child.communicate(), 15)
        return child, out

    processes: list[asyncio.subprocess.Process] = []
    fake.after_accept = lambda message: processes[-1].kill()
    killed, out = await run_child()
    assert killed.returncode == -signal.SIGKILL and out == b""  # it never learned the message id
    (stored,) = fake.messages_in(guild.system_channel)
    assert stored["nonce"] == "drill-1"
    fake.after_accept = None
    restarted, out = await run_child()  # the restarted bot sends the same thing with the same nonce
    assert restarted.returncode == 0 and out.decode().strip() == stored["id"]
    assert fake.nonce_hits == 1 and len(fake.messages_in(guild.system_channel)) == 1


# --- connection trouble, bursts, raw frames ---------------------------------------------------------


class ReconnectingBot(ProbeBot):
    """Counts on_ready/on_resumed; skips discord.py's 5 s wait before a second IDENTIFY."""

    def __init__(self) -> None:
        super().__init__()
        self.readies = 0
        self.resumes = 0
        self.changed = asyncio.Event()

    async def on_ready(self) -> None:
        self.readies += 1
        self.changed.set()
        await super().on_ready()

    async def on_resumed(self) -> None:
        self.resumes += 1
        self.changed.set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        async def _wait() -> None:
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(_wait(), timeout)


@pytest.mark.parametrize("code", [None, 4000])
async def test_dropped_connection_is_resumed_and_missed_events_replayed(fake: FakeDiscord, guild: Guild,
                                                                        code: int | None) -> None:
    async with running(ReconnectingBot(), fake) as client:
        message = await text_channel(client, guild.system_channel).send("vote")
        await fake.drop_connection(code)
        ana = member(guild, fake, "ana")
        await fake.react(guild.system_channel, str(message.id), ana, "🎬")  # while the socket is down
        await client.until(lambda: client.resumes == 1)
        replayed = await client.next_event("reaction_add")
    assert replayed.user_id == int(ana["id"])
    assert (fake.identify_count, fake.resume_count, client.readies) == (1, 1, 1)
    assert fake.gateway.close_codes == [1006 if code is None else code]
    assert fake.gateway.connections[-1].path == "/gateway/resume"


async def test_refused_resume_makes_a_new_session_without_replay(fake: FakeDiscord, guild: Guild) -> None:
    async with running(ReconnectingBot(), fake) as client:
        message = await text_channel(client, guild.system_channel).send("vote")
        first_session = fake.gateway.session
        fake.refuse_next_resume()
        await fake.drop_connection()
        ana, ben = member(guild, fake, "ana"), member(guild, fake, "ben")
        await fake.react(guild.system_channel, str(message.id), ana, "🎬")  # lost with the old session
        await client.until(lambda: client.readies == 2)
        await fake.react(guild.system_channel, str(message.id), ben, "🎬")
        after = await client.next_event("reaction_add")
    assert after.user_id == int(ben["id"])  # ana's reaction was never replayed
    assert (fake.identify_count, fake.resume_count, client.resumes) == (2, 0, 0)
    assert fake.gateway.session is not first_session
    dropped, refused, fresh = fake.gateway.connections
    assert any(f["op"] == 9 and f["d"] is False for f in refused.sent)
    assert fresh.session is fake.gateway.session and dropped.session is None  # IDENTIFYed on a third socket


async def test_react_many_sends_a_burst_in_order(fake: FakeDiscord, guild: Guild, bot: ProbeBot) -> None:
    message = await text_channel(bot, guild.system_channel).send("pick a film")
    ana, ben = member(guild, fake, "ana"), member(guild, fake, "ben")
    channel, mid = guild.system_channel, str(message.id)
    burst = [(channel, mid, ana, "👍", True), (channel, mid, ben, "👍", True), (channel, mid, ana, "👍", True),
             (channel, mid, ana, "👍", False), (channel, mid, ana, "👍", False)]  # two no-ops
    sent = await fake.react_many(burst)
    assert [(e["user_id"], "member" in e) for e in sent] == [(ana["id"], True), (ben["id"], True),
                                                              (ana["id"], False)]
    frames = [f for f in fake.sent_frames if f["t"] and f["t"].startswith("MESSAGE_REACTION_")]
    assert [f["s"] for f in frames] == list(range(frames[0]["s"], frames[0]["s"] + 3))  # nothing between
    got = [await bot.next_event(kind) for kind in ("reaction_add", "reaction_add", "reaction_remove")]
    assert [e.user_id for e in got] == [int(ana["id"]), int(ben["id"]), int(ana["id"])]
    assert fake.model.reactions[mid]["👍"] == {ben["id"]: False}

    started = time.monotonic()
    paced = await fake.react_many([(channel, mid, ana, e, True) for e in ("1️⃣", "2️⃣", "3️⃣")], pace=20)
    assert len(paced) == 3 and time.monotonic() - started >= 0.1  # two gaps of 1/20 s


async def test_dispatch_raw_sends_a_malformed_event_verbatim(fake: FakeDiscord, guild: Guild) -> None:
    payload = {**load_fixture("message_reaction_add_2.json"), "guild_id": guild.id}  # no "type", as in 2017
    client = ProbeBot()
    task = asyncio.create_task(client.start(fake.token))
    try:
        await asyncio.wait_for(client.is_up.wait(), 5)
        frame = await fake.dispatch_raw("MESSAGE_REACTION_ADD", payload)
        assert fake.sent_frames[-1] == frame == {"op": 0, "t": "MESSAGE_REACTION_ADD", "s": frame["s"],
                                                 "d": payload}
        with pytest.raises(KeyError, match="type"):  # discord.py's parser dies; the client goes deaf
            await asyncio.wait_for(task, 5)
    finally:
        await client.close()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task


# --- real rate limits (FakeDiscord(real_limits=True)) -----------------------------------------------


@asynccontextmanager
async def limited_fake(**limits: Any) -> AsyncIterator[FakeDiscord]:
    """A fake enforcing Discord's limits (windows from ``limits``), patched in, with one guild."""
    async with FakeDiscord(real_limits=True, **limits) as server:
        server.add_guild("microfilm makers", channels=["general", "screenings"], members=["ana"])
        with server.patch_discord():
            yield server
        assert server.errors == []


async def _rest(fake: FakeDiscord, method: str, path: str, body: Any = None,
                auth: bool = True) -> tuple[int, Any, dict[str, str]]:
    """One plain HTTP call to the fake's REST API: (status, JSON body, headers)."""
    headers = {"Authorization": f"Bot {fake.token}"} if auth else {}
    async with aiohttp.ClientSession() as session, \
            session.request(method, fake.api_base + path, json=body, headers=headers) as response:
        return response.status, await response.json(), dict(response.headers)


async def test_real_channel_limit_answers_discords_429_with_the_bucket() -> None:
    async with limited_fake(channel_limit=(5, 30.0)) as fake:
        guild = next(iter(fake.guilds.values()))
        general, screenings = guild.channel("general"), guild.channel("screenings")
        answers = [await _rest(fake, "POST", f"/channels/{general.id}/messages", {"content": f"n{n}"})
                   for n in range(6)]
        other = await _rest(fake, "POST", f"/channels/{screenings.id}/messages", {"content": "elsewhere"})

    first_headers, (_, body, headers) = answers[0][2], answers[5]
    assert [a[0] for a in answers] == [200] * 5 + [429] and other[0] == 200  # one bucket per channel
    assert [a[2]["X-RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    assert first_headers["X-RateLimit-Limit"] == "5" and 29 < float(first_headers["X-RateLimit-Reset-After"]) <= 30
    assert float(first_headers["X-RateLimit-Reset"]) == pytest.approx(time.time() + 30, abs=2)
    assert body == {"message": "You are being rate limited.", "retry_after": body["retry_after"], "global": False}
    assert isinstance(body["retry_after"], float) and 29 < body["retry_after"] <= 30
    assert headers["Via"] and headers["X-RateLimit-Scope"] == "user" and "X-RateLimit-Global" not in headers
    assert headers["X-RateLimit-Remaining"] == "0" and headers["Retry-After"] == "30"
    assert headers["X-RateLimit-Bucket"] == first_headers["X-RateLimit-Bucket"]
    assert fake.limit_hits == {"channel": 1}
    assert fake.created_per_channel == {general.id: 5, screenings.id: 1}
    assert fake.requests_to("POST", "/messages$")[5].response["retry_after"] == body["retry_after"]


async def test_real_global_limit_spares_interaction_endpoints() -> None:
    async with limited_fake(global_limit=(3, 30.0)) as fake:
        guild = next(iter(fake.guilds.values()))
        statuses = [(await _rest(fake, "GET", "/users/@me"))[0] for _ in range(3)]
        status, body, headers = await _rest(fake, "GET", f"/channels/{guild.system_channel.id}")
        ana = next(iter(guild.members))
        interaction = await fake.slash(guild, "general", ana, "ping")
        callback = await _rest(fake, "POST", f"/interactions/{interaction.id}/{interaction.token}/callback"
                               "?with_response=1", {"type": 4, "data": {"content": "pong"}}, auth=False)
        followup = await _rest(fake, "POST", f"/webhooks/{fake.application_id}/{interaction.token}?wait=1",
                               {"content": "and more"}, auth=False)

    assert statuses == [200] * 3 and status == 429
    assert body["global"] is True and 29 < body["retry_after"] <= 30
    assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
    assert headers["Via"] and "X-RateLimit-Bucket" not in headers
    assert callback[0] == 200 and followup[0] == 200  # not bound by the global limit, as on Discord
    assert fake.limit_hits == {"global": 1}


async def test_real_limits_are_off_by_default(fake: FakeDiscord, guild: Guild) -> None:
    answers = [await _rest(fake, "POST", f"/channels/{guild.system_channel.id}/messages", {"content": str(n)})
               for n in range(8)]
    assert [a[0] for a in answers] == [200] * 8 and fake.limit_hits == {}
    assert fake.created_per_channel == {guild.system_channel.id: 8}


async def test_discord_py_paces_creates_in_a_row_by_the_bucket_headers_and_causes_no_429() -> None:
    async with limited_fake(channel_limit=(5, 0.5)) as fake:
        general = next(iter(fake.guilds.values())).channel("general")
        async with running(ProbeBot(), fake) as bot:
            channel = text_channel(bot, general)
            started = time.monotonic()
            for n in range(12):  # one after the other, as a bot posting a list does
                await channel.send(f"in a row {n}")
            taken = time.monotonic() - started

    assert [m["content"] for m in fake.messages_in(general)] == [f"in a row {n}" for n in range(12)]
    assert fake.limit_hits == {} and fake.created_per_channel == {general.id: 12}
    # 12 creates at 5 a window are three windows: each time Remaining was 0 the library slept Reset-After.
    assert 1.0 <= taken < 3.0


async def test_discord_py_sends_a_burst_at_once_within_the_bucket_but_for_a_few_retried_429s() -> None:
    async with limited_fake(channel_limit=(5, 0.5)) as fake:
        general = next(iter(fake.guilds.values())).channel("general")
        async with running(ProbeBot(), fake) as bot:
            channel = text_channel(bot, general)
            await channel.send("first")  # the library learns the bucket from this create's headers
            started = time.monotonic()
            await asyncio.gather(*(channel.send(f"at once {n}") for n in range(12)))
            taken = time.monotonic() - started

    contents = [m["content"] for m in fake.messages_in(general)]
    assert sorted(contents[1:]) == sorted(f"at once {n}" for n in range(12))  # all arrive, not in order
    # discord.py's Ratelimit sometimes hands out a reset bucket twice (waiters whose own timeout fires as
    # the bucket resets refresh it again), so a few creates go over and are retried after retry_after.
    creates = fake.requests_to("POST", r"/channels/\d+/messages$")
    refused = [r for r in creates if r.status == 429]
    assert len(creates) == 13 + len(refused) and set(fake.limit_hits) <= {"channel"}
    assert fake.limit_hits["channel"] == len(refused) <= 7
    assert fake.created_per_channel == {general.id: 13} and 0.9 <= taken < 3.0


async def test_discord_py_does_not_pace_the_global_limit_but_waits_out_each_429() -> None:
    async with limited_fake(global_limit=(10, 0.5)) as fake, running(ProbeBot(), fake) as bot:
        await asyncio.sleep(0.5)  # the login requests' window is over
        users = await asyncio.gather(*(bot.fetch_user(int(fake.bot_user["id"])) for _ in range(25)))

    assert len(users) == 25 and all(str(u.id) == fake.bot_user["id"] for u in users)
    refused = [r for r in fake.requests_to("GET", r"^/users/\d+$") if r.status == 429]
    # 10 go through, 15 are refused and all retry together when the window resets, 5 of those again.
    assert fake.limit_hits == {"global": len(refused)} and len(refused) >= 10
    assert all(r.response["global"] is True for r in refused)


def test_fixed_window_opens_with_the_first_request_and_resets_a_period_later() -> None:
    from bot.testing.fakes.rate_windows import FixedWindow

    now = [100.0]
    window = FixedWindow(2, 5.0, clock=lambda: now[0])
    assert window.wait() == 0.0 and window.remaining == 2 and window.reset_after == 5.0
    window.take()
    now[0] = 104.0
    window.take()
    assert window.remaining == 0 and window.wait() == pytest.approx(1.0)  # 5 s after the first, not the last
    now[0] = 105.0
    assert window.wait() == 0.0 and window.remaining == 2  # a new window, opened by the next request
    window.take()
    assert window.reset_after == 5.0
