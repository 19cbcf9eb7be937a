"""The log at DEBUG, with both platforms running against their stand-ins and errors provoked on each:
no token anywhere in it (URLs, reprs, tracebacks), and one line per handled command with no message text."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.bot_process import BotProcess, config_text
from tests.telegram_harness import to_chat
from tests.test_process_drills import discord_guild, slash

pytestmark = pytest.mark.timeout(90)
TITLE = "Quietly Unlogged Title"


async def test_a_debug_log_with_errors_on_both_platforms_holds_no_token(tmp_path: Path) -> None:
    async with FakeDiscord() as discord, FakeTelegram() as telegram:
        guild = discord_guild(discord, makers=1, voters=0)
        config = config_text(discord=discord, telegram=telegram, cogs=("films",)).replace(
            'log_level = "INFO"', 'log_level = "DEBUG"')
        bot = BotProcess(tmp_path, config, discord=discord, telegram=telegram)
        await bot.start()
        try:
            await slash(discord, guild, "maker0", "help", {})
            assert "no film #999" in await slash(discord, guild, "maker0", "film", {"id": 999})
            outage = discord.fail_after("POST", r"/channels/\d+/messages", 0)  # announcements fail for a while
            assert "is shared" in await slash(discord, guild, "maker0", "share",
                                              {"link": "https://vimeo.com/1", "title": TITLE})
            await bot.wait_for_line("503", timeout=20)
            discord.rest.outages.remove(outage)

            group, alice = telegram.add_group("Makers"), telegram.add_user("Alice")
            telegram.send_text(group, alice, "/help")
            await telegram.wait_for_call("sendMessage", to_chat(group), timeout=10)
            telegram.fail_next("sendMessage", 502)  # the answer's first try fails
            telegram.send_text(group, alice, f"/share https://vimeo.com/2 \"{TITLE} 2\"")
            await bot.wait_for_line("Bad Gateway", timeout=15)
            telegram.outage(502)  # getUpdates fails: the poller logs it
            await bot.wait_for_line("getUpdates", timeout=20)
            telegram.restore()
            await asyncio.sleep(0.5)
        finally:
            bot.terminate()
            await bot.wait()
    log = bot.log
    assert " DEBUG " in log and (" ERROR " in log or " WARNING " in log)
    for token in (discord.token, telegram.token):
        for form in {token, quote(token, safe=""), token.split(":")[-1]}:
            assert form not in log, f"a token reached the log: {form[:4]}…"
    assert "fake-interaction-" not in log  # nor an interaction's token (it answers for 15 minutes)
    assert f"{TITLE} 2" not in log  # what people write stays out, even at DEBUG
    handled = [line for line in log.splitlines() if " handled " in line]
    assert any("platform=discord" in line and "command=share outcome=ok" in line for line in handled), handled
    assert any("platform=discord" in line and "command=film outcome=refused" in line for line in handled)
    assert any("platform=telegram" in line and "command=help outcome=ok" in line for line in handled)
    assert all(re.search(r" ms=\d+$", line) and TITLE not in line and "vimeo" not in line for line in handled)
