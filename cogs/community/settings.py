from __future__ import annotations

from dataclasses import dataclass

from bot.settings import setting


@dataclass(frozen=True)
class CommunitySettings:
    """[community] in the config."""

    link_code_minutes: int = setting(10, low=1, high=1440)
    link_codes_per_hour: int = setting(5, low=1, high=100)
    link_failures_per_hour: int = setting(5, low=1, high=100)
