from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.errors import UserError
from bot.settings import setting
from cogs.films.api import parse_runtime


def _runtime_or_off(value: object) -> str | None:
    try:
        if str(value).strip():
            parse_runtime(str(value))
    except UserError:
        return "is not a runtime like 3m or 4:30 (\"\" for no cap)"
    return None


@dataclass(frozen=True)
class ChallengeSettings:
    """[challenges] in the config."""

    hidden_tallies: bool = True      # counts stay hidden until the results; voters get a private receipt
    max_runtime: str = setting("3m", check=_runtime_or_off)  # default runtime cap of a new challenge ("" for none)
    submit_days: int = setting(5, low=1, high=60)  # default length of the submission phase
    vote_days: int = setting(2, low=1, high=60)    # default length of the voting phase
    vote_emoji: str = setting("⭐", nonempty=True)
    # also votes: Telegram's fixed reaction set has no ⭐
    also_vote_emojis: tuple[str, ...] = setting(("🔥",), each=lambda e: None if str(e).strip() else "is empty")
    # points for 1st, 2nd, 3rd place; shared places get the same
    points: tuple[int, ...] = setting((3, 2, 1), nonempty=True, each=lambda p: None if p >= 0 else "is negative")
    leaderboard_size: int = setting(10, low=1, high=100)
    # a round with more entries is browsed in a gallery, not posted as cards
    gallery_above: int = setting(25, low=0, high=100_000)
    page_size: int = setting(5, low=1, high=20)  # entries on a gallery page (a menu of at most 25 choices)
    # seconds the vote's close waits at most for the podium's thumbnails (fetched together, before it writes)
    thumbnail_timeout: float = setting(2.0, low=0.05, high=30)

    def default_cap(self) -> int | None:
        """The runtime cap of a new challenge, in seconds (None for no cap)."""
        raw = self.max_runtime.strip()
        return parse_runtime(raw) if raw else None

    @property
    def vote_emojis(self) -> tuple[str, ...]:
        return (self.vote_emoji, *(emoji for emoji in self.also_vote_emojis if emoji != self.vote_emoji))


# The settings as one community has them (the config's, with its admins' /setup rules): ChallengesCog.rules
RulesOf = Callable[[int], Awaitable[ChallengeSettings]]
