"""Guards for behaviour a mutation run found untested, and for the seams of the second review: people
named the way each platform writes them, cog declarations checked at import, cogs' requirements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.cog import Cog, command, listener
from bot.commands import Option
from bot.context import Context
from bot.storage import Database, apply_migrations
from bot.storage.migrations import MigrationError
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from bot.testing.harness import Harness
from cogs.films.logic import normalize_link
from tests.discord_support import answer, discord_config, make_guild, running_app, user
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

# -- people named as each platform writes them ---------------------------------------------------------------


async def test_profile_finds_a_console_user_by_at_name(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/1 "Night Bus"')
    assert "Night Bus" in await bot.text("bob: /profile @alice")


async def test_profile_finds_a_telegram_member_by_username_though_their_name_differs(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        group = fake.add_group("Makers")
        alice, bob = fake.add_user("Alice", "alice"), fake.add_user("Robert", "bobby", last_name="Tables")
        async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)) as _:
            fake.send_text(group, bob, '/share https://vimeo.com/2 "Moon Bus"')
            await fake.wait_for_call("sendMessage", to_chat(group, "is shared"))
            fake.send_text(group, alice, "/profile @bobby")
            profile = shown(await fake.wait_for_call("sendMessage", to_chat(group, "Robert Tables")))
    assert "Moon Bus" in profile


async def test_profile_takes_a_picked_discord_member(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    guild = make_guild(discord_fake)
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as app:
        await answer(discord_fake, guild, "ben", "share", {"link": "https://vimeo.com/3", "title": "Lamp Post"})
        ben = user(discord_fake, guild, "ben")
        data = await answer(discord_fake, guild, "ana", "profile", {"user": ben})  # Discord sends the id
        assert app.platforms["discord"].parse_user(f"<@{ben['id']}>").user_id == ben["id"]  # a pasted mention
    assert "Lamp Post" in data["content"]


# -- what the mutation run found unguarded -------------------------------------------------------------------


async def test_an_anonymous_telegram_admin_posting_as_the_group_is_an_admin(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        group, alice = fake.add_group("Makers"), fake.add_user("Alice", "alice")
        async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake, extra={
                "bot": {"cogs": ["films", "challenges"]}})):
            update = fake.send_text(group, alice, "/challenge_admin new Night walks")
            message = update["message"]
            message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
            message["sender_chat"] = group  # Telegram's anonymous admin: the group speaks for itself
            answered = shown(await fake.wait_for_call("sendMessage", to_chat(group, "Challenge #1")))
            fake.send_text(group, alice, "/challenge_admin new Sneaky")
            refused = shown(await fake.wait_for_call("sendMessage", to_chat(group, "admins")))
    assert "is set" in answered or "🎬 Challenge #1" in answered
    assert "Only community admins" in refused


async def test_discord_admin_roles_match_whatever_their_case(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    guild = make_guild(discord_fake)  # cleo holds the role "curators"
    config = discord_config(discord_fake, admin_roles=["CURATORS"])
    async with running_app(discord_fake, tmp_path / "bot.sqlite3", config):
        allowed = await answer(discord_fake, guild, "cleo", "purge")
        refused = await answer(discord_fake, guild, "ana", "purge")
    assert "purged" in allowed["content"].lower()
    assert "Only community admins" in refused["content"]


async def test_migrations_apply_in_order_and_a_failing_one_leaves_no_record(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    (folder / "postgresql").mkdir(parents=True)

    def write(name: str, sql: str) -> None:  # SQL both backends take, so each has its copy
        for where in (folder, folder / "postgresql"):
            (where / name).write_text(sql)

    write("0002_second.sql", "INSERT INTO things (name) VALUES ('second');\n")
    write("0001_first.sql", "CREATE TABLE things (name TEXT NOT NULL);\n")
    write("0003_broken.sql", "INSERT INTO things (name) VALUES ('third');\nINSERT INTO nowhere VALUES (1);\n")
    db = await Database.open(tmp_path / "m.sqlite3")
    try:
        with pytest.raises(MigrationError, match="0003_broken.sql"):
            await apply_migrations(db, "test", folder)
        assert [row[0] for row in await db.fetchall("SELECT name FROM things")] == ["second"]  # 0003 undone whole
        versions = await db.fetchall("SELECT version FROM schema_migrations WHERE owner = 'test' ORDER BY version")
        assert [row[0] for row in versions] == [1, 2]
        write("0003_broken.sql", "INSERT INTO things (name) VALUES ('third');\n")
        assert await apply_migrations(db, "test", folder) == ["0003_broken.sql"]  # only what is new
        assert [row[0] for row in await db.fetchall("SELECT name FROM things ORDER BY name")] == ["second", "third"]
    finally:
        await db.close()


async def test_the_feedback_queue_of_one_community_is_not_seen_in_another(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/7 "Paper Boats" runtime=3:00', "alice: /feedback request 1")
    here = await bot.app.directory.community_for_space("console", "console")
    elsewhere = await bot.app.directory.community_for_space("telegram", "-100777", "Elsewhere")
    feedback: Any = bot.app.cog("feedback")
    assert [item.film_id for item in await feedback.repo.queue(here.id)] == [1]
    assert await feedback.repo.queue(elsewhere.id) == []


async def test_challenge_shows_the_open_one_when_several_exist(bot: Harness) -> None:
    await bot.run("ann: /challenge_admin new Old times submit_until=1d vote_until=2d", "~ +3d",
                  "ann: /challenge_admin new Night walks opens=2d", "ann: /challenge_admin new Rain")
    out = await bot.text("bob: /challenge")
    assert "#3 Rain" in out and "Night walks" not in out and "Old times" not in out


@pytest.mark.parametrize(("typed", "stored"), [
    ("https://vimeo.com/1?utm_source=x&utm_medium=y&fbclid=z", "https://vimeo.com/1"),
    ("https://example.com/film?gclid=1&id=9&si=2&igshid=3", "https://example.com/film?id=9"),
    ("https://www.bilibili.com/video/BV1xx411c7mD?spm=a&vd_source=b&share_source=c",
     "https://www.bilibili.com/video/BV1xx411c7mD"),
])
def test_tracking_parameters_are_removed_from_links(typed: str, stored: str) -> None:
    assert normalize_link(typed) == stored


# -- declarations checked at import, requirements at load ----------------------------------------------------


def test_a_misspelt_option_fails_at_import_naming_the_cog_and_handler() -> None:
    with pytest.raises(TypeError, match=r"Typo\.share \(/share\): option 'titel' matches no parameter"):
        class Typo(Cog):
            name = "typo"

            @command("share", Option("titel"))
            async def share(self, ctx: Context, title: str | None) -> None: ...


def test_a_required_option_after_an_optional_one_fails_at_import() -> None:
    with pytest.raises(TypeError, match="required option 'b' comes after the optional 'a'"):
        class Order(Cog):
            name = "order"

            @command("pair", Option("a", positional=True), Option("b", required=True, positional=True))
            async def pair(self, ctx: Context, a: str | None, b: str) -> None: ...


def test_a_command_declared_twice_and_an_unknown_event_fail_at_import() -> None:
    with pytest.raises(TypeError, match="declared twice"):
        class Twice(Cog):
            name = "twice"

            @command("same")
            async def one(self, ctx: Context) -> None: ...

            @command("same")
            async def two(self, ctx: Context) -> None: ...

    with pytest.raises(TypeError, match="unknown event 'reactoin'"):
        class Deaf(Cog):
            name = "deaf"

            @listener("reactoin")
            async def heard(self, *args: Any) -> None: ...
