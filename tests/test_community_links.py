"""Linking accounts of two platforms into one person: codes, confirmation, merges that never half-happen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.models import Account, ChatRef, Invocation, Message, MessageRef
from bot.platform import plain_user_ref
from bot.platforms.plain import button_line, render_message
from bot.testing.harness import Harness


@dataclass
class Collector:
    """A responder for a second platform's account: keeps what the bot answered."""

    said: list[str] = field(default_factory=list)

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        buttons = button_line(message)
        self.said.append("\n".join(render_message(message, zone) + ([buttons] if buttons else [])))
        return None

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self.reply(message, zone=zone)


async def as_telegram(bot: Harness, text: str, user: str = "42", name: str = "Alice T") -> str:
    collector = Collector()
    await bot.app.dispatcher.command(Invocation(
        account=Account("telegram", user), display_name=name, chat=ChatRef("telegram", user, True),
        responder=collector, text=text, space=None))
    return "\n".join(collector.said)


async def code_for(bot: Harness, who: str = "alice") -> str:
    out = await bot.text(f"{who}: /link")
    found = re.search(r"code is ([A-Z0-9]{4}-[A-Z0-9]{4})", out)
    assert found, out
    return found.group(1)


async def people(bot: Harness) -> int:
    return int(await bot.app.db.fetchval("SELECT COUNT(*) FROM people"))


async def test_a_code_joins_two_accounts_into_one_person(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/a "Mine"')
    code = await code_for(bot)
    assert "@alice:" in bot.lines[-2] and "sent you a link code" in bot.lines[-1]
    assert "Linked" in await as_telegram(bot, f"/link {code}")
    assert await people(bot) == 1
    assert "Mine" in await as_telegram(bot, "/profile")  # the Telegram account sees alice's films


async def test_wrong_expired_and_reused_codes_are_refused(bot: Harness) -> None:
    assert "wrong, used or expired" in await as_telegram(bot, "/link ABCD-EFGH")
    code = await code_for(bot)
    await bot.run("~ +11m")
    assert "wrong, used or expired" in await as_telegram(bot, f"/link {code}")
    code = await code_for(bot)
    assert "Linked" in await as_telegram(bot, f"/link {code}")
    assert "wrong, used or expired" in await as_telegram(bot, f"/link {code}", user="43", name="Mallory")


async def test_guessing_is_rate_limited(bot: Harness) -> None:
    for _ in range(5):
        await as_telegram(bot, "/link AAAA-AAAA", user="66")
    code = await code_for(bot)
    assert "Too many wrong link codes" in await as_telegram(bot, f"/link {code}", user="66")


async def test_codes_are_random_and_limited_per_hour(bot: Harness) -> None:
    codes = {await code_for(bot) for _ in range(5)}
    assert len(codes) == 5
    assert "many link codes" in await bot.text("alice: /link")


async def test_two_people_with_data_merge_after_confirmation_without_duplicates(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/a "Console Film"')
    collector_code = await code_for(bot)
    await as_telegram(bot, "/start")
    telegram_person = await bot.app.directory.find_person("telegram", plain_user_ref("42"))
    assert telegram_person is not None
    # The Telegram account already has a film of its own.
    community = (await bot.app.directory.communities())[0]
    async with bot.app.db.transaction() as tx:
        await bot.app.cog("films").repo.add(  # type: ignore[union-attr]
            tx, community_id=community.id, person_id=telegram_person.id, title="Phone Film",
            link="https://example.com/b", site="web", video_id="https://example.com/b", runtime_seconds=None,
            genre=None, tags=(), logline="", now=bot.clock.now())
    out = await as_telegram(bot, f"/link {collector_code}")
    assert "Merge them?" in out and "[Merge] [Keep apart]" in out
    assert await people(bot) == 2  # nothing merged before the yes
    assert "Linked" in await as_telegram(bot, f"/link {collector_code} confirm=yes")
    assert await people(bot) == 1
    profile = await bot.text("alice: /profile")
    assert "films: 2" in profile and "Console Film" in profile and "Phone Film" in profile


async def test_a_merge_that_fails_halfway_leaves_the_old_state(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/a "Console Film"')
    code = await code_for(bot)
    await as_telegram(bot, "/start")
    films = bot.app.cog("films")
    assert films is not None

    async def explode(*args: object) -> None:
        raise RuntimeError("power cut")

    feedback = bot.app.cog("feedback")
    assert feedback is not None
    feedback.merge_people = explode  # type: ignore[method-assign]
    assert "went wrong" in await as_telegram(bot, f"/link {code}")
    assert await people(bot) == 2
    accounts = await bot.app.db.fetchall("SELECT platform, person_id FROM accounts ORDER BY platform")
    assert accounts[0]["person_id"] != accounts[1]["person_id"]
    assert await bot.app.db.fetchval("SELECT used_at FROM link_codes") is None


async def test_unlink_splits_the_account_off(bot: Harness) -> None:
    code = await code_for(bot)
    await as_telegram(bot, f"/link {code}")
    assert "now on its own" in await as_telegram(bot, "/unlink")
    assert await people(bot) == 2
    assert "not linked" in await as_telegram(bot, "/unlink")


@pytest.mark.parametrize("minutes", [9])
async def test_a_code_is_valid_for_ten_minutes(bot: Harness, minutes: int) -> None:
    code = await code_for(bot)
    await bot.app.scheduler.advance_to(bot.clock.now() + timedelta(minutes=minutes))
    assert "Linked" in await as_telegram(bot, f"/link {code}")


async def test_merging_adds_credits_and_moves_critiques_once(bot: Harness) -> None:
    from tests.feedback_helpers import give, notes, share

    await share(bot, "bob", "carol")  # films 1 and 2
    await bot.run("bob: /feedback request 1", "carol: /feedback request 2")
    await bot.run(give("alice", 1, notes("quiet")))  # alice (console) earns a credit
    await as_telegram(bot, "/start")
    await as_telegram(bot, give("x", 2, notes("loud")).split(": ", 1)[1])  # the Telegram account earns one too
    credits_before = await bot.app.db.fetchval("SELECT SUM(balance) FROM feedback_wallets")
    code = await code_for(bot)
    assert "Merge them?" in await as_telegram(bot, f"/link {code}")
    assert "Linked" in await as_telegram(bot, f"/link {code} confirm=yes")
    wallets = await bot.app.db.fetchall("SELECT person_id, balance FROM feedback_wallets WHERE balance > 0")
    alice = await bot.app.directory.find_person("console", plain_user_ref("alice"))
    assert alice is not None
    assert [(row[0], row[1]) for row in wallets] == [(alice.id, 2)]
    assert await bot.app.db.fetchval("SELECT SUM(balance) FROM feedback_wallets") == credits_before
    reviewers = await bot.app.db.fetchall("SELECT DISTINCT reviewer_id FROM feedback_critiques")
    assert [row[0] for row in reviewers] == [alice.id]
    assert "balance: 2" in await as_telegram(bot, "/feedback credits") or "credits: 2" in await as_telegram(
        bot, "/feedback credits")
