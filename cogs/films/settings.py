from __future__ import annotations

from dataclasses import dataclass

from bot.settings import setting

DEFAULT_GENRES = ("documentary", "fiction", "animation", "experimental", "music video", "micro-series")


@dataclass(frozen=True)
class FilmSettings:
    """[films] in the config."""

    genres: tuple[str, ...] = setting(DEFAULT_GENRES, nonempty=True)
    page_size: int = setting(10, low=1, high=100)
    search_results: int = setting(10, low=1, high=50)
