from __future__ import annotations

from dataclasses import dataclass

DEFAULT_GENRES = ("documentary", "fiction", "animation", "experimental", "music video", "micro-series")


@dataclass(frozen=True)
class FilmSettings:
    """[films] in the config."""

    genres: tuple[str, ...] = DEFAULT_GENRES
    page_size: int = 10
    search_results: int = 10
