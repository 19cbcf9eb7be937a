from __future__ import annotations

from dataclasses import dataclass

from cogs.films.api import parse_runtime


@dataclass(frozen=True)
class ChallengeSettings:
    """[challenges] in the config."""

    hidden_tallies: bool = True      # counts stay hidden until the results; voters get a private receipt
    max_runtime: str = "3m"          # default runtime cap of a new challenge ("" for none)
    submit_days: int = 5             # default length of the submission phase
    vote_days: int = 2               # default length of the voting phase
    vote_emoji: str = "⭐"
    also_vote_emojis: tuple[str, ...] = ("🔥",)  # also votes: Telegram's fixed reaction set has no ⭐
    points: tuple[int, ...] = (3, 2, 1)  # points for 1st, 2nd, 3rd place; shared places get the same
    leaderboard_size: int = 10
    gallery_above: int = 25          # a round with more entries is browsed in a gallery, not posted as cards
    page_size: int = 5               # entries on a gallery page

    def default_cap(self) -> int | None:
        """The runtime cap of a new challenge, in seconds (None for no cap)."""
        raw = self.max_runtime.strip()
        return parse_runtime(raw) if raw else None

    @property
    def vote_emojis(self) -> tuple[str, ...]:
        return (self.vote_emoji, *(emoji for emoji in self.also_vote_emojis if emoji != self.vote_emoji))
