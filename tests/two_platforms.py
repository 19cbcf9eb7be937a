"""One App on both real adapters at once: Discord against FakeDiscord and Telegram against FakeTelegram.

`both_config(discord, telegram, communities)` builds the config; `BothBot` runs the App on a virtual clock.
Helpers read what each stand-in was asked to post, so a test can compare the two platforms side by side.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import VirtualClock
from bot.config import Config, build_config
from bot.platforms import discord_platform, telegram_platform
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
COGS = ["films", "challenges", "community"]


def discord_chat(guild: Guild, channel: str, announce: list[str] | None = None) -> dict[str, Any]:
    """A Discord channel in [[communities]]: `space` is the guild the channel belongs to."""
    chat: dict[str, Any] = {"platform": "discord", "id": guild.channel(channel).id, "space": guild.id}
    if announce is not None:
        chat["announce"] = announce
    return chat


def telegram_chat(group: dict[str, Any], announce: list[str] | None = None) -> dict[str, Any]:
    chat: dict[str, Any] = {"platform": "telegram", "id": str(group["id"])}
    if announce is not None:
        chat["announce"] = announce
    return chat


def both_config(discord: FakeDiscord, telegram: FakeTelegram, communities: list[dict[str, Any]],
                cogs: list[str] | None = None, **extra: Any) -> Config:
    raw: dict[str, Any] = {
        "bot": {"cogs": cogs or COGS},
        "films": {"previews": False},  # no test reaches the films' own sites
        "discord": {"api_base": discord.api_base, "gateway_url": discord.gateway_url,
                    "guild_ready_timeout": 0.05, "threads": False},
        "telegram": {"base_url": telegram.base_url, "base_file_url": telegram.base_file_url,
                     "poll_timeout": 1, "overall_max_rate": 0, "group_max_rate": 0, "max_retries": 0},
        "communities": communities, **extra}
    return build_config(raw, "(test)", {"MICROFILM_DISCORD_TOKEN": discord.token,
                                        "MICROFILM_TELEGRAM_TOKEN": telegram.token})


class BothBot:
    """`async with BothBot(db_path, config) as bot:` the App with both platforms on a virtual clock."""

    def __init__(self, db_path: Path, config: Config, start: datetime = START,
                 telegram: FakeTelegram | None = None) -> None:
        self.clock = VirtualClock(start)
        if telegram is not None:  # Telegram dates its updates on the bot's clock
            telegram.state.clock = lambda: self.clock.now().timestamp()
        self.app = App(config, db_path=str(db_path), clock=self.clock,
                       platforms=[discord_platform.create(config), telegram_platform.create(config)])

    async def __aenter__(self) -> BothBot:
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.stop()


# -- what Discord was asked to post --------------------------------------------------------------------------

def discord_posts(fake: FakeDiscord, channel_id: str) -> list[dict[str, Any]]:
    """Messages the bot posted in a channel (answered 200), oldest first."""
    return [request.response for request in fake.requests_to("POST", rf"/channels/{channel_id}/messages$")
            if request.status == 200]


async def discord_answer(fake: FakeDiscord, guild: Guild, user: dict[str, Any], command: str,
                         options: dict[str, Any] | None = None, subcommand: str | None = None,
                         channel: str = "general") -> dict[str, Any]:
    """A slash command; returns the bot's first callback data (content, embeds, flags)."""
    interaction = await fake.slash(guild, channel, user, command, options, subcommand)
    callback = await interaction.wait_callback()
    assert callback["type"] == 4, callback
    data: dict[str, Any] = callback["data"]
    return data


# -- what Telegram was asked to post -------------------------------------------------------------------------

def telegram_posts(fake: FakeTelegram, chat: dict[str, Any]) -> list[RecordedRequest]:
    """Answered sendMessage and sendPhoto calls to a chat (a picture with its caption), oldest first."""
    return [request for request in fake.requests if request.method in ("sendMessage", "sendPhoto")
            and request.ok and request.params.get("chat_id") == chat["id"]]


def telegram_text(request: RecordedRequest) -> str:
    """What Telegram shows for a sent message or a picture's caption, after parsing its HTML."""
    assert request.response is not None
    result = request.response["result"]
    return str(result.get("text") or result.get("caption") or "")


def telegram_message_id(request: RecordedRequest) -> int:
    assert request.response is not None
    return int(request.response["result"]["message_id"])


def telegram_button(request: RecordedRequest) -> str:
    """The callback data of the first inline button under a sent message."""
    markup = request.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return str(markup["inline_keyboard"][0][0]["callback_data"])


async def telegram_say(fake: FakeTelegram, chat: dict[str, Any], user: dict[str, Any], text: str,
                       contains: str = "") -> str:
    """A user writes in a chat; returns the bot's next message there whose text has `contains`
    (an announcement of the same change may come first)."""
    before = set(fake.calls("sendMessage"))
    fake.send_text(chat, user, text)
    found = await fake.wait_for_call("sendMessage", lambda r: r not in before and r.ok
                                     and r.params.get("chat_id") == chat["id"] and contains in telegram_text(r))
    return telegram_text(found)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `check()` holds (events cross a socket and the database before anyone sees them)."""
    async def loop() -> None:
        while not check():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), timeout)
