"""Deleting a film that is in play: asked first, its entry withdrawn, the votes for it dropped, voters told once."""

from __future__ import annotations

from bot.testing.harness import Harness

ROUND = [
    'ann: /challenge new "Night walks" max_runtime=3m',
    'alice: /submit https://vimeo.com/200001 title="Lamp Post" runtime=2:10',
    'bob: /submit https://vimeo.com/200002 title="Rain" runtime=2:10',
    "~ +5d",
    'carol +⭐ "Entry #1 ·"',
    'dave [Vote] "Entry #1 ·"',
    'carol +🔥 "Entry #1 ·"',  # a second reaction: still one voter, told once
]


async def test_deleting_an_entered_film_asks_first_then_withdraws_it_and_tells_each_voter_once(bot: Harness) -> None:
    await bot.run(*ROUND)
    asked = await bot.text("alice: /deletefilm 1")
    assert "is in play" in asked and "challenge #1 “Night walks” is withdrawn" in asked
    assert "votes for it are dropped and its voters are told once" in asked and "[Delete] [Keep it]" in asked
    assert "The film stays" in await bot.text('alice [Keep it] "is in play"')
    assert "Lamp Post" in await bot.text("bob: /film 1")  # nothing changed yet
    done = await bot.text('alice [Delete] "is in play"')
    told = [line for line in done.splitlines() if "was withdrawn from challenge #1" in line]
    assert sorted(line.split(":")[0].split()[-1] for line in told) == ["@carol", "@dave"]
    assert "Film #1 “Lamp Post” is deleted" in done
    results = await bot.text("~ +2d")
    assert "Rain" in results and "Lamp Post" not in results
    assert "None of the entries" not in results  # votes were cast: they went with the withdrawn entry
    assert "1 withdrawn during the round took their votes with them" in results
    assert "was withdrawn" not in results  # told once, not again at the close


async def test_a_film_not_in_play_is_deleted_at_once_and_another_makers_film_is_refused(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/300001 "Tea at Dawn" runtime=3:20')
    assert "belongs to alice" in await bot.text("bob: /deletefilm 1")
    assert "is deleted" in await bot.text("alice: /deletefilm 1")


async def test_deleting_a_film_waiting_for_critiques_says_so_and_takes_it_out_of_the_queue(bot: Harness) -> None:
    await bot.run('alice: /share https://vimeo.com/300001 "Tea at Dawn" runtime=3:20',
                  "alice: /feedback request https://vimeo.com/300001")
    asked = await bot.text("alice: /deletefilm 1")
    assert "is in play" in asked and "queue" in asked
    assert "is deleted" in await bot.text("alice: /deletefilm 1 confirm=yes")
    assert "Tea at Dawn" not in await bot.text("bob: /feedback next")
