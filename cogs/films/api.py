"""What the films cog offers other cogs (challenges, festivals, feedback): look films up, create one
from a link, change its runtime, and add lines to film cards and profiles. Ask `app.service(FILMS)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.context import Context
from bot.i18n import Translator
from bot.models import CardField, Text
from bot.services import ServiceKey
from bot.storage import Tx
from cogs.films.logic import format_runtime, normalize_link, parse_runtime
from cogs.films.repository import Film

CardExtra = Callable[[Film, Translator], Awaitable[list[CardField]]]
ProfileExtra = Callable[[int, int, Translator], Awaitable[list[Text]]]
# Of these films (of a person being forgotten), the ids that must stay because others rely on them.
FilmKeeper = Callable[[Tx, Sequence[int]], Awaitable[set[int]]]
# What deleting a film does in another cog ([] when it is not in play there), and that cog's part of the
# deletion, run in the deleting transaction just before the film's row goes.
Consequences = Callable[[Film, Translator], Awaitable[list[Text]]]
Withdraw = Callable[[Tx, Film], Awaitable[None]]
__all__ = ["FILMS", "CardExtra", "Consequences", "Film", "FilmKeeper", "FilmsApi", "ProfileExtra", "Withdraw",
           "format_runtime", "normalize_link", "parse_runtime"]


class FilmsApi(Protocol):
    async def find(self, community_id: int, film_id: int) -> Film | None:
        """A film of this community, or None."""
        ...

    async def find_by_link(self, community_id: int, link: str) -> Film | None:
        """The film of the video this link names, whatever its form (a short link is followed), or None."""
        ...

    async def film_or_fail(self, ctx: Context, film_id: int) -> Film:
        """A film of the speaker's community, or the friendly "no film #N" error."""
        ...

    async def create_film(self, ctx: Context, link: str, title: str, *, runtime: str | None = None,
                          genre: str | None = None, tags: str | None = None, logline: str | None = None) -> Film:
        """Validate, store and announce a film by the speaker (raises UserError on a bad field)."""
        ...

    async def add_film(self, tx: Tx, community_id: int, person_id: int, *, title: str, link: str,
                       runtime_seconds: int | None = None) -> int:
        """Store a film made elsewhere (a set-up in code), inside the caller's transaction; no announcement."""
        ...

    async def picture(self, film: Film) -> bytes | None:
        """The film's picture (its stored thumbnail address), downloaded now within the previews' limits:
        `[films] preview_timeout`, `preview_max_bytes`, public addresses only unless `preview_private_hosts`.
        None, with nothing fetched, when previews are off or the film has no picture; None too when the
        answer is slow, too big, refused or gone. The bytes are as served: decoding them is the caller's."""
        ...

    async def set_runtime(self, tx: Tx, film_id: int, seconds: int) -> None:
        """Change a film's runtime inside the caller's transaction (a challenge entry that gives one)."""
        ...

    def add_card_extra(self, owner: str, provider: CardExtra) -> None:
        """Lines another cog adds to every film card (/film); dropped with remove_extras(owner)."""
        ...

    def add_profile_extra(self, owner: str, provider: ProfileExtra) -> None: ...

    def add_keeper(self, owner: str, keeper: FilmKeeper) -> None:
        """Asked when a person is forgotten: which of their films stay (anonymised) for others' sake."""
        ...

    def add_in_play(self, owner: str, consequences: Consequences, withdraw: Withdraw) -> None:
        """Deleting a film in play in another cog asks for confirmation with `consequences`, then runs
        `withdraw` in the deleting transaction."""
        ...

    def remove_extras(self, owner: str) -> None:
        """Drop everything `owner` added (card and profile lines, keepers, in-play hooks)."""
        ...


FILMS: ServiceKey[FilmsApi] = ServiceKey("films")
