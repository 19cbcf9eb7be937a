"""The gallery: a large round's entries browsed by pages instead of posted one card each.

`/entries [category=] [page=]` shows a page privately; the gallery post in the channel (one per
category) has the same page buttons, which open a private page; `/watch` hands out the entry this person
has not seen that the fewest have, so the last entry of two thousand is watched as often as the first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Room, button, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Community, Message
from bot.storage import Tx
from cogs.challenges import logic
from cogs.challenges.gallery import views
from cogs.challenges.gallery.repository import GalleryRepository
from cogs.challenges.gallery.views import PAGE_ACTION, WATCH_ACTION, Place
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.targets import challenge_in, latest_challenge

if TYPE_CHECKING:
    from bot.app import App

BROWSABLE = ("voting", "open")


class GalleryRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, repo: ChallengeRepository) -> None:
        self.app = app
        self.settings = settings
        self.repo = repo
        self.gallery = GalleryRepository(app.db)

    async def post(self, tx: Tx, challenge: Challenge, community: Community) -> None:
        """The shared gallery posts, first page each: one per category, or one for a round without."""
        t = self.app.translator(community.language)
        for index in range(1, len(challenge.categories) + 1) if challenge.categories else (0,):
            place = Place(challenge.id, index, 1, shared=True)
            category = views.category_name(challenge, index) or None
            entries = await self.gallery.page(challenge.id, category, 0, self.settings.page_size, tx)
            total = await self.gallery.count(challenge.id, category, tx)
            await self.app.outbox.announce(tx, community, "challenges",
                                           views.page(challenge, place, entries, total, self.settings.page_size, t),
                                           key=f"challenges:{challenge.id}:gallery:{index}")

    @command("entries", Option("category"), Option("page", int, min_value=1, max_value=100_000),
             Option("challenge", int, min_value=1))
    async def entries(self, ctx: Context, category: str | None, page: int | None, challenge: int | None) -> None:
        found = await self._challenge(ctx, challenge)
        index = self._category_index(found, category)
        await ctx.reply_private(await self._page(ctx, found, Place(found.id, index, page or 1)))

    @button(PAGE_ACTION)
    async def turn(self, ctx: Context, arg: str) -> None:
        place = Place.parse(arg)
        found = await self.repo.get(place.challenge_id) if place else None
        if place is None or found is None or found.community_id != ctx.community.id:
            raise UserError("errors.stale_button")
        shown = await self._page(ctx, found, place)
        # A page turned from the shared post opens the reader's own; their own turns in place.
        await (ctx.reply_private(shown) if place.shared else ctx.update(shown))

    @command("watch", Option("category"), Option("challenge", int, min_value=1))
    async def watch(self, ctx: Context, category: str | None, challenge: int | None) -> None:
        found = await self._challenge(ctx, challenge)
        await self._hand_out(ctx, found, Place(found.id, self._category_index(found, category)), fresh=True)

    @button(WATCH_ACTION)
    async def watch_next(self, ctx: Context, arg: str) -> None:
        place = Place.parse(arg)
        found = await self.repo.get(place.challenge_id) if place else None
        if place is None or found is None or found.community_id != ctx.community.id:
            raise UserError("errors.stale_button")
        await self._hand_out(ctx, found, place, fresh=place.shared)

    async def _hand_out(self, ctx: Context, challenge: Challenge, place: Place, *, fresh: bool) -> None:
        """The entry of the place this person has not seen that the fewest have; counted as seen."""
        category = views.category_name(challenge, place.category) or None
        entry = await self.gallery.next_unseen(challenge.id, ctx.person.id, category)
        if entry is None:
            raise UserError("challenges.errors.all_watched", id=challenge.id)
        async with self.app.db.transaction() as tx:
            await self.gallery.seen(tx, entry.id, ctx.person.id, self.app.clock.now())
        shown = views.watched(challenge, place, entry, ctx.t)
        await (ctx.reply_private(shown) if fresh else ctx.update(shown))

    async def _page(self, ctx: Context, challenge: Challenge, place: Place) -> Message:
        size = self.settings.page_size
        category = views.category_name(challenge, place.category) or None
        total = await self.gallery.count(challenge.id, category)
        pages = max((total + size - 1) // size, 1)
        if place.page > pages:
            raise UserError("challenges.errors.no_page", page=place.page, pages=pages)
        entries = await self.gallery.page(challenge.id, category, (place.page - 1) * size, size)
        return views.page(challenge, place.to(place.page, shared=False), entries, total, size, ctx.t)

    async def _challenge(self, ctx: Context, challenge_id: int | None) -> Challenge:
        if challenge_id:
            return await challenge_in(self.repo, ctx.community, challenge_id)
        return await latest_challenge(self.repo, ctx.community, BROWSABLE)

    @staticmethod
    def _category_index(challenge: Challenge, category: str | None) -> int:
        if not category:
            return 0
        return challenge.categories.index(logic.check_category(category, challenge.categories)) + 1

