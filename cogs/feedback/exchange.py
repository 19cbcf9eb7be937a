"""The exchange itself: request, credits, next, skip, give, thanks, show."""

from __future__ import annotations

from bot.cog import button, command
from bot.commands import Option, parse_id
from bot.context import Context
from bot.errors import UserError
from bot.models import Button, Message
from cogs.feedback import logic, messages
from cogs.feedback.base import FeedbackBase
from cogs.feedback.settings import FeedbackSettings
from cogs.films.cards import film_card
from cogs.films.logic import format_runtime
from cogs.films.repository import Film

# A film is named by its number (`3`, `#3`) or by its link, so scripts can point at films they shared.
FILM = Option("film", required=True, positional=True, autocomplete="films", max_length=500)
CRITIQUE = Option("critique", int, required=True, positional=True, min_value=1)
SCORES = tuple(Option(name, int, required=True, min_value=logic.LOW, max_value=logic.HIGH)
               for name in logic.DIMENSIONS)


class ExchangeCommands(FeedbackBase):

    # -- asking -------------------------------------------------------------------------------------------------

    @command("feedback request", FILM, quiet=True)
    async def request(self, ctx: Context, film: str) -> None:
        target = await self.film_from(ctx, film)
        if target.person_id != ctx.person.id:
            raise UserError("feedback.errors.not_your_film", id=target.id, maker=target.maker)
        settings, now = await self.rules(ctx.community.id), self.app.clock.now()
        community, person = ctx.community.id, ctx.person.id
        # Check and debit in one transaction: two requests at the same instant cannot spend the same credits.
        async with self.app.db.transaction() as tx:
            queued = await self.repo.open_request(target.id, tx)
            if queued is not None:
                raise UserError("feedback.errors.already_queued", id=target.id,
                                have=await self.repo.active_count(queued.id, tx), wanted=queued.wanted)
            free = settings.first_request_free and not await self.repo.has_requested(community, person, tx)
            cost = 0 if free else settings.request_cost
            request_id = await self.repo.add_request(tx, community, target.id, person,
                                                     settings.critiques_per_request, cost, now)
            if not await self.repo.spend(tx, community, person, cost, "request", request_id, now):
                balance = await self.repo.balance(community, person, tx)
                raise UserError("feedback.errors.not_enough", cost=cost, balance=balance,
                                missing=cost - balance)
            balance = await self.repo.balance(community, person, tx)
            wanted = settings.critiques_per_request
            notice = ctx.t.plural("feedback.request.announce", wanted, maker=ctx.person.display_name, id=target.id,
                                  title=target.title, wanted=wanted)
            await self.app.outbox.announce(tx, ctx.community, "feedback", Message(notice),
                                           key=f"feedback.request:{request_id}")
        key = "feedback.request.queued_free" if free else "feedback.request.queued"
        await ctx.reply(ctx.t.plural(key, wanted, id=target.id, title=target.title, wanted=wanted, cost=cost,
                                     balance=balance))

    @command("feedback credits", quiet=True)
    async def credits(self, ctx: Context) -> None:
        community, person = ctx.community.id, ctx.person.id
        balance = await self.repo.balance(community, person)
        history = await self.repo.ledger(community, person)
        rules = await self.rules(community)
        free = rules.first_request_free and not await self.repo.has_requested(community, person)
        lines = [ctx.t("feedback.credits.balance", balance=balance),
                 ctx.t("feedback.credits.free" if free else "feedback.credits.cost", cost=rules.request_cost,
                       reward=rules.critique_reward)]
        for amount, reason, ref in history:
            lines.append(ctx.t(f"feedback.credits.line_{reason}", amount=f"{amount:+d}", ref=ref or "-"))
        await ctx.reply(ctx.t.join(lines))

    # -- reviewing ----------------------------------------------------------------------------------------------

    @command("feedback next", quiet=True)
    async def next(self, ctx: Context) -> None:
        queue = await self.repo.queue(ctx.community.id)
        order = logic.fair_order(queue, ctx.person.id, await self.repo.seen_by(ctx.person.id))
        if not order:
            await ctx.reply(ctx.t("feedback.next.none"))
            return
        item = order[0]
        film = await self.films.find(ctx.community.id, item.film_id)
        request = await self.repo.request_by_id(item.request_id)
        assert film is not None and request is not None
        rules = await self.rules(ctx.community.id)
        text = ctx.t("feedback.next.text", id=film.id, title=film.title, maker=film.maker, have=item.critiques,
                     wanted=request.wanted, words=rules.min_words, timecodes=rules.min_timecodes)
        await ctx.reply(Message(text, card=film_card(film, ctx.t),
                                buttons=(Button(ctx.t.s("feedback.button.skip"), "feedback.skip", str(film.id)),)))

    @command("feedback skip", FILM, Option("reason", max_length=300), quiet=True)
    async def skip(self, ctx: Context, film: str, reason: str | None) -> None:
        await self.skip_film(ctx, film, reason or "")

    @button("feedback.skip")
    async def skip_button(self, ctx: Context, arg: str) -> None:
        await self.skip_film(ctx, arg, "")

    async def skip_film(self, ctx: Context, film: str, reason: str) -> None:
        target = await self.reviewable(ctx, film)
        async with self.app.db.transaction() as tx:
            if not await self.repo.add_skip(tx, target.id, ctx.person.id, reason.strip(), self.app.clock.now()):
                raise UserError("feedback.errors.already_skipped", id=target.id)
        await ctx.reply(ctx.t("feedback.skipped", id=target.id, title=target.title))

    async def film_from(self, ctx: Context, raw: str) -> Film:
        """The film named by its number or its link; a clear error otherwise."""
        text = raw.strip().removeprefix("#")
        if text.isdigit():
            film_id = parse_id(text)
            if film_id is None:  # beyond any row's number
                raise UserError("films.errors.not_found", id=text[:20])
            return await self.films.film_or_fail(ctx, film_id)
        if "://" not in text:
            raise UserError("feedback.errors.film_ref", value=raw)
        found = await self.films.find_by_link(ctx.community.id, text)
        if found is None:
            raise UserError("feedback.errors.no_film_link", link=text)
        return found

    async def reviewable(self, ctx: Context, film: str) -> Film:
        """The film, if this person may review it now: not theirs, not reviewed yet, and in the queue."""
        target = await self.film_from(ctx, film)
        if target.person_id == ctx.person.id:
            raise UserError("feedback.errors.own_film", id=target.id)
        if await self.repo.has_critique(self.app.db, target.id, ctx.person.id):
            raise UserError("feedback.errors.already_reviewed", id=target.id)
        if await self.repo.open_request(target.id) is None:
            raise UserError("feedback.errors.not_queued", id=target.id, title=target.title)
        return target

    # On Discord, /feedback give <film> with no scores and no notes opens a form asking for them.
    @command("feedback give", FILM, *SCORES, Option("notes", max_length=6000), Option("anonymous", bool),
             form=(*logic.DIMENSIONS, "notes"), quiet=True)
    async def give(self, ctx: Context, film: str, story: int | None, image: int | None, sound: int | None,
                   edit: int | None, notes: str | None, anonymous: bool | None) -> None:
        target = await self.reviewable(ctx, film)
        scores = logic.check_scores({"story": story, "image": image, "sound": sound, "edit": edit})
        rules = await self.rules(ctx.community.id)
        text = self.checked_notes(ctx, notes or "", target, rules)
        codes = [code.seconds for code in logic.parse_timecodes(text)]
        digest, now = logic.notes_hash(text), self.app.clock.now()
        async with self.app.db.transaction() as tx:
            request = await self.repo.open_request(target.id, tx)
            if request is None:
                raise UserError("feedback.errors.not_queued", id=target.id, title=target.title)
            if await self.repo.has_critique(tx, target.id, ctx.person.id):
                raise UserError("feedback.errors.already_reviewed", id=target.id)
            copy = await self.repo.is_copy(tx, ctx.community.id, ctx.person.id, digest)
            earned = 0 if copy else rules.critique_reward
            critique_id = await self.repo.add_critique(
                tx, community_id=ctx.community.id, film_id=target.id, request_id=request.id,
                reviewer_id=ctx.person.id, scores=scores, notes=text, notes_hash=digest, timecodes=codes,
                word_count=logic.count_words(text), anonymous=bool(anonymous), earned=earned, now=now)
            if earned:
                await self.repo.credit(tx, ctx.community.id, ctx.person.id, earned, "critique", critique_id, now)
            critique = await self.critique_or_fail(ctx, critique_id, tx)
            await self.tell(tx, ctx, target.person_id, messages.for_maker(ctx.t, critique),
                            f"feedback.critique:{critique_id}")
            have = await self.repo.active_count(request.id, tx)
            if have >= request.wanted:
                await self.repo.close_request(tx, request.id, now)
                done = ctx.t("feedback.request.done", id=target.id, title=target.title, count=have)
                await self.tell(tx, ctx, target.person_id, Message(done), f"feedback.done:{request.id}:{have}")
            balance = await self.repo.balance(ctx.community.id, ctx.person.id, tx)
        key = "feedback.given_copy" if copy else "feedback.given"
        await ctx.reply(ctx.t.plural(key, earned, id=critique_id, film=target.id, title=target.title, earned=earned,
                                     balance=balance))

    def checked_notes(self, ctx: Context, notes: str, film: Film, rules: FeedbackSettings) -> str:
        """The notes, if they meet the community's floor and their timecodes fit the film; else say exactly
        what is wrong."""
        text = notes.strip()
        if len(text) > rules.max_notes:
            raise UserError("feedback.errors.notes_long", length=len(text), limit=rules.max_notes)
        gap = logic.floor_gap(text, rules.min_words, rules.min_timecodes)
        if not gap.ok:
            raise UserError("feedback.errors.below_floor",
                            problems=messages.gap_text(ctx.t, gap, rules.min_words, rules.min_timecodes))
        late = logic.beyond_runtime(logic.parse_timecodes(text), film.runtime_seconds)
        if late is not None:
            raise UserError("feedback.errors.beyond_runtime", code=late.text,
                            runtime=format_runtime(film.runtime_seconds), id=film.id)
        return text

    # -- after the critique -------------------------------------------------------------------------------------

    @command("feedback thanks", CRITIQUE, quiet=True)
    async def thanks(self, ctx: Context, critique: int) -> None:
        await self.thank(ctx, critique)

    @button("feedback.thanks")
    async def thanks_button(self, ctx: Context, arg: str) -> None:
        critique_id = parse_id(arg)
        if critique_id is None:
            raise UserError("errors.stale_button")
        await self.thank(ctx, critique_id)

    async def thank(self, ctx: Context, critique_id: int) -> None:
        found = await self.critique_or_fail(ctx, critique_id)
        if found.maker_id != ctx.person.id:
            raise UserError("feedback.errors.not_your_critique", id=found.id)
        if found.removed:
            raise UserError("feedback.errors.removed", id=found.id)
        bonus, now = (await self.rules(ctx.community.id)).thanks_bonus, self.app.clock.now()
        async with self.app.db.transaction() as tx:
            if not await self.repo.mark_thanked(tx, found.id, bonus, now):
                raise UserError("feedback.errors.already_thanked", id=found.id)
            if bonus:
                await self.repo.credit(tx, ctx.community.id, found.reviewer_id, bonus, "thanks", found.id, now)
            note = ctx.t("feedback.thanked_reviewer", id=found.id, film=found.film_id, title=found.film_title,
                         bonus=bonus)
            await self.tell(tx, ctx, found.reviewer_id, Message(note), f"feedback.thanks:{found.id}")
        await ctx.reply(ctx.t("feedback.thanked", id=found.id))

    @command("feedback show", CRITIQUE, quiet=True)
    async def show(self, ctx: Context, critique: int) -> None:
        found = await self.critique_or_fail(ctx, critique)
        if ctx.person.id not in (found.maker_id, found.reviewer_id) and not ctx.is_admin:
            raise UserError("feedback.errors.not_yours_to_see", id=found.id)
        # Makers never learn an anonymous reviewer's name; reviewers and moderators see it.
        named = not found.anonymous or ctx.is_admin or ctx.person.id == found.reviewer_id
        parts = [messages.critique_text(ctx.t, found, show_reviewer=named)]
        if found.removed:
            parts.append(ctx.t("feedback.show.removed"))
        elif found.thanked:
            parts.append(ctx.t("feedback.show.helpful"))
        await ctx.reply_private(ctx.t.join(parts))
