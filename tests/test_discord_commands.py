"""Slash commands through the real discord.py against the loopback stand-in: the whole bot answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from tests.discord_support import answer, make_guild, running_app, user

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


async def share(fake: FakeDiscord, guild: Guild, who: str, link: str, title: str, **more: str) -> str:
    data = await answer(fake, guild, who, "share", {"link": link, "title": title, **more})
    return str(data["content"])


def by_name(commands: list[dict], name: str) -> dict:
    return next(command for command in commands if command["name"] == name)


async def test_commands_are_synced_to_the_guild_with_typed_options(fake: FakeDiscord, guild: Guild,
                                                                  app: App) -> None:
    synced = fake.commands()  # no guilds in config: global commands
    names = {command["name"] for command in synced}
    assert {"help", "share", "film", "films", "search", "profile", "editfilm", "deletefilm", "purge"} <= names
    assert "start" not in names  # hidden: Telegram's deep-link entry
    share_options = by_name(synced, "share")["options"]
    assert [(o["name"], o["type"], o["required"]) for o in share_options[:2]] == [
        ("link", 3, True), ("title", 3, True)]
    assert by_name(synced, "share")["description"] == "Share a film with the community"
    film_id = by_name(by_name(synced, "film")["options"], "id")
    assert film_id["type"] == 4 and film_id["autocomplete"] is True and film_id["min_value"] == 1
    assert by_name(by_name(synced, "search")["options"], "words")["max_length"] == 200
    assert all(1 <= len(c["description"]) <= 100 for c in synced)
    # Discord clients set to Chinese see the descriptions from the zh-Hans catalog.
    share = by_name(synced, "share")
    assert share["description_localizations"]["zh-CN"] == "向社区分享一部影片"
    assert by_name(share["options"], "link")["description_localizations"]["zh-CN"] == "影片网址（http 或 https）"
    assert "name_localizations" not in share or not share["name_localizations"]


async def test_share_stores_replies_and_announces_with_a_thread(fake: FakeDiscord, guild: Guild,
                                                                app: App) -> None:
    content = await share(fake, guild, "ana", "https://vimeo.com/76979871", "Night Bus", runtime="4:30")
    assert content == "Film #1 “Night Bus” is shared. Thank you!"
    showcase = guild.channel("showcase")
    posted = await fake.wait_for_request("POST", rf"/channels/{showcase.id}/messages$")
    embed = posted.json["embeds"][0]
    assert embed["title"] == "Night Bus" and embed["url"] == "https://vimeo.com/76979871"
    assert {"name": "Runtime", "value": "4:30", "inline": True} in embed["fields"]
    thread = await fake.wait_for_request("POST", rf"/channels/{showcase.id}/messages/\d+/threads$")
    assert thread.json["name"] == "Night Bus"
    shown = await answer(fake, guild, "ben", "film", {"id": 1})
    assert shown["embeds"][0]["title"] == "Night Bus" and shown["embeds"][0]["footer"]["text"] == "Film #1"
    assert not shown.get("flags")


@pytest.mark.sqlite_only("/search reads Chinese through an FTS5 index of character pairs, not built on PostgreSQL yet")
async def test_help_films_search_profile(fake: FakeDiscord, guild: Guild, app: App) -> None:
    help_text = (await answer(fake, guild, "ana", "help"))["content"]
    assert "/share — Share a film with the community" in help_text
    assert "Usage: /share <link> <title>" in (await answer(fake, guild, "ana", "help", {"command": "share"}))[
        "content"]
    await share(fake, guild, "ana", "https://vimeo.com/1", "Night Bus", genre="documentary")
    await share(fake, guild, "ben", "https://vimeo.com/2", "Paper Moon")
    films = (await answer(fake, guild, "ana", "films", {"genre": "documentary"}))["content"]
    assert "Night Bus" in films and "Paper Moon" not in films
    found = (await answer(fake, guild, "cleo", "search", {"words": "paper"}))["content"]
    assert "Paper Moon" in found and "Night Bus" not in found
    profile = (await answer(fake, guild, "ben", "profile"))["content"]
    assert profile.startswith("**ben** — films: 1") and "Paper Moon" in profile


async def test_editfilm_and_deletefilm_with_options(fake: FakeDiscord, guild: Guild, app: App) -> None:
    await share(fake, guild, "ana", "https://vimeo.com/1", "Night Bus")
    refused = await answer(fake, guild, "ben", "editfilm", {"id": 1, "title": "Mine now"})
    assert "belongs to ana" in refused["content"]
    edited = await answer(fake, guild, "ana", "editfilm", {"id": 1, "title": "Night Bus (final)"})
    assert edited["content"] == "Film #1 updated (title)."
    assert (await answer(fake, guild, "ana", "film", {"id": 1}))["embeds"][0]["title"] == "Night Bus (final)"
    deleted = await answer(fake, guild, "ana", "deletefilm", {"id": 1})
    assert deleted["content"] == "Film #1 “Night Bus (final)” is deleted."
    assert "There is no film #1" in (await answer(fake, guild, "ana", "film", {"id": 1}))["content"]


async def test_autocomplete_offers_matching_films(fake: FakeDiscord, guild: Guild, app: App) -> None:
    await share(fake, guild, "ana", "https://vimeo.com/1", "Night Bus")
    await share(fake, guild, "ana", "https://vimeo.com/2", "Paper Moon")
    await share(fake, guild, "ben", "https://vimeo.com/3", "Nightfall")
    typing = await fake.autocomplete(guild, "general", user(fake, guild, "cleo"), "film", {"id": "night"},
                                     focused="id")
    choices = (await typing.wait_callback())["data"]["choices"]
    assert choices == [{"name": "#3 Nightfall", "value": 3}, {"name": "#1 Night Bus", "value": 1}]


async def test_mentions_in_titles_ping_no_one(fake: FakeDiscord, guild: Guild, app: App) -> None:
    title = "Hi @everyone <@&123> and <@&123456789012345678> *bold*"
    content = await share(fake, guild, "ana", "https://vimeo.com/9", title)
    await app.outbox.flush()
    assert "@\u200beveryone" in content and "\\*bold\\*" in content
    assert "@\u200b&123456789012345678" in content
    reply = fake.requests_to("POST", r"/interactions/\d+/")[-1].json["data"]
    assert reply["allowed_mentions"] == {"parse": []}
    announcement = fake.requests_to("POST", rf"/channels/{guild.channel('showcase').id}/messages$")[-1]
    assert announcement.json["allowed_mentions"] == {"parse": []}
    stored = fake.messages_in(guild.channel("showcase"))[-1]
    assert stored["mention_everyone"] is False and stored["mention_roles"] == []


async def test_admin_command_refused_privately_for_non_admins(fake: FakeDiscord, guild: Guild,
                                                              app: App) -> None:
    refused = await answer(fake, guild, "ana", "purge")
    assert refused["content"] == "Only community admins may use this command."
    assert refused["flags"] == EPHEMERAL
    by_permission = await answer(fake, guild, "mo", "purge")  # Manage Server
    assert by_permission["content"] == "Purged." and not by_permission.get("flags")
    by_role = await answer(fake, guild, "cleo", "purge")  # role "curators" in [discord] admin_roles
    assert by_role["content"] == "Purged."


async def test_a_mistake_is_explained_and_nothing_saved(fake: FakeDiscord, guild: Guild, app: App) -> None:
    options = {"link": "https://vimeo.com/1", "title": "X", "runtime": "soon"}
    data = await answer(fake, guild, "ana", "share", options)
    assert data["content"].startswith("I can't read the runtime “soon”. Write it like 4:30")
    assert (await answer(fake, guild, "ana", "films"))["content"].startswith("No films match yet.")
    assert fake.requests_to("POST", r"/channels/\d+/messages$") == []
