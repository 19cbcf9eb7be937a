"""The message menu's "Share as film" on Discord: the share form opens filled in with the message's link and
the title of Discord's preview of it; submitted, the film is shared like /share."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.testing.fakes.discord_server import FakeDiscord
from tests.discord_support import make_guild, running_app, user

pytestmark = pytest.mark.timeout(20)
MODAL, EPHEMERAL = 9, 64


def fields(modal: dict) -> dict[str, str]:
    inputs = [c.get("component") or c["components"][0] for c in modal["data"]["components"]]
    return {field["custom_id"]: field.get("value", "") for field in inputs}


async def test_share_as_film_opens_the_form_filled_in(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    fake = discord_fake
    guild = make_guild(fake)
    async with running_app(fake, tmp_path / "bot.sqlite3") as app:
        menu = next(c for c in fake.commands() if c["type"] == 3)
        assert menu["name"] == "Share as film" and menu["name_localizations"]["zh-CN"] == "分享为影片"
        posted = await fake.send_message(guild.channel("general"), user(fake, guild, "ben"),
                                         "look at this https://vimeo.com/76979871 !",
                                         embeds=[{"type": "video", "url": "https://vimeo.com/76979871",
                                                  "title": "Night Bus"}])
        chosen = await fake.message_command(guild, "general", user(fake, guild, "ana"), "Share as film", posted["id"])
        modal = await chosen.wait_callback()
        assert modal["type"] == MODAL
        assert fields(modal) == {"link": "https://vimeo.com/76979871", "title": "Night Bus"}
        submitted = await fake.submit_modal(guild, "general", user(fake, guild, "ana"), modal["data"]["custom_id"],
                                            {"link": "https://vimeo.com/76979871", "title": "Night Bus"})
        answer = (await submitted.wait_callback())["data"]
        assert answer["content"].startswith("Film #1 “Night Bus” is shared") and answer["flags"] == EPHEMERAL
        assert await app.db.fetchval("SELECT person_id FROM films") is not None

        plain = await fake.send_message(guild.channel("general"), user(fake, guild, "ben"), "no link here")
        none = await fake.message_command(guild, "general", user(fake, guild, "ana"), "Share as film", plain["id"])
        refused = (await none.wait_callback())["data"]
        assert refused["content"] == "That message has no web link to share." and refused["flags"] == EPHEMERAL
