"""Forget me: /forgetme (private, after a preview) and an admin's /forget, across every cog, in one step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import CogLoadError
from bot.export import collect
from bot.testing.harness import Harness, make_config
from tests.test_community_links import as_telegram, code_for

LONG_NOTES = ("Strong subject and honest interviews that let people speak. The wind noise from 0:30 to 1:15 makes "
              "the first interview hard to follow; a quick noise reduction pass would save it. The pigeon shot at "
              "3:05 is the best image in the film.")

# alice leaves a trace in every cog: a zone, films, a challenge entry and a vote, a theme, a feedback
# request and a critique, festival reminders; carol votes for alice's entry.
ALICE_EVERYWHERE = [
    'ann: /challenge new "Night walks" max_runtime=3m',
    'alice: /submit https://vimeo.com/200001 title="Lamp Post" runtime=2:10',
    'bob: /submit https://vimeo.com/200002 title="Rain" runtime=2:10',
    "alice: /timezone Europe/Paris",
    'alice: /share https://vimeo.com/300001 "Tea at Dawn" runtime=3:20',
    "alice: /feedback request https://vimeo.com/300001",
    'bob: /share https://vimeo.com/300002 "Concrete Birds" runtime=3:20',
    "bob: /feedback request https://vimeo.com/300002",
    "alice: /feedback next",
    f'alice: /feedback give https://vimeo.com/300002 story=5 image=4 sound=2 edit=4 notes="{LONG_NOTES}"',
    "alice: /remind festivals",
    "alice: /theme suggest Rooftops",
    "~ +5d",
    'alice +⭐ "Entry #2 ·"',
    'carol +⭐ "Entry #1 ·"',
]


async def export(bot: Harness) -> str:
    return json.dumps(await collect(bot.app), ensure_ascii=False)


async def test_forgetme_previews_in_private_then_forgets_everything_and_the_export_shows_nothing(bot: Harness) -> None:
    await bot.run(*ALICE_EVERYWHERE)
    assert "private chat" in await bot.text("alice: /forgetme")  # never in the group
    preview = await bot.text("alice@dm: /forgetme")
    for said in ("festival deadline reminders", "critiques you wrote (1): kept without your name",
                 "votes in challenges still running (1)", "entries in challenges not yet closed (1)",
                 "films you shared (2): deleted", "accounts (1)", "[Forget me] [Keep it]"):
        assert said in preview, said
    assert "Tea at Dawn" in await export(bot)  # the preview changed nothing
    assert "Nothing was removed" in await bot.text('alice [Keep it] "Forget me"')
    assert "You are forgotten" in await bot.text('alice [Forget me] "Forget me"')
    exported = await export(bot)
    for trace in ("alice", "Europe/Paris", "Tea at Dawn", "Lamp Post"):
        assert trace not in exported, trace
    assert "Strong subject" in exported  # the critique bob relies on stays, without her name
    queue = await bot.text("ann: /theme queue")
    assert "Rooftops" in queue and "alice" not in queue
    entries = await bot.text("carol: /challenge show")
    assert "Lamp Post" not in entries and "Rain" in entries


async def test_an_admin_forgets_a_member_and_sees_the_summary(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/300001 "Tea at Dawn" runtime=3:20', "alice: /remind festivals")
    assert "Only community admins" in await bot.text("bob: /forget alice")
    assert "I don't know anyone called “nobody”" in await bot.text("ann: /forget nobody")
    preview = await bot.text("ann: /forget alice")
    assert "Forgetting alice" in preview and "films you shared (1): deleted" in preview and "[Forget]" in preview
    done = await bot.text('ann [Forget] "Forgetting alice"')
    assert "alice is forgotten" in done and "films you shared (1): deleted" in done
    assert "forgotten already" in await bot.text('ann [Forget] "Forgetting alice"')
    assert "alice" not in await export(bot)


async def test_a_closed_challenge_keeps_a_forgotten_makers_entry_without_the_name(bot: Harness) -> None:
    await bot.run(*ALICE_EVERYWHERE, "~ +2d")  # the results are announced
    results = await bot.text("bob: /challenge show 1")
    assert "Lamp Post" in results
    done = await bot.text("ann: /forget alice confirm=yes")
    assert "entries in closed challenges (1): kept without your name" in done
    assert "kept" in done and "#1 Lamp Post" in done  # the film stays, for the results others earned
    after = await bot.text("bob: /challenge show 1")
    assert "Lamp Post" in after and "a former member" in after and "alice" not in after
    assert "alice" not in await export(bot)


async def test_forgetting_a_linked_person_removes_both_accounts(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/300001 "Tea at Dawn" runtime=3:20')
    assert "Linked" in await as_telegram(bot, f"/link {await code_for(bot)}")
    preview = await as_telegram(bot, "/forgetme")
    assert "accounts (2)" in preview and "films you shared (1)" in preview
    assert "You are forgotten" in await as_telegram(bot, "/forgetme confirm=yes")
    exported = await export(bot)
    assert "alice" not in exported and "Alice T" not in exported and '"42"' not in exported
    assert int(await bot.app.db.fetchval("SELECT COUNT(*) FROM accounts")) == 0


async def test_a_cog_without_a_forget_person_hook_is_not_loaded(tmp_path: Path) -> None:
    config = make_config({"bot": {"cogs": ["films", "tests.cogs_for_tests.forgetless"]}})
    with pytest.raises(CogLoadError, match="forgetless cog has no forget_person hook"):
        async with Harness(tmp_path / "db.sqlite3", config):
            pass

