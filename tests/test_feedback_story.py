"""Three makers trade critiques through one console script: the feedback exchange end to end."""

from __future__ import annotations

from bot.testing.harness import Harness
from tests.feedback_helpers import balance, give, notes

SCRIPT = [
    'mei: /share https://vimeo.com/1 "Tea at Dawn" runtime=3:20',
    'tom: /share https://vimeo.com/2 "Concrete Birds" runtime=5:00',
    'ines: /share https://vimeo.com/3 "Paper Moon" runtime=2:40',
    "ann: /feedback credits",
    "mei: /feedback request 1",
    "~ +10m",
    "tom: /feedback request 2",
    "~ +10m",
    "ines: /feedback request 3",
]


async def test_three_makers_trade_critiques(bot: Harness) -> None:
    out = await bot.text(*SCRIPT)
    assert out.count("is in the feedback queue for 3 critiques. Your first request is free") == 3

    # Fair hand-outs: everyone gets the oldest film that is not their own.
    assert "Next for you: #1" in await bot.text("tom: /feedback next")
    assert "Next for you: #2" in await bot.text("mei: /feedback next")

    # Below the floor: refused, told what is missing, nothing saved; then accepted.
    out = await bot.text(give("tom", 1, "Nice light at 1:10."))
    assert "The notes have 3 words; at least 40 are needed (37 more)" in out
    assert await balance(bot, "tom") == 0
    out = await bot.text(give("tom", 1, notes("tom")))
    assert "@mei: 📝 Critique #1 of #1 “Tea at Dawn” by tom" in out and "+1 credit" in out
    assert await balance(bot, "tom") == 1

    # #1 now has one critique, so ines is handed #2, the oldest of those with none.
    assert "Next for you: #2" in await bot.text("ines: /feedback next")
    await bot.run(give("ines", 2, notes("ines"), extra="anonymous=yes"), give("mei", 2, notes("mei")))
    assert "Next for you: #3" in await bot.text("tom: /feedback next")
    await bot.run(give("tom", 3, notes("tom3")))

    # A helpful mark moves a bonus credit to the reviewer.
    await bot.run("tom: /feedback thanks 3")
    assert await balance(bot, "mei") == 2
    # Credits pay for a second request.
    await bot.run('mei: /share https://vimeo.com/4 "Tea at Dusk" runtime=3:00')
    assert "It cost 2 credits; your balance: 0" in await bot.text("mei: /feedback request 4")

    # A report goes to the feedback chat (no names) and to the admin (in full); the admin removes it.
    out = await bot.text("tom: /feedback report 2 off-topic and unkind")
    assert "Critique #2 (on film #2) was reported" in out and "@ann: ⚑ Critique #2 was reported by tom" in out
    assert "by ines (anonymous to the maker)" in out
    assert await balance(bot, "ines") == 1
    out = await bot.text("ann: /feedback_admin remove 2")
    public = [line for line in out.splitlines() if "#general" in line]
    assert any("Critique #2 is removed; 1 of the 1 credits" in line for line in public)
    assert "ines" not in "\n".join(public)  # the anonymous reviewer is not named in the group
    assert await balance(bot, "ines") == 0
    card = await bot.text("ines: /film 2")
    assert "Feedback averages (1 in all)" in card and "Feedback queue: 1 of 3 critiques" in card
