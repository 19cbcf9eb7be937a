"""Reactions, recounts, buttons across a restart, reconnects, rate limits and refused posts on Discord."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.models import Message, MessageRef, Text
from bot.platform import Platform
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from tests.discord_admin_cog import DiscordTestCog
from tests.discord_support import answer, discord_config, eventually, make_guild, running_app, user

pytestmark = pytest.mark.timeout(20)
EPHEMERAL = 64


@pytest.fixture
def fake(discord_fake: FakeDiscord) -> FakeDiscord:
    return discord_fake


@pytest.fixture
def guild(fake: FakeDiscord) -> Guild:
    return make_guild(fake)


@pytest.fixture
async def app(fake: FakeDiscord, guild: Guild, tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(fake, tmp_path / "bot.sqlite3") as running:
        yield running


def cog_of(app: App) -> DiscordTestCog:
    cog = app.cog("discordtest")
    assert isinstance(cog, DiscordTestCog)
    return cog


def discord_of(app: App) -> Platform:
    return app.platforms["discord"]


async def shared_announcement(fake: FakeDiscord, guild: Guild) -> str:
    """Share a film and return the id of its announcement in #showcase."""
    await answer(fake, guild, "ana", "share", {"link": "https://vimeo.com/76979871", "title": "Night Bus"})
    path = rf"/channels/{guild.channel('showcase').id}/messages$"
    posted = await fake.wait_for(lambda request: request.matches("POST", path) and request.status == 200)
    return str(posted.response["id"])


async def test_reactions_arrive_as_neutral_events(fake: FakeDiscord, guild: Guild, app: App) -> None:
    message_id = await shared_announcement(fake, guild)
    cog = cog_of(app)
    showcase = guild.channel("showcase")
    ben = user(fake, guild, "ben")
    await fake.react(showcase, message_id, ben, "⭐")
    await eventually(lambda: len(cog.reactions) == 1)
    await fake.react(showcase, message_id, ben, {"name": "clap", "id": "112233445566778899"})
    await fake.react(showcase, message_id, ben, "⭐", add=False)
    await eventually(lambda: len(cog.reactions) == 3)
    (first, tag, person), (custom, _, _), (removed, _, _) = cog.reactions
    assert tag == "films.film:1" and person.display_name == "ben"
    assert first.message == MessageRef("discord", showcase.id, message_id)
    assert (first.emoji, first.added, first.account.user_id) == ("⭐", True, ben["id"])
    assert custom.emoji == "<:clap:112233445566778899>"
    assert (removed.emoji, removed.added, removed.display_name) == ("⭐", False, "ben")


async def test_the_bots_own_reactions_are_ignored(fake: FakeDiscord, guild: Guild, app: App) -> None:
    message_id = await shared_announcement(fake, guild)
    await fake.react(guild.channel("showcase"), message_id, fake.bot_user, "⭐")
    await fake.react(guild.channel("showcase"), message_id, user(fake, guild, "ben"), "🎬")
    await eventually(lambda: len(cog_of(app).reactions) == 1)
    assert cog_of(app).reactions[0][0].emoji == "🎬"


async def test_recount_pages_past_100_users(fake: FakeDiscord, guild: Guild, app: App) -> None:
    message_id = await shared_announcement(fake, guild)
    voters = [fake.add_user(f"voter{i}") for i in range(150)]
    fake.seed_reactions(message_id, "⭐", [*voters, fake.bot_user])  # cast while the bot was offline
    ref = MessageRef("discord", guild.channel("showcase").id, message_id)
    counted = await discord_of(app).recount(ref, "⭐")
    assert sorted(counted or []) == sorted(voter["id"] for voter in voters)
    pages = fake.requests_to("GET", r"/reactions/")
    assert len(pages) == 2 and [page.query["limit"] for page in pages] == ["100", "100"]
    assert await discord_of(app).recount(ref, "🍿") == []


