from __future__ import annotations

from dataclasses import dataclass, fields

from bot.config import ConfigError


@dataclass(frozen=True)
class FeedbackSettings:
    """[feedback] in the config."""

    critiques_per_request: int = 3   # a film leaves the queue when it has this many critiques
    request_cost: int = 2            # credits a request costs
    first_request_free: bool = True  # a maker's first request in a community costs nothing
    critique_reward: int = 1         # credits a critique that meets the floor earns (once per notes text)
    thanks_bonus: int = 1            # extra credits when the maker marks a critique helpful
    min_words: int = 40              # the quality floor: words in the notes ...
    min_timecodes: int = 1           # ... and timecodes like 1:23
    max_notes: int = 4000            # characters

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"feedback.{item.name} = {value} must not be negative")
        if self.critiques_per_request < 1:
            raise ConfigError("feedback.critiques_per_request must be at least 1")
        if self.max_notes < 100:
            raise ConfigError("feedback.max_notes must be at least 100 characters")
