"""/setup on Discord through the stand-in: one admin command, a channel picker, a warning naming the
permissions the bot lacks in the channel chosen, and the next showcase card in that channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.testing.fakes.discord_model import Perm
from bot.testing.fakes.discord_server import FakeDiscord
from tests.discord_support import answer, discord_text, eventually, make_guild, running_app

pytestmark = pytest.mark.timeout(20)
CHANNEL = 7
MANAGE_GUILD = str(1 << 5)


async def test_an_admin_picks_the_showcase_channel_and_hears_what_is_missing_there(
        discord_fake: FakeDiscord, tmp_path: Path) -> None:
    guild = make_guild(discord_fake)
    discord_fake.model.add_channel(guild, "films")
    films = guild.channel("films")
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as app:
        synced = next(c for c in discord_fake.commands() if c["name"] == "setup")
        assert synced["default_member_permissions"] == MANAGE_GUILD
        channel_sub = next(o for o in synced["options"] if o["name"] == "channel")
        assert next(o for o in channel_sub["options"] if o["name"] == "channel")["type"] == CHANNEL
        refused = await answer(discord_fake, guild, "ana", "setup", {"kind": "showcase", "channel": films},
                               subcommand="channel")
        assert "Only community admins" in refused["content"]
        discord_fake.deny_bot(films, Perm.ADD_REACTIONS | Perm.CREATE_PUBLIC_THREADS)
        chosen = await answer(discord_fake, guild, "mo", "setup", {"kind": "showcase", "channel": films},
                              subcommand="channel")
        assert f"<#{films.id}>" in chosen["content"]
        assert "missing permissions there: Add Reactions, Create Public Threads" in chosen["content"]
        await answer(discord_fake, guild, "ben", "share", {"link": "https://vimeo.com/5", "title": "Paper Moon"})
        await app.outbox.flush()
        await eventually(lambda: any("Paper Moon" in discord_text(m) for m in discord_fake.messages_in(films)))
        showcase = guild.channel("showcase")
        assert not any("Paper Moon" in discord_text(m) for m in discord_fake.messages_in(showcase))
        shown = await answer(discord_fake, guild, "mo", "setup", {}, subcommand="show")
        assert f"showcase: <#{films.id}> (set in chat)" in shown["content"]
