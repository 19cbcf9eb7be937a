"""/search: films by any word or run of characters of their title, logline or tags, by maker or genre,
ranked and paged (see cogs/films/search.py for how Chinese is read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from cogs.films.cards import film_line
from cogs.films.genres import GenresByCommunity
from cogs.films.repository import EVERY_COLUMN, FilmRepository
from cogs.films.search import SearchQuery, Tier, parse_query, ranked

if TYPE_CHECKING:
    from bot.app import App

MAX_PAGE = 50


class SearchRoom(Room):
    def __init__(self, app: App, repo: FilmRepository, genres: GenresByCommunity, page_size: int) -> None:
        self.app = app
        self.repo = repo
        self.genres = genres
        self.page_size = page_size

    @command("search", Option("words", required=True, positional=True, greedy=True, max_length=200),
             Option("page", int, min_value=1, max_value=MAX_PAGE))
    async def search(self, ctx: Context, words: str, page: int | None) -> None:
        query = parse_query(words)
        if query is None:
            raise UserError("films.errors.search_empty")
        page = page or 1
        size = self.page_size
        maker = await ctx.find_person(query.text)
        # One film past the page tells whether there is a next one.
        ids = await self.find(ctx.community.id, query, maker.id if maker else None, page * size + 1)
        shown = await self.repo.many(ids[(page - 1) * size : page * size])
        if not shown:
            await ctx.reply(ctx.t("films.search.none" if page == 1 else "films.search.past_end", words=query.text))
            return
        lines = [ctx.t("films.search.header", words=query.text, page=page)]
        lines += [film_line(film, ctx.t) for film in shown]
        if len(ids) > page * size:
            lines.append(ctx.t("films.search.more", words=query.text, next=page + 1))
        await ctx.reply(ctx.t.join(lines))

    async def find(self, community: int, query: SearchQuery, maker: int | None, wanted: int) -> list[int]:
        """Up to `wanted` film ids, best first (the tiers: see cogs/films/search.py)."""

        def words(columns: tuple[str, ...], every: bool) -> Tier:
            return Tier(lambda limit: self.repo.matching(community, columns, query.terms, every, limit))

        anywhere = words(EVERY_COLUMN, True)
        tiers = [Tier(words(("title",), True).lookup, anywhere),
                 Tier(words(("title", "tags"), True).lookup, anywhere), anywhere]
        if maker is not None:
            tiers.append(Tier(lambda limit: self.repo.newest_ids(community, person_id=maker, limit=limit)))
        genre = (await self.genres.of(community)).find(query.text)
        if genre is not None:
            tiers.append(Tier(lambda limit: self.repo.newest_ids(community, genre=genre, limit=limit)))
        if len(query.terms) > 1:
            some = words(EVERY_COLUMN, False)
            tiers += [Tier(words(("title",), False).lookup, some), some]
        return await ranked(tiers, wanted)
