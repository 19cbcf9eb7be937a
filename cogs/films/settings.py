from __future__ import annotations

from dataclasses import dataclass, field

from bot.settings import setting

DEFAULT_GENRES = ("documentary", "fiction", "animation", "experimental", "music video", "micro-series")


@dataclass(frozen=True)
class FilmSettings:
    """[films] in the config."""

    genres: tuple[str, ...] = setting(DEFAULT_GENRES, nonempty=True)
    # More names members may type for a genre, beyond its translations in the catalogs: {horror = ["恐怖片"]}.
    genre_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page_size: int = setting(10, low=1, high=100)
    search_results: int = setting(10, low=1, high=50)
    # Short links (b23.tv, v.douyin.com, ...) are followed to learn their video; off: kept as typed, unchecked.
    resolve_short_links: bool = True
    short_link_timeout: float = setting(3.0, low=0.1, high=30)  # seconds for the whole look, redirects included
    short_link_max_bytes: int = setting(65536, low=1024, high=1048576)  # the most of a page read for the address
