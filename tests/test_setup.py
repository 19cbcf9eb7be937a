"""/setup on the console: admins choose where announcements go and the community's zone and language in
chat; choices are shown, win over the config, survive a restart and can be put back."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.testing.harness import Harness, make_config

pytestmark = pytest.mark.timeout(20)
CONFIG = {"bot": {"cogs": ["cogs.films"]}}


async def test_admins_set_show_and_reset_each_setting_and_it_survives_a_restart(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config(CONFIG)) as h:
        shown = await h.text("ann: /setup show")
        assert "showcase: #general (default)" in shown and "Zone: UTC (default)" in shown
        assert "Language: en (default)" in shown
        assert "Asia/Shanghai" in await h.text("ann: /setup zone 上海")
        assert "#films" in await h.text("ann#films: /setup channel showcase")
        await h.restart()
        shown = await h.text("ann: /setup show")
        assert "showcase: #films (set in chat)" in shown and "Zone: Asia/Shanghai (set in chat)" in shown
        assert "challenges: #general (default)" in shown
        assert "back to the config's default" in await h.text("ann: /setup reset zone")
        await h.text("ann: /setup reset showcase")
        shown = await h.text("ann: /setup show")
        assert "Zone: UTC (default)" in shown and "showcase: #general (default)" in shown


async def test_the_next_announcement_goes_to_the_chosen_chat(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config(CONFIG)) as h:
        await h.text("ann#films: /setup channel showcase")
        posted = await h.run('ben: /share https://vimeo.com/76979871 "Night Bus"')
        cards = [line for line in posted if "New film" in line]
        assert cards and all(card.startswith("[2] #films:") for card in cards), posted


async def test_replies_afterwards_use_the_chosen_language_and_zone(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config(CONFIG)) as h:
        assert "本社区今后使用 zh-Hans" in await h.text("ann: /setup language zh-hans")
        assert "只有社区管理员" in await h.text("bob: /setup show")  # every reply now in Chinese
        await h.text("ann: /setup zone Asia/Tokyo")
        assert "Asia/Tokyo" in await h.text("bob: /timezone")  # a member without a zone gets the community's
        await h.restart()
        assert "语言：zh-Hans（已在聊天中设置）" in await h.text("ann: /setup show")


async def test_bad_input_is_refused_saying_how_to_fix_it_and_nothing_is_saved(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config(CONFIG)) as h:
        assert "showcase, challenges, festivals, feedback" in await h.text("ann: /setup channel bogus")
        assert "Try one of" in await h.text("ann: /setup zone nowhere")
        assert "en, zh-Hans" in await h.text("ann: /setup language klingon")
        assert "zone, language, an announcement kind" in await h.text("ann: /setup reset colour")
        assert "Only community admins" in await h.text("bob#films: /setup channel showcase")
        shown = await h.text("ann: /setup show")
        assert "set in chat" not in shown
