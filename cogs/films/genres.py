"""Genres by any of their names: the configured name, its translation in each catalog (`纪录片`), the
aliases the catalogs list (`剧情片`, `MV`) and the names the config adds (`[films] genre_names`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.errors import UserError
from bot.i18n import LANGUAGES, Catalog, Translator
from cogs.films.settings import DEFAULT_GENRES

_SEPARATORS = re.compile(r"[\s\-_·・]+")


def _key(name: str) -> str:
    """`Micro-series`, `micro series` and `microseries` are one name; full-width letters are plain."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


def genre_label(t: Translator, genre: str) -> str:
    """A stored genre in the reader's language (a genre with no translation shows as configured)."""
    key = f"films.genre.{genre}"
    return t.s(key) if t.catalog.has(t.lang, key) else genre


class Genres:
    def __init__(self, genres: tuple[str, ...], extra: Mapping[str, tuple[str, ...]]) -> None:
        self.genres = genres
        self.extra = extra
        self.names: dict[str, str] = {_key(genre): genre for genre in genres}

    def learn(self, catalog: Catalog) -> None:
        """Take in every name the catalogs give each genre (once the cog's catalogs are loaded)."""
        for genre in self.genres:
            for name in self._names_of(genre, catalog, self.extra.get(genre, ())):
                self.names.setdefault(_key(name), genre)

    @staticmethod
    def _names_of(genre: str, catalog: Catalog, extra: tuple[str, ...]) -> list[str]:
        names = [genre, *extra]
        for lang in LANGUAGES:
            if catalog.has(lang, f"films.genre.{genre}"):
                names.append(catalog.template(lang, f"films.genre.{genre}"))
            if catalog.has(lang, f"films.genre_aliases.{genre}"):
                names += re.split(r"[,，、]", catalog.template(lang, f"films.genre_aliases.{genre}"))
        return [name for name in names if name.strip()]

    def find(self, typed: str) -> str | None:
        """The configured genre `typed` names, or None."""
        return self.names.get(_key(typed)) if typed.strip() else None

    def check(self, typed: str, t: Translator) -> str:
        found = self.find(typed)
        if found is None:
            raise UserError("films.errors.genre", genre=typed,
                            genres=t.s("films.genre_separator").join(genre_label(t, g) for g in self.genres))
        return found

    def complete(self, prefix: str) -> list[str]:
        wanted = _key(prefix)
        return [genre for genre in self.genres
                if any(wanted in name for name, owner in self.names.items() if owner == genre)]


class GenresByCommunity:
    """Each community's genres: the config's, or those its admins set (`/setup rule genres`)."""

    def __init__(self, configured: Genres, rules: Callable[[int], Awaitable[Any]]) -> None:
        self.configured = configured
        self._rules = rules
        self._catalog: Catalog | None = None
        self._chosen: dict[tuple[str, ...], Genres] = {}
        # Every genre the bot has a name for, so an admin may type 纪录片 for documentary.
        self.known = Genres(tuple(dict.fromkeys((*configured.genres, *DEFAULT_GENRES))), configured.extra)

    def learn(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.configured.learn(catalog)
        self.known.learn(catalog)

    async def of(self, community_id: int) -> Genres:
        wanted: tuple[str, ...] = (await self._rules(community_id)).genres
        if wanted == self.configured.genres:
            return self.configured
        found = self._chosen.get(wanted)
        if found is None:
            found = self._chosen[wanted] = Genres(wanted, self.configured.extra)
            if self._catalog is not None:
                found.learn(self._catalog)
        return found

    def tidy(self, typed: tuple[str, ...]) -> tuple[str, ...]:
        """Genres an admin typed, each as the bot names it where it knows the genre, each once."""
        return tuple(dict.fromkeys(self.known.find(name) or name.strip().casefold() for name in typed))
