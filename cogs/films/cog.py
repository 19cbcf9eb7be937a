"""Films: share, show, list, search, profile, edit and delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.cog import Cog, button, command, completer
from bot.commands import Option, parse_id
from bot.context import Context
from bot.errors import UserError
from bot.i18n import Translator
from bot.links import lookalike_warning
from bot.models import Button, ButtonStyle, CardField, Community, Message, Text
from bot.storage import Tx
from cogs.films import logic
from cogs.films.api import FILMS, CardExtra, Consequences, FilmKeeper, ProfileExtra, Withdraw
from cogs.films.cards import film_card, film_line
from cogs.films.repository import Film, FilmRepository
from cogs.films.settings import FilmSettings

HERE = Path(__file__).parent
EDITABLE = ("title", "link", "runtime", "genre", "tags", "logline")


class FilmsCog(Cog):
    name = "films"
    settings_type = FilmSettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    settings: FilmSettings

    async def cog_load(self) -> None:
        self.repo = FilmRepository(self.app.db)
        # Other cogs add lines to film cards (feedback summary) and profiles (credits, streaks).
        self.card_extras: list[tuple[str, CardExtra]] = []
        self.profile_extras: list[tuple[str, ProfileExtra]] = []
        self.keepers: list[tuple[str, FilmKeeper]] = []
        self.in_play: list[tuple[str, Consequences, Withdraw]] = []
        self.app.services.provide(FILMS, self, self.name)

    # -- what other cogs use (FilmsApi) -----------------------------------------------------------------------

    async def find(self, community_id: int, film_id: int) -> Film | None:
        return await self.repo.get(film_id, community_id)

    async def find_by_link(self, community_id: int, link: str) -> Film | None:
        return await self.repo.by_link(community_id, logic.normalize_link(link))

    async def add_film(self, tx: Tx, community_id: int, person_id: int, *, title: str, link: str,
                       runtime_seconds: int | None = None) -> int:
        return await self.repo.add(tx, community_id=community_id, person_id=person_id, title=title,
                                   link=logic.normalize_link(link), runtime_seconds=runtime_seconds, genre=None,
                                   tags=(), logline="", now=self.app.clock.now())

    async def set_runtime(self, tx: Tx, film_id: int, seconds: int) -> None:
        await self.repo.update(tx, film_id, {"runtime_seconds": seconds}, self.app.clock.now())

    def add_card_extra(self, owner: str, provider: CardExtra) -> None:
        self.card_extras.append((owner, provider))

    def add_profile_extra(self, owner: str, provider: ProfileExtra) -> None:
        self.profile_extras.append((owner, provider))

    def add_keeper(self, owner: str, keeper: FilmKeeper) -> None:
        self.keepers.append((owner, keeper))

    def add_in_play(self, owner: str, consequences: Consequences, withdraw: Withdraw) -> None:
        self.in_play.append((owner, consequences, withdraw))

    def remove_extras(self, owner: str) -> None:
        self.card_extras = [item for item in self.card_extras if item[0] != owner]
        self.profile_extras = [item for item in self.profile_extras if item[0] != owner]
        self.keepers = [item for item in self.keepers if item[0] != owner]
        self.in_play = [item for item in self.in_play if item[0] != owner]

    # -- sharing -----------------------------------------------------------------------------------------------

    @command("share", Option("link", required=True, positional=True),
             Option("title", required=True, positional=True, greedy=True),
             Option("runtime"), Option("genre", autocomplete="genres"), Option("tags"), Option("logline"))
    async def share(self, ctx: Context, link: str, title: str, runtime: str | None, genre: str | None,
                    tags: str | None, logline: str | None) -> None:
        film = await self.create_film(ctx, link, title, runtime=runtime, genre=genre, tags=tags, logline=logline)
        shared = ctx.t("films.shared", id=film.id, title=film.title)
        await ctx.reply(ctx.t.join([shared, *lookalike_warning(ctx.t, film.link)]))

    async def create_film(self, ctx: Context, link: str, title: str, *, runtime: str | None = None,
                          genre: str | None = None, tags: str | None = None, logline: str | None = None) -> Film:
        """Validate, store and announce a film (also used by other cogs, e.g. a challenge entry by link)."""
        fields = self._validated(link=link, title=title, runtime=runtime, genre=genre, tags=tags, logline=logline)
        async with self.app.db.transaction() as tx:
            existing = await self.repo.by_link(ctx.community.id, fields["link"], tx)
            if existing is not None:
                raise UserError("films.errors.duplicate", id=existing.id, title=existing.title,
                                maker=existing.maker)
            film_id = await self.repo.add(tx, community_id=ctx.community.id, person_id=ctx.person.id,
                                          title=fields["title"], link=fields["link"],
                                          runtime_seconds=fields.get("runtime_seconds"), genre=fields.get("genre"),
                                          tags=fields.get("tags", ()), logline=fields.get("logline", ""),
                                          now=self.app.clock.now())
            film = Film(film_id, ctx.community.id, ctx.person.id, ctx.person.display_name, fields["title"],
                        fields["link"], fields.get("runtime_seconds"), fields.get("genre"), fields.get("tags", ()),
                        fields.get("logline", ""), self.app.clock.now())
            await self.announce_film(tx, ctx.community, film)
        return film

    async def announce_film(self, tx: Tx, community: Community, film: Film) -> None:
        t = self.app.translator(community.language)
        message = Message(t("films.announce", maker=film.maker), card=film_card(film, t))
        await self.app.outbox.announce(tx, community, "showcase", message, key=f"films.shared:{film.id}",
                                       tag=f"films.film:{film.id}")

    def _validated(self, **raw: str | None) -> dict[str, Any]:
        """Check every given field before anything is written; raises UserError for the first problem."""
        out: dict[str, Any] = {}
        if raw.get("link") is not None:
            out["link"] = logic.normalize_link(str(raw["link"]))
        if raw.get("title") is not None:
            out["title"] = logic.check_title(str(raw["title"]))
        if raw.get("runtime") is not None:
            out["runtime_seconds"] = logic.parse_runtime(str(raw["runtime"]))
        if raw.get("genre") is not None:
            out["genre"] = logic.check_genre(str(raw["genre"]), self.settings.genres)
        if raw.get("tags") is not None:
            out["tags"] = logic.parse_tags(str(raw["tags"]))
        if raw.get("logline") is not None:
            out["logline"] = logic.check_logline(str(raw["logline"]))
        return out

    # -- looking ----------------------------------------------------------------------------------------------

    async def film_or_fail(self, ctx: Context, film_id: int) -> Film:
        film = await self.repo.get(film_id, ctx.community.id)
        if film is None:
            raise UserError("films.errors.not_found", id=film_id)
        return film

    @command("film", Option("id", int, required=True, positional=True, autocomplete="films", min_value=1))
    async def film(self, ctx: Context, id: int) -> None:
        film = await self.film_or_fail(ctx, id)
        extra: list[CardField] = []
        for _, provider in self.card_extras:
            extra.extend(await provider(film, ctx.t))
        await ctx.reply(Message(card=film_card(film, ctx.t, tuple(extra))), tag=f"films.film:{film.id}")

    @command("films", Option("genre", autocomplete="genres"), Option("tag"), Option("maker"),
             Option("page", int, min_value=1, max_value=100000))
    async def films(self, ctx: Context, genre: str | None, tag: str | None, maker: str | None,
                    page: int | None) -> None:
        person_id = None
        if maker:
            person = await ctx.find_person(maker)
            if person is None:
                raise UserError("films.errors.no_person", name=maker)
            person_id = person.id
        if genre:
            genre = logic.check_genre(genre, self.settings.genres)
        size = self.settings.page_size
        page = page or 1
        # One row past the page tells whether there is a next page, without counting the catalogue.
        found = await self.repo.newest(ctx.community.id, genre=genre, tag=tag, person_id=person_id,
                                       limit=size + 1, offset=(page - 1) * size)
        if not found:
            await ctx.reply(ctx.t("films.list.empty" if page == 1 else "films.list.past_end"))
            return
        lines = [ctx.t("films.list.header", page=page)]
        lines += [film_line(film, ctx.t) for film in found[:size]]
        if len(found) > size:
            lines.append(ctx.t("films.list.more", next=page + 1))
        await ctx.reply(ctx.t.join(lines))

    @command("search", Option("words", required=True, positional=True, greedy=True, max_length=200))
    async def search(self, ctx: Context, words: str) -> None:
        terms = logic.search_terms(words)
        if not terms:
            raise UserError("films.errors.search_empty")
        found = await self.repo.search(ctx.community.id, terms, self.settings.search_results)
        if not found:
            await ctx.reply(ctx.t("films.search.none", words=words))
            return
        lines = [ctx.t("films.search.header", words=words, count=len(found))]
        await ctx.reply(ctx.t.join(lines + [film_line(film, ctx.t) for film in found]))

    @command("profile", Option("user", positional=True))
    async def profile(self, ctx: Context, user: str | None) -> None:
        person = ctx.person
        if user:
            found = await ctx.find_person(user)
            if found is None:
                raise UserError("films.errors.no_person", name=user)
            person = found
        films = await self.repo.newest(ctx.community.id, person_id=person.id, limit=25)
        total = await self.repo.count(ctx.community.id, person.id)
        lines = [ctx.t("films.profile.header", name=person.display_name, count=total)]
        lines += [film_line(film, ctx.t) for film in films]
        if not films:
            lines.append(ctx.t("films.profile.none"))
        for _, provider in self.profile_extras:
            lines.extend(await provider(ctx.community.id, person.id, ctx.t))
        await ctx.reply(ctx.t.join(lines))

    # -- changing ---------------------------------------------------------------------------------------------

    @command("editfilm", Option("id", int, required=True, positional=True, autocomplete="films", min_value=1),
             Option("title"), Option("link"), Option("runtime"), Option("genre", autocomplete="genres"),
             Option("tags"), Option("logline"))
    async def editfilm(self, ctx: Context, id: int, **changes: str | None) -> None:
        film = await self._own_film(ctx, id)
        given = {key: value for key, value in changes.items() if value is not None}
        if not given:
            raise UserError("films.errors.nothing_to_edit", keys=", ".join(EDITABLE))
        fields = self._validated(**given)
        async with self.app.db.transaction() as tx:
            if "link" in fields:
                other = await self.repo.by_link(ctx.community.id, fields["link"], tx)
                if other is not None and other.id != film.id:
                    raise UserError("films.errors.duplicate", id=other.id, title=other.title, maker=other.maker)
            await self.repo.update(tx, film.id, fields, self.app.clock.now())
        edited = ctx.t("films.edited", id=film.id, keys=", ".join(given))
        await ctx.reply(ctx.t.join([edited, *lookalike_warning(ctx.t, fields.get("link", ""))]))

    @command("deletefilm", Option("id", int, required=True, positional=True, autocomplete="films", min_value=1),
             Option("confirm", bool))
    async def deletefilm(self, ctx: Context, id: int, confirm: bool | None) -> None:
        film = await self._own_film(ctx, id)
        effects = [line for _, consequences, _ in self.in_play for line in await consequences(film, ctx.t)]
        if effects and not confirm:  # entered in a running challenge, or waiting for critiques: ask first
            buttons = (Button(ctx.t.s("films.delete.button"), "films.delete", str(film.id), ButtonStyle.DANGER),
                       Button(ctx.t.s("films.delete.keep_button"), "films.keep", ""))
            await ctx.reply(Message(ctx.t.join([ctx.t("films.delete.in_play", id=film.id, title=film.title),
                                                *effects, ctx.t("films.delete.confirm_hint", id=film.id)]),
                                    buttons=buttons))
            return
        await self._delete(ctx, film)

    @button("films.delete")
    async def press_delete(self, ctx: Context, arg: str) -> None:
        film_id = parse_id(arg)
        if film_id is None:
            raise UserError("errors.stale_button")
        await self._delete(ctx, await self._own_film(ctx, film_id))

    @button("films.keep")
    async def press_keep(self, ctx: Context, arg: str) -> None:
        await ctx.reply_private(ctx.t("films.delete.kept"))

    async def _delete(self, ctx: Context, film: Film) -> None:
        async with self.app.db.transaction() as tx:
            for _, _, withdraw in self.in_play:
                await withdraw(tx, film)
            await self.repo.delete(tx, film.id)
        await ctx.reply(ctx.t("films.deleted", id=film.id, title=film.title))

    async def _own_film(self, ctx: Context, film_id: int) -> Film:
        film = await self.film_or_fail(ctx, film_id)
        if film.person_id != ctx.person.id and not ctx.is_admin:
            raise UserError("films.errors.not_yours", id=film.id, maker=film.maker)
        return film

    # -- completion and export --------------------------------------------------------------------------------

    @completer("films")
    async def complete_films(self, community_id: int, prefix: str) -> list[tuple[str, str]]:
        films = await self.repo.titles_like(community_id, prefix)
        return [(f"#{film.id} {film.title}"[:100], str(film.id)) for film in films]

    @completer("genres")
    async def complete_genres(self, community_id: int, prefix: str) -> list[tuple[str, str]]:
        return [(genre, genre) for genre in self.settings.genres if prefix.lower() in genre][:25]

    async def person_has_data(self, person_id: int) -> bool:
        return await self.repo.has_person(person_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        await self.repo.move_person(tx, source_id, target_id)

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        """Their films go, but for those other cogs keep (a closed challenge's results): those stay, under
        the forgotten person's anonymous row, so the results others earned read as they were announced."""
        films = await self.repo.of_person(tx, person_id)
        kept: set[int] = set()
        for _, keeper in self.keepers:
            kept |= await keeper(tx, [film.id for film in films])
        await self.repo.delete_many(tx, [film.id for film in films if film.id not in kept])
        lines = []
        if len(films) > len(kept):
            lines.append(t("films.forget.deleted", count=len(films) - len(kept)))
        if kept:
            titles = ", ".join(f"#{film.id} {film.title}" for film in films if film.id in kept)
            lines.append(t("films.forget.kept", count=len(kept), titles=titles))
        return lines

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        return {"films": await self.repo.export(community_id)}

    async def import_data(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        await self.repo.import_films(tx, community_id, data.get("films", []))
