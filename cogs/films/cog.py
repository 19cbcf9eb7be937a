"""Films: share, show, list, profile, edit and delete (search: finding.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bot.cog import Cog, button, command, completer
from bot.commands import Option, parse_id
from bot.config import ConfigError
from bot.context import Context
from bot.errors import UserError
from bot.i18n import Translator
from bot.links import lookalike_warning
from bot.models import Account, Button, ButtonStyle, CardField, Community, Message, Text
from bot.models import Link as TextLink
from bot.platform import DeliveryError
from bot.storage import Tx
from cogs.films import logic
from cogs.films.api import FILMS, CardExtra, Consequences, FilmKeeper, ProfileExtra, Withdraw
from cogs.films.cards import film_card, film_line
from cogs.films.discussion import DiscussionRoom
from cogs.films.discussion.repository import ReplyRepository
from cogs.films.finding import SearchRoom
from cogs.films.genres import Genres, GenresByCommunity
from cogs.films.links import Link, link_and_rest, parse_link, read_link
from cogs.films.links.resolve import ShortLinks
from cogs.films.previews import PreviewFetcher, Previews
from cogs.films.repository import Film, FilmRepository
from cogs.films.search import index_text
from cogs.films.settings import FilmSettings

if TYPE_CHECKING:
    from bot.app import App

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
CARD_WAIT = 30.0  # seconds a fetched picture waits for its card's delivery before editing what is posted
EDITABLE = ("title", "link", "runtime", "genre", "tags", "logline")


def _identity_of(link: str) -> tuple[str, str]:
    """A stored link's (site, video id), as the migration that introduced them computes it."""
    try:
        identity = parse_link(link).identity
    except UserError:
        return "web", link
    return identity.site, identity.video


