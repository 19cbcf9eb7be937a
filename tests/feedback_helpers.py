"""Shared steps for the feedback tests: films, notes that meet the floor, balances."""

from __future__ import annotations

from bot.testing.harness import Harness


def notes(topic: str, code: str = "1:23", words: int = 42) -> str:
    """Notes that meet the default floor (40 words, one timecode); each topic gives different words."""
    filler = " ".join(f"{topic}{index}" for index in range(words))
    return f"At {code} the cut comes a beat early. {filler}"


def give(who: str, film: int | str, text: str, scores: str = "story=4 image=3 sound=5 edit=4",
         extra: str = "") -> str:
    return f'{who}: /feedback give {film} {scores} notes="{text}" {extra}'.rstrip()


async def share(bot: Harness, *makers: str, runtime: str = "4:30") -> None:
    """Each maker shares one film, in order: film ids follow the order of the names."""
    for maker in makers:
        await bot.run(f'{maker}: /share https://example.com/{maker} "{maker.title()} Film" runtime={runtime}')


async def balance(bot: Harness, name: str) -> int:
    value = await bot.app.db.fetchval(
        "SELECT w.balance FROM feedback_wallets w JOIN people p ON p.id = w.person_id WHERE p.display_name = ?",
        (name,))
    return int(value or 0)


async def count(bot: Harness, table: str) -> int:
    return int(await bot.app.db.fetchval(f"SELECT COUNT(*) FROM {table}"))