async def test_button_press_after_a_restart_reaches_its_handler(fake: FakeDiscord, guild: Guild,
                                                                tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    async with running_app(fake, db):
        interaction = await fake.slash(guild, "general", user(fake, guild, "ana"), "ballot")
        posted = (await interaction.wait_callback())["data"]
        assert posted["components"][0]["components"][0]["custom_id"] == "discordtest.vote:7"
        message_id = interaction.original_message_id
    assert message_id is not None
    async with running_app(fake, db):  # a new process: nothing of the old client remains
        pressed = await fake.press_button(guild, "general", user(fake, guild, "ben"), message_id,
                                          "discordtest.vote:7")
        callback = await pressed.wait_callback()
    assert callback["data"]["content"] == "ben voted for 7" and callback["data"]["flags"] == EPHEMERAL
    assert fake.identify_count == 2


async def test_stale_button_is_answered_privately(fake: FakeDiscord, guild: Guild, app: App) -> None:
    pressed = await fake.press_button(guild, "general", user(fake, guild, "ben"), "1234567890123456789",
                                      "gone.action:1")
    callback = await pressed.wait_callback()
    assert callback["data"]["content"] == "This button no longer does anything."
    assert callback["data"]["flags"] == EPHEMERAL


async def test_gateway_reconnect_resumes_and_the_bot_keeps_answering(fake: FakeDiscord, guild: Guild,
                                                                     app: App) -> None:
    await fake.reconnect()
    assert (fake.identify_count, fake.resume_count) == (1, 1)
    data = await answer(fake, guild, "ana", "help")
    assert data["content"].startswith("**microfilm-bot commands**")


async def test_rate_limit_is_waited_out_and_retried(fake: FakeDiscord, guild: Guild, app: App) -> None:
    fake.rate_limit_next("POST", r"/channels/\d+/messages$", retry_after=0.2)
    await shared_announcement(fake, guild)
    statuses = [r.status for r in fake.requests_to("POST", r"/channels/\d+/messages$")]
    assert statuses == [429, 200]
    assert len(fake.messages_in(guild.channel("showcase"))) == 1


async def test_refused_post_is_logged_and_the_bot_carries_on(fake: FakeDiscord, guild: Guild, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    showcase = guild.channel("showcase")
    community = {"key": "makers", "chats": [
        {"platform": "discord", "id": showcase.id, "space": guild.id, "announce": ["showcase"]}]}
    config = discord_config(fake, sections={"communities": [community]})
    fake.deny_send(showcase)
    caplog.set_level(logging.WARNING)
    async with running_app(fake, tmp_path / "bot.sqlite3", config) as app:
        options = {"link": "https://vimeo.com/1", "title": "Night Bus"}
        shared = await answer(fake, guild, "ana", "share", options)
        assert shared["content"] == "Film #1 “Night Bus” is shared. Thank you!"
        await app.outbox.flush()  # announcements go out beside the command, not before its answer
        assert [r.status for r in fake.requests_to("POST", rf"/channels/{showcase.id}/messages$")] == [403]
        assert (await answer(fake, guild, "ben", "film", {"id": 1}))["embeds"][0]["title"] == "Night Bus"
        status = await app.db.fetchval("SELECT status FROM outbox WHERE key = 'films.shared:1'")
    assert status == "failed"  # permanent: not retried
    logged = [r.getMessage() for r in caplog.records if "cannot post" in r.getMessage()]
    assert len(logged) == 1
    assert f"#showcase ({showcase.id})" in logged[0] and "missing permission Send Messages" in logged[0]


async def test_direct_message_command_and_private_send(fake: FakeDiscord, guild: Guild, app: App) -> None:
    ana = user(fake, guild, "ana")
    data = await answer(fake, None, ana["id"], "help")
    assert data["content"].startswith("**microfilm-bot commands**")
    note = Message(Text.of("a private note"))
    ref = await discord_of(app).send_private(ana["id"], note, zone="UTC")
    assert ref is not None and fake.messages_in(fake.dm_channel(ana))[-1]["content"] == "a private note"
    fake.deny_send(fake.dm_channel(ana))
    assert await discord_of(app).send_private(ana["id"], note, zone="UTC") is None


async def test_slow_answers_are_deferred_then_followed_up(fake: FakeDiscord, guild: Guild, app: App) -> None:
    client = app.platforms["discord"].client  # type: ignore[attr-defined]
    client.incoming.defer_after = 0  # as if every handler took longer than Discord's 3 s window allows
    shared = await fake.slash(guild, "general", user(fake, guild, "ana"), "share",
                              {"link": "https://vimeo.com/1", "title": "Night Bus"})
    assert (await shared.wait_callback())["type"] == 5  # "thinking..."
    await eventually(lambda: bool(shared.followups))
    assert shared.followups[0]["id"] == shared.original_message_id
    assert shared.followups[0]["content"].startswith("Film #1 “Night Bus” is shared")
    assert shared.followups[0]["flags"] & EPHEMERAL  # a quiet command thinks ephemerally too
    refused = await fake.slash(guild, "general", user(fake, guild, "ana"), "film", {"id": 99})
    await eventually(lambda: bool(refused.followups))
    # A public command's "thinking" message gives way to an ephemeral refusal.
    assert refused.original_message_id not in fake.model.messages
    assert refused.followups[0]["flags"] & EPHEMERAL
    assert refused.followups[0]["content"].startswith("There is no film #99")


async def test_edit_replaces_content_and_card(fake: FakeDiscord, guild: Guild, app: App) -> None:
    message_id = await shared_announcement(fake, guild)
    ref = MessageRef("discord", guild.channel("showcase").id, message_id)
    await discord_of(app).edit(ref, Message(Text.of("Voting closed")), zone="UTC")
    stored = fake.model.messages[message_id]
    assert stored["content"] == "Voting closed" and stored["embeds"] == []