class FilmsCog(Cog):
    name = "films"
    settings_type = FilmSettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    sql_functions = MappingProxyType({"film_grams": index_text, "film_site": lambda link: _identity_of(link)[0],
                                      "film_video": lambda link: _identity_of(link)[1]})
    settings: FilmSettings
    community_rules = ("genres",)

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.repo = FilmRepository(app.db)
        self.genres = GenresByCommunity(Genres(self.settings.genres, self.settings.genre_names), self.rules)
        self.replies = ReplyRepository(app.db)
        self.discussion = DiscussionRoom(app, self.repo, self.replies)
        self.rooms = [SearchRoom(app, self.repo, self.genres, self.settings.search_results), self.discussion]
        self.short_links: ShortLinks | None = None
        self.previews: Previews | None = None
        # Other cogs add lines to film cards (feedback summary) and profiles (credits, streaks).
        self.card_extras: list[tuple[str, CardExtra]] = []
        self.profile_extras: list[tuple[str, ProfileExtra]] = []
        self.keepers: list[tuple[str, FilmKeeper]] = []
        self.in_play: list[tuple[str, Consequences, Withdraw]] = []

    async def cog_load(self) -> None:
        settings = self.settings
        unknown = sorted(set(settings.genre_names) - set(settings.genres))
        if unknown:
            raise ConfigError(f"films.genre_names names {unknown[0]!r}, which is not one of films.genres")
        self.genres.learn(self.app.catalog)
        if settings.resolve_short_links:
            self.short_links = ShortLinks(timeout=settings.short_link_timeout,
                                          max_bytes=settings.short_link_max_bytes)
        self.app.services.provide(FILMS, self, self.name)
        self.previews = Previews(PreviewFetcher(self.settings), self._show_thumbnail)

    async def cog_unload(self) -> None:
        if self.previews is not None:  # None when cog_load stopped early (a config mistake)
            await self.previews.close()
        if self.short_links is not None:
            await self.short_links.close()

    # -- what other cogs use (FilmsApi) -----------------------------------------------------------------------

    async def find(self, community_id: int, film_id: int) -> Film | None:
        return await self.repo.get(film_id, community_id)

    async def find_by_link(self, community_id: int, link: str) -> Film | None:
        try:
            found = read_link(link)
        except UserError:
            return None
        settled, _ = await self.settle(found)
        return await self.repo.by_video(community_id, settled.identity.site, settled.identity.video)

    async def add_film(self, tx: Tx, community_id: int, person_id: int, *, title: str, link: str,
                       runtime_seconds: int | None = None) -> int:
        found = parse_link(link)
        return await self.repo.add(tx, community_id=community_id, person_id=person_id, title=title,
                                   link=found.url, site=found.identity.site, video_id=found.identity.video,
                                   runtime_seconds=runtime_seconds, genre=None, tags=(), logline="",
                                   now=self.app.clock.now())

    async def settle(self, link: Link) -> tuple[Link, bool]:
        """The link with its video known, and whether it could be checked: a short link is followed to the
        video it names; one that cannot be (no answer, not a video, looking is off) stays as typed."""
        if not link.is_short:
            return link, True
        resolved = await self.short_links.resolve(link) if self.short_links is not None else None
        return (resolved, True) if resolved is not None else (link, False)

    async def picture(self, film: Film) -> bytes | None:
        if self.previews is None or not self.settings.previews or not film.thumbnail:
            return None
        return await self.previews.fetcher.picture(film.thumbnail)

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
             Option("runtime"), Option("genre", autocomplete="genres"), Option("tags"), Option("logline"),
             quiet=True, form=("link", "title"))
    async def share(self, ctx: Context, link: str, title: str, runtime: str | None, genre: str | None,
                    tags: str | None, logline: str | None) -> None:
        """The card is the channel's one post; the maker alone gets the receipt, with a link to the card."""
        found, title = link_and_rest(link, title)  # the link may come inside a pasted line of text
        film = await self.create_film(ctx, found.url, title, runtime=runtime, genre=genre, tags=tags,
                                      logline=logline)
        url = await ctx.link_to(f"films.film:{film.id}")
        shared = ctx.t("films.shared", id=film.id, title=film.title) if url is None else ctx.t(
            "films.shared_link", id=film.id, title=film.title, card=TextLink(ctx.t.s("films.card_link"), url))
        await ctx.reply(ctx.t.join([shared, *lookalike_warning(ctx.t, film.link)]))

    async def create_film(self, ctx: Context, link: str, title: str, *, runtime: str | None = None,
                          genre: str | None = None, tags: str | None = None, logline: str | None = None) -> Film:
        """Validate, store and announce a film (also used by other cogs, e.g. a challenge entry by link)."""
        genres = await self.genres.of(ctx.community.id)
        fields = self._validated(ctx.t, genres, link=link, title=title, runtime=runtime, genre=genre, tags=tags,
                                 logline=logline)
        found, checked = await self.settle(fields.pop("link"))
        site, video = found.identity.site, found.identity.video
        now = self.app.clock.now()  # one instant: the stored row and the announced card agree
        async with self.app.db.transaction() as tx:
            await self._refuse_duplicate(tx, ctx.community.id, found, None)
            film_id = await self.repo.add(tx, community_id=ctx.community.id, person_id=ctx.person.id,
                                          title=fields["title"], link=found.url, site=site, video_id=video,
                                          runtime_seconds=fields.get("runtime_seconds"), genre=fields.get("genre"),
                                          tags=fields.get("tags", ()), logline=fields.get("logline", ""),
                                          now=now)
            film = Film(film_id, ctx.community.id, ctx.person.id, ctx.person.display_name, fields["title"],
                        found.url, fields.get("runtime_seconds"), fields.get("genre"), fields.get("tags", ()),
                        fields.get("logline", ""), now, site, video)
            await self.announce_film(tx, ctx.community, film)
        if not checked:
            await ctx.reply(ctx.t("films.unchecked", link=found.url))
        self._fetch_preview(film.id, film.link)
        return film

    async def _refuse_duplicate(self, tx: Tx, community_id: int, link: Link, film_id: int | None) -> None:
        other = await self.repo.by_video(community_id, link.identity.site, link.identity.video, tx)
        if other is not None and other.id != film_id:
            raise UserError("films.errors.duplicate", id=other.id, title=other.title, maker=other.maker)

    def _fetch_preview(self, film_id: int, link: str) -> None:
        """In the background, where a running platform shows pictures on cards (Discord)."""
        if self.previews is not None and self.settings.previews and any(
                p.shows_pictures for p in self.app.platforms.values()):
            self.previews.fetch(film_id, link)

    async def _show_thumbnail(self, film_id: int, link: str, thumbnail: str) -> None:
        """Keep a fetched picture and put it on the film's cards already posted."""
        if not await self.repo.set_thumbnail(film_id, link, thumbnail):
            return  # edited to another link meanwhile: that link's own fetch decides
        film = await self.repo.get(film_id)
        if film is None:
            return
        community = await self.app.directory.community(film.community_id)
        message = await self.card_message(film, self.app.translator(community.language))
        tag = f"films.film:{film.id}"
        await self._delivered(tag)  # a card still in the outbox would be posted without the picture
        for ref in await self.app.sent.refs_with_tag(tag):
            platform = self.app.platforms.get(ref.platform)
            if platform is None:
                continue
            try:
                await platform.edit(ref, message, zone=community.zone)
            except DeliveryError as exc:  # gone or not ours to edit: the picture is in /film
                log.info("films: could not add the picture to %s: %s", ref, exc)

    async def card_message(self, film: Film, t: Translator) -> Message:
        """The announcement: the card, with its Discuss button (it is posted in groups)."""
        card = film_card(film, t, discuss=True, maker_accounts=await self.maker_accounts(film))
        return Message(t("films.announce", maker=film.maker), card=card)

    async def maker_accounts(self, film: Film) -> tuple[Account, ...]:
        return tuple(await self.app.directory.accounts_of(film.person_id))

    async def announce_film(self, tx: Tx, community: Community, film: Film) -> None:
        message = await self.card_message(film, self.app.translator(community.language))
        await self.app.outbox.announce(tx, community, "showcase", message, key=f"films.shared:{film.id}",
                                       tag=f"films.film:{film.id}")

    async def _delivered(self, tag: str, wait: float = CARD_WAIT) -> None:
        """Wait (a while at most) until no message tagged `tag` is waiting in the outbox."""
        loop = asyncio.get_running_loop()
        until = loop.time() + wait
        for name in list(self.app.platforms):
            while await self.app.outbox.pending_with_tag(tag, name) and loop.time() < until:
                await asyncio.sleep(0.1)

    def _validated(self, t: Translator, genres: Genres, **raw: str | None) -> dict[str, Any]:
        """Check every given field before anything is written; raises UserError for the first problem."""
        out: dict[str, Any] = {}
        if raw.get("link") is not None:
            out["link"] = read_link(str(raw["link"]))
        if raw.get("title") is not None:
            out["title"] = logic.check_title(str(raw["title"]))
        if raw.get("runtime") is not None:
            out["runtime_seconds"] = logic.parse_runtime(str(raw["runtime"]))
        if raw.get("genre") is not None:
            out["genre"] = genres.check(str(raw["genre"]), t)
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
        extra.append(await self.discussion.card_field(film, ctx))
        card = film_card(film, ctx.t, tuple(extra), discuss=not ctx.chat.is_private,
                         maker_accounts=await self.maker_accounts(film))
        await ctx.reply(Message(card=card), tag=f"films.film:{film.id}")

    @command("films", Option("genre", autocomplete="genres"), Option("tag"), Option("maker", picker="user"),
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
            genre = (await self.genres.of(ctx.community.id)).check(genre, ctx.t)
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

    @command("profile", Option("user", positional=True, picker="user"), quiet=True)
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
             Option("tags"), Option("logline"), quiet=True)
    async def editfilm(self, ctx: Context, id: int, **changes: str | None) -> None:
        film = await self._own_film(ctx, id)
        given = {key: value for key, value in changes.items() if value is not None}
        if not given:
            raise UserError("films.errors.nothing_to_edit", keys=", ".join(EDITABLE))
        fields = self._validated(ctx.t, await self.genres.of(ctx.community.id), **given)
        checked = True
        if "link" in fields:
            found, checked = await self.settle(fields.pop("link"))
            fields.update(link=found.url, site=found.identity.site, video_id=found.identity.video)
        async with self.app.db.transaction() as tx:
            if "link" in fields:
                await self._refuse_duplicate(tx, ctx.community.id, found, film.id)
            await self.repo.update(tx, film.id, fields, self.app.clock.now())
        self._fetch_preview(film.id, fields.get("link", film.link))  # an edit refreshes the picture
        edited = ctx.t("films.edited", id=film.id, keys=", ".join(given))
        await ctx.reply(ctx.t.join([edited, *lookalike_warning(ctx.t, fields.get("link", ""))]))
        if not checked:
            await ctx.reply(ctx.t("films.unchecked", link=fields["link"]))

    @command("deletefilm", Option("id", int, required=True, positional=True, autocomplete="films", min_value=1),
             Option("confirm", bool), quiet=True)
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
        genres = await self.genres.of(community_id) if community_id else self.genres.configured
        return [(genre, genre) for genre in genres.complete(prefix)][:25]

    async def check_rule(self, community_id: int, name: str, value: Any) -> Any:
        return self.genres.tidy(value) if name == "genres" else value

    async def check_data(self) -> list[str]:
        keys = {community.id: community.key for community in await self.app.directory.communities()}
        lines = []
        for community_id, site, video, ids in await self.repo.same_videos():
            films = ", ".join(f"#{film_id}" for film_id in ids)
            lines.append(f"films: community {keys.get(community_id, community_id)}: films {films} are one "
                         f"video ({site}:{video}); keep one and delete the others with /deletefilm")
        return lines

    async def person_has_data(self, person_id: int) -> bool:
        return await self.repo.has_person(person_id) or await self.replies.has_person(person_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        await self.repo.move_person(tx, source_id, target_id)
        await self.replies.move_person(tx, source_id, target_id)

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        """Their films go, but for those other cogs keep (a closed challenge's results): those stay, under
        the forgotten person's anonymous row, so the results others earned read as they were announced."""
        replies = await self.replies.forget_person(tx, person_id)  # who replied goes; the text was never kept
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
        if replies:
            lines.append(t("films.forget.replies", count=replies))
        return lines

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        """Who replied where is for the full export only (it moves a community); the public one says how
        many replies each film has."""
        replies = await self.replies.export(community_id)
        films = await self.repo.export(community_id)
        by_film: dict[int, list[str]] = {}
        for reply in replies:  # in reply order: the last one is the latest
            by_film.setdefault(reply["film_id"], []).append(reply["replied_at"])
        for film in films:
            own = by_film.get(film["id"], [])
            film.update(replies=len(own), latest_reply_at=own[-1] if own else None)
        return {"films": films} if public else {"films": films, "film_replies": replies}

    async def import_data(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        # An export written before films were known by their video has no site and id: learn them from the link.
        films = [{**film, **dict(zip(("site", "video_id"), _identity_of(film["link"]), strict=True))}
                 if "video_id" not in film else film for film in data.get("films", [])]
        await self.repo.import_films(tx, community_id, films)
        await self.replies.import_replies(tx, data.get("film_replies", []))
