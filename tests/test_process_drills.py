"""Drills on the real `microfilm-bot run` process: killed between the platform's acceptance of a send
and our record of it, stopped by SIGTERM in the middle of a vote storm, and a platform that cannot
come back."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.backend import read_rows
from tests.bot_process import BotProcess, config_text
from tests.discord_support import discord_text, eventually, user
from tests.telegram_harness import shown, to_chat

pytestmark = pytest.mark.timeout(90)
MANAGE_GUILD = 1 << 5


def discord_guild(fake: FakeDiscord, makers: int, voters: int) -> Guild:
    guild = fake.add_guild("makers", channels=["general"])
    fake.add_member(guild, "mo", permissions=Perm.EVERYONE_DEFAULT | MANAGE_GUILD)
    for n in range(makers):
        fake.add_member(guild, f"maker{n}")
    for n in range(voters):
        fake.add_member(guild, f"voter{n}")
    return guild


async def slash(fake: FakeDiscord, guild: Guild, name: str, command: str, options: dict[str, Any],
                subcommand: str | None = None) -> str:
    interaction = await fake.slash(guild, "general", user(fake, guild, name), command, options, subcommand)
    return str((await interaction.wait_callback(timeout=10))["data"].get("content", ""))


async def open_round(fake: FakeDiscord, guild: Guild, makers: int, submit: str, vote: str) -> None:
    created = await slash(fake, guild, "mo", "challenge_admin",
                          {"theme": "Night walks", "submit_until": submit, "vote_until": vote}, "new")
    assert "is set" in created, created
    for n in range(makers):
        entered = await slash(fake, guild, f"maker{n}", "submit",
                              {"film": f"https://vimeo.com/{n + 1}", "title": f"Film {n + 1}", "runtime": "1:00"})
        assert f"Entry #{n + 1}" in entered, entered


@pytest.mark.parametrize("nonce_window", [300.0, 0.0], ids=["resent-within-the-nonce-window", "too-late-for-it"])
async def test_discord_killed_after_accepting_a_card_posts_it_once_and_counts_its_votes(
        tmp_path: Path, nonce_window: float) -> None:
    """Within Discord's nonce window the resend returns the card already posted; past it a second copy is
    posted, and reactions on the first, never recorded copy are still understood from its Vote button."""
    async with FakeDiscord(nonce_window=nonce_window) as fake:
        guild = discord_guild(fake, makers=3, voters=2)
        general = guild.channel("general")
        bot = BotProcess(tmp_path, config_text(discord=fake), discord=fake)
        await bot.start()
        accepted: list[dict[str, Any]] = []

        def kill_at_second_card(message: dict[str, Any]) -> None:
            if message.get("components"):
                accepted.append(message)
                if len(accepted) == 2:
                    bot.kill()  # Discord has the card; the bot never learns its id

        fake.after_accept = kill_at_second_card
        try:
            await open_round(fake, guild, makers=3, submit="3s", vote="12s")
            assert await bot.wait() == -9
        finally:
            bot.kill()
        fake.after_accept = None
        unrecorded = accepted[1]["id"]
        fake.seed_reactions(unrecorded, "⭐", [user(fake, guild, "voter0")])  # voted while the bot was down
        again = BotProcess(tmp_path, config_text(discord=fake), discord=fake)
        await again.start()
        try:
            await eventually(lambda: len([m for m in fake.messages_in(general) if m.get("components")])
                             == (3 if nonce_window else 4), timeout=15)
            await fake.react(general, unrecorded, user(fake, guild, "voter1"), "⭐")  # and one after
            await eventually(lambda: any("Results of challenge #1" in discord_text(m)
                                         for m in fake.messages_in(general)), timeout=40)
        finally:
            again.terminate()
            await again.wait()
    cards = [m for m in fake.messages_in(general) if m.get("components")]
    if nonce_window:
        assert len(cards) == 3 and fake.nonce_hits >= 1  # the resend came back as the card already posted
    else:
        assert len(cards) == 4 and fake.nonce_hits == 0  # a second copy; both count (one vote per voter)
    results = next(discord_text(m) for m in fake.messages_in(general) if "Results of challenge #1" in discord_text(m))
    title = accepted[1]["embeds"][0]["title"]
    assert re.search(rf"“{title}” by maker\d — votes: 2", results), results


async def test_telegram_killed_after_accepting_a_card_counts_votes_on_both_copies(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        ann, cleo, dan = (fake.add_user(n, n.lower()) for n in ("Ann", "Cleo", "Dan"))
        makers = [fake.add_user(f"Maker{n}", f"maker{n}") for n in range(2)]
        group = fake.add_group("Makers")
        fake.set_admins(group, [fake.bot_user, ann])
        bot = BotProcess(tmp_path, config_text(telegram=fake), telegram=fake)
        await bot.start()
        accepted: list[dict[str, Any]] = []

        def kill_at_first_card(message: dict[str, Any]) -> None:
            if "Entry #" in str(message.get("text")) and "·" in str(message.get("text")):
                accepted.append(message)
                bot.kill()

        try:
            fake.send_text(group, ann, "/challenge_admin new Night walks submit_until=3s vote_until=12s")
            await fake.wait_for_call("sendMessage", to_chat(group, "is set"))
            for n, maker in enumerate(makers, start=1):
                fake.send_text(group, maker, f'/submit https://vimeo.com/{n} title="Film {n}" runtime=1:00')
                await fake.wait_for_call("sendMessage", to_chat(group, f"Entry #{n}:"))
            fake.after_accept = kill_at_first_card
            assert await bot.wait() == -9
        finally:
            bot.kill()
        fake.after_accept = None
        first_copy = accepted[0]["message_id"]
        again = BotProcess(tmp_path, config_text(telegram=fake), telegram=fake)
        await again.start()
        try:
            # Telegram cannot tell it posted the card: the bot waits, sends it once more, and keeps both.
            title = "Film 1" if "Film 1" in accepted[0]["text"] else "Film 2"
            await fake.wait_for_call("sendMessage", lambda r: r.ok and r.response["result"]["message_id"]
                                     != first_copy and title in shown(r) and "·" in shown(r), timeout=15)
            fake.react(group, cleo, first_copy, "🔥")  # on the copy the bot never recorded
            results = shown(await fake.wait_for_call("sendPhoto", to_chat(group, "Results of challenge #1"),
                                                     timeout=40))
        finally:
            again.terminate()
            await again.wait()
    copies = [r for r in fake.calls("sendMessage") if r.ok and title in shown(r) and "·" in shown(r)]
    assert len(copies) == 2  # the original and one resend, never a third
    assert f"“{title}” by Maker" in results and "votes: 1, points: +3" in results


async def test_sigterm_in_a_vote_storm_stops_cleanly_and_every_event_taken_in_is_stored(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        guild = discord_guild(fake, makers=4, voters=600)
        general = guild.channel("general")
        bot = BotProcess(tmp_path, config_text(discord=fake), discord=fake)
        await bot.start()
        try:
            await open_round(fake, guild, makers=4, submit="2s", vote="10m")
            await eventually(lambda: len([m for m in fake.messages_in(general) if m.get("components")]) == 4,
                             timeout=15)
            cards = [m["id"] for m in fake.messages_in(general) if m.get("components")]
            voters = [user(fake, guild, f"voter{n}") for n in range(600)]
            changes = [(general, card, voter, "⭐", step % 2 == 0) for voter in voters for card in cards
                       for step in range(1 + (int(voter["id"]) + int(card)) % 3)]
            storm = asyncio.create_task(fake.react_many(changes, pace=3000))
            await asyncio.sleep(0.6)
            bot.terminate()  # mid-storm: a supervisor stops the bot
            assert await bot.wait() == 0
            sent = await storm
        finally:
            bot.kill()
    taken = int(re.search(r"stopped cleanly \((\d+) reaction events taken in, all handled\)", bot.log).group(1))
    assert 0 < taken <= len(sent)
    print(f"taken in before the stop: {taken} of {len(sent)} events")
    # The gateway delivers in order, so what was taken in is the burst's first `taken` events: replayed
    # here, they must give exactly the votes stored.
    expected: dict[tuple[str, str], bool] = {}
    for event in sent[:taken]:
        expected[(event["message_id"], event["user_id"])] = "member" in event  # ADD carries the member
    rows = await read_rows(tmp_path / "bot.sqlite3", "SELECT v.source, a.user_id, v.active FROM challenge_votes v "
                           "JOIN accounts a ON a.person_id = v.person_id AND a.platform = 'discord' "
                           "WHERE v.source LIKE 'react:%'")
    stored = {(str(source).split(":")[3], user_id): bool(active) for source, user_id, active in rows}
    assert stored == expected


async def test_a_platform_that_cannot_come_back_is_told_on_the_other_and_the_process_exits_non_zero(
        tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord_guild(discord, makers=0, voters=1)
        bot = BotProcess(tmp_path, config_text(discord=discord, telegram=telegram, cogs=("films",)),
                         discord=discord, telegram=telegram)
        await bot.start()
        try:
            await slash(discord, guild, "voter0", "help", {})  # the server is a community with an admin chat
            telegram.token = "123456:revoked"  # the token was revoked in @BotFather: every call is refused
            code = await bot.wait(timeout=30)
        finally:
            bot.kill()
    assert code == 1
    assert "stopped because telegram: Telegram refused the bot token" in bot.log
    notices = [m["content"] for m in discord.messages_in(guild.channel("general"))
               if "lost its telegram connection for good" in discord_text(m)]
    assert len(notices) == 1
