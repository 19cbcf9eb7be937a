from __future__ import annotations

from dataclasses import dataclass

from bot.settings import setting


@dataclass(frozen=True)
class FeedbackSettings:
    """[feedback] in the config."""

    critiques_per_request: int = setting(3, low=1, high=50)  # a film leaves the queue with this many critiques
    request_cost: int = setting(2, low=0, high=1000)         # credits a request costs
    first_request_free: bool = True  # a maker's first request in a community costs nothing
    critique_reward: int = setting(1, low=0, high=1000)  # credits a critique meeting the floor earns (once per notes)
    thanks_bonus: int = setting(1, low=0, high=1000)     # extra credits when the maker marks a critique helpful
    min_words: int = setting(40, low=0, high=2000)       # the quality floor: words in the notes ...
    min_timecodes: int = setting(1, low=0, high=100)     # ... and timecodes like 1:23
    max_notes: int = setting(4000, low=100, high=20000)  # characters
