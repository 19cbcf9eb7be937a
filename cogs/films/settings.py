from __future__ import annotations

from dataclasses import dataclass

DEFAULT_GENRES = ("documentary", "fiction", "animation", "experimental", "music video", "micro-series")


@dataclass(frozen=True)
class FilmSettings:
    """[films] in the config."""

    genres: tuple[str, ...] = DEFAULT_GENRES
    page_size: int = 10
    search_results: int = 10
    previews: bool = True                # fetch each shared film's picture from its site (oEmbed, OpenGraph)
    preview_timeout: float = 4.0         # seconds a fetch may take in all
    preview_max_bytes: int = 512_000     # read at most this much of a page or an oEmbed answer
    preview_private_hosts: bool = False  # also fetch from private and loopback addresses
