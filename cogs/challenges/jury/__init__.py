"""A jury beside the audience: admins appoint jurors (for one category or for all), jurors score entries
privately during voting (1-10, with an optional note), never their own, and nobody sees a score before
the results, where the jury's prize per category stands beside the audience's. A day before the close,
jurors who have not scored every entry of their category are named to the admins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Room, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Community, Message
from bot.storage import Tx
from cogs.challenges import logic
from cogs.challenges.jury.repository import JuryRepository
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.targets import challenge_in, latest_challenge

if TYPE_CHECKING:
    from bot.app import App

NOTE_LIMIT = 1000


class JuryRoom(Room):
    def __init__(self, app: App, repo: ChallengeRepository) -> None:
        self.app = app
        self.repo = repo
        self.jury = JuryRepository(app.db)

    @command("challenge jury", Option("action", required=True, positional=True, choices=("add", "remove", "list")),
             Option("user", positional=True), Option("category"), Option("id", int, min_value=1), admin=True)
    async def challenge_jury(self, ctx: Context, action: str, user: str | None, category: str | None,
                             id: int | None) -> None:
        challenge = await (challenge_in(self.repo, ctx.community, id) if id
                           else latest_challenge(self.repo, ctx.community))
        if action == "list":
            await ctx.reply(await self._listing(ctx, challenge))
            return
        if not user:
            raise UserError("challenges.errors.jury_who")
        person = await ctx.find_person(user)
        if person is None:
            raise UserError("challenges.errors.jury_unknown", name=user)
        async with self.app.db.transaction() as tx:
            if action == "add":
                kind = logic.check_category(category, challenge.categories) if category else ""
                await self.jury.appoint(tx, challenge.id, person.id, kind)
            elif not await self.jury.dismiss(tx, challenge.id, person.id):
                raise UserError("challenges.errors.jury_not_juror", name=person.display_name, id=challenge.id)
        key = "challenges.jury.added" if action == "add" else "challenges.jury.removed"
        await ctx.reply(ctx.t(key, name=person.display_name, id=challenge.id,
                              category=category or ctx.t.s("challenges.jury.every")))

    async def _listing(self, ctx: Context, challenge: Challenge) -> Message:
        jurors = await self.jury.jurors(challenge.id)
        if not jurors:
            return Message(ctx.t("challenges.jury.none", id=challenge.id))
        lines = [ctx.t("challenges.jury.header", id=challenge.id)]
        lines += [ctx.t("challenges.jury.line", name=juror.name,
                        category=juror.category or ctx.t.s("challenges.jury.every")) for juror in jurors]
        return Message(ctx.t.join(lines))

    @command("score", Option("entry", int, required=True, positional=True, min_value=1),
             Option("score", int, required=True, positional=True, min_value=1, max_value=10),
             Option("note", positional=True, greedy=True, max_length=NOTE_LIMIT), private=True)
    async def score(self, ctx: Context, entry: int, score: int, note: str | None) -> None:
        """A juror's score; told privately, kept secret until the results."""
        found = await self.repo.entry(entry)
        challenge = await self.repo.get(found.challenge_id) if found else None
        if found is None or challenge is None or challenge.community_id != ctx.community.id:
            raise UserError("challenges.errors.no_entry", id=entry)
        juror = await self.jury.juror(challenge.id, ctx.person.id)
        if juror is None:
            raise UserError("challenges.errors.not_juror", id=challenge.id)
        if challenge.state != "voting":
            raise UserError("challenges.errors.score_closed", id=challenge.id)
        if found.person_id == ctx.person.id:
            raise UserError("challenges.errors.score_own")
        if juror.category and found.category != juror.category:
            raise UserError("challenges.errors.score_category", category=juror.category)
        async with self.app.db.transaction() as tx:
            await self.jury.score(tx, found.id, ctx.person.id, score, (note or "").strip(), self.app.clock.now())
        await ctx.reply_private(ctx.t("challenges.jury.scored", title=found.title, score=score, id=challenge.id))

    async def remind_missing(self, tx: Tx, challenge: Challenge, community: Community) -> None:
        """A day before the close: name the jurors who still have entries of their category to score."""
        missing = await self.jury.missing(tx, challenge.id)
        if not missing:
            return
        names = {juror.person_id: juror.name for juror in await self.jury.jurors(challenge.id, tx)}
        t = self.app.translator(community.language)
        listed = ", ".join(f"{names.get(pid, pid)} ({count})" for pid, count in sorted(missing.items()))
        await self.app.notices.tell(tx, community, f"challenges:{challenge.id}:jury-missing",
                                    Message(t("challenges.jury.missing", id=challenge.id, jurors=listed)))
