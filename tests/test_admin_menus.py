"""Admin tools in admin groups: hidden from members in Discord's command list and Telegram's menu, left out
of a member's /help, still refused by the bot itself, and still understood under their old names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from bot.testing.harness import Harness
from tests.discord_support import answer, discord_config, make_guild, running_app
from tests.telegram_harness import TelegramBot, telegram_config

pytestmark = pytest.mark.timeout(30)
COGS = ["films", "challenges", "feedback", "festivals"]
MANAGE_GUILD = "32"
ADMIN_GROUPS = {"challenge_admin", "theme_admin", "feedback_admin", "festival_admin"}


def _named(commands: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {command["name"]: command for command in commands}


async def test_discord_shows_admin_groups_to_managers_only_and_still_checks(discord_fake: FakeDiscord,
                                                                          tmp_path: Path) -> None:
    guild = make_guild(discord_fake)
    config = discord_config(discord_fake, sections={"bot": {"cogs": COGS}}, admin_roles=["curators"])
    async with running_app(discord_fake, tmp_path / "bot.sqlite3", config):
        synced = _named(discord_fake.commands())
        assert set(synced) >= ADMIN_GROUPS
        for name in ADMIN_GROUPS:
            assert synced[name]["default_member_permissions"] == MANAGE_GUILD, name
        for name in ("challenge", "theme", "feedback", "festival", "share", "help"):
            assert synced[name]["default_member_permissions"] is None, name
        assert {o["name"] for o in synced["challenge"]["options"]} == {"show"}  # the members' part
        assert "approve" not in {o["name"] for o in synced["theme"]["options"]}
        # A call that bypasses the client (or a channel override) is still refused, privately.
        refused = await answer(discord_fake, guild, "ana", "challenge_admin", {"theme": "Sneaky"}, subcommand="new")
        assert refused["content"] == "Only community admins may use this command." and refused["flags"] == 64


async def test_telegram_menus_by_scope_in_both_languages(tmp_path: Path) -> None:
    async with FakeTelegram() as fake, TelegramBot(tmp_path / "bot.sqlite3",
                                                   telegram_config(fake, extra={"bot": {"cogs": COGS}})):
        admins = {"type": "all_chat_administrators"}
        for language in ("", "zh"):
            members = {c["command"] for c in fake.commands(language)}
            everyone = {c["command"] for c in fake.commands(language, scope=admins)}
            assert {"share", "challenge", "theme", "feedback", "festival", "help"} <= members
            assert not members & ADMIN_GROUPS
            assert ADMIN_GROUPS | members <= everyone
        zh = {c["command"]: c["description"] for c in fake.commands("zh", scope=admins)}
        assert zh["challenge_admin"].startswith("管理挑战")


async def test_old_spellings_still_work_and_name_the_new_one(bot: Harness) -> None:
    out = await bot.text("ann: /challenge new Rain")
    assert "Challenge #1: Rain" in out
    assert "Note: /challenge new is now /challenge_admin new; the old name works for one more release." in out
    out = await bot.text("ann: /theme approve 9")
    assert "Note:" not in out  # a mistake is only the mistake
    assert "/challenge_admin new" not in await bot.text("ann: /challenge_admin new Snow")  # no note for the new


async def test_help_lists_admin_tools_for_admins_only(bot: Harness) -> None:
    member = await bot.text("bob: /help")
    assert "/challenge show" in member and "/share" in member
    assert "/challenge_admin new" not in member and "For admins" not in member
    admin = await bot.text("ann: /help")
    assert admin.index("/share") < admin.index("For admins") < admin.index("/challenge_admin new")
    assert "Only community admins may use this." in await bot.text("bob: /help challenge_admin")
