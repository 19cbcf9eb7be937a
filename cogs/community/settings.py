from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommunitySettings:
    """[community] in the config."""

    link_code_minutes: int = 10
    link_codes_per_hour: int = 5
    link_failures_per_hour: int = 5
