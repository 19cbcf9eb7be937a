from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_GENRES = ("documentary", "fiction", "animation", "experimental", "music video", "micro-series")


@dataclass(frozen=True)
class FilmSettings:
    """[films] in the config."""

    genres: tuple[str, ...] = DEFAULT_GENRES
    # More names members may type for a genre, beyond its translations in the catalogs: {horror = ["恐怖片"]}.
    genre_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page_size: int = 10
    search_results: int = 10
    # Short links (b23.tv, v.douyin.com, ...) are followed to learn their video; off: kept as typed, unchecked.
    resolve_short_links: bool = True
    short_link_timeout: float = 3.0  # seconds for the whole look, every redirect included
    short_link_max_bytes: int = 65536  # the most of a page read while looking for the address it names
