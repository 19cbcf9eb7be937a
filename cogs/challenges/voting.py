"""Voting: ⭐ reactions on entry cards and the Vote button, through the one vote writer; the recount."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.cog import Room, at, button, listener
from bot.commands import parse_id
from bot.context import Context
from bot.errors import UserError
from bot.models import Community, Message, Person, ReactionEvent, Text
from bot.scheduler import Job
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.challenges.receipts import COUNTED, OUTSIDE, OWN, RECEIPT_JOB, WITHDRAWN, Outcome, Receipts
from cogs.challenges.recount import ENTRY_TAG, Recount, Recounter, reaction_source
from cogs.challenges.repository import Challenge, ChallengeRepository, Entry
from cogs.challenges.settings import ChallengeSettings, RulesOf
from cogs.challenges.targets import VoteTargets
from cogs.challenges.votes import VoteEvent, VoteWriter

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class VotingRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, rules: RulesOf, repo: ChallengeRepository,
                 targets: VoteTargets, receipts: Receipts) -> None:
        self.app = app
        self.settings = settings
        self.rules = rules
        self.repo = repo
        self.targets = targets
        self.receipts = receipts
        self.writer: VoteWriter[str] = VoteWriter(app.db, self.apply_votes)
        self.recounter = Recounter(app, rules, repo)

    def _event(self, entry: Entry, challenge: Challenge, community: Community, person: Person, source: str,
               action: str, at: datetime) -> VoteEvent:
        # Outside the voting state the window is empty: the event is acknowledged but changes nothing.
        closes = challenge.vote_until if challenge.state == "voting" else challenge.submit_until
        return VoteEvent(entry_id=entry.id, challenge_id=challenge.id, person_id=person.id,
                         maker_id=entry.person_id, source=source, action=action, at=at,
                         opens=challenge.submit_until, closes=closes, live=challenge.state == "voting",
                         community_id=community.id, zone=person.zone or community.zone,
                         language=community.language)

    @listener("reaction")
    async def on_reaction(self, event: ReactionEvent, tag: str, person: Person,
                          community: Community) -> asyncio.Future[str] | None:
        """Queue the vote (in arrival order) and hand back the future of its commit."""
        if not tag.startswith(ENTRY_TAG) or event.emoji not in (await self.rules(community.id)).vote_emojis:
            return None
        found = await self.targets.get(int(tag.removeprefix(ENTRY_TAG)), community.id)
        if found is None:
            return None
        ref = event.message
        return self.writer.enqueue(self._event(*found, community, person, reaction_source(ref, event.emoji),
                                               "add" if event.added else "remove", event.at))

    @button("challenges.vote", tags=ENTRY_TAG.rstrip(":"))
    async def on_vote_button(self, ctx: Context, arg: str) -> None:
        entry_id = parse_id(arg)
        found = await self.targets.get(entry_id, ctx.community.id) if entry_id is not None else None
        if found is None:
            raise UserError("errors.stale_button")
        entry, challenge = found
        result = await self.writer.submit(self._event(entry, challenge, ctx.community, ctx.person, "button",
                                                      "toggle", ctx.at or self.app.clock.now()))
        hidden = "hidden" if self.settings.hidden_tallies else "shown"
        await ctx.reply_private(ctx.t(f"challenges.vote.{result}", title=entry.title, id=challenge.id,
                                      hidden=ctx.t(f"challenges.vote.{hidden}")))

    @at(RECEIPT_JOB)
    async def send_receipt(self, job: Job, tx: Tx) -> None:
        await self.receipts.run_job(job, tx)

    # -- the writer's side: one batch, one transaction -----------------------------------------------------

    async def apply_votes(self, tx: Tx, events: Sequence[VoteEvent]) -> list[str]:
        """Apply events in arrival order; store each (entry, person, source)'s final state and event time."""
        toggles = list(dict.fromkeys(event.key for event in events if event.action == "toggle"))
        state = await self.repo.vote_states(tx, toggles) if toggles else {}
        rows: dict[tuple[int, int, str], tuple[int, int, str, int, str]] = {}
        late: list[tuple[int, int, str, str]] = []
        results: list[str] = []
        stamps: dict[datetime, str] = {}  # events of a storm share instants; format each once
        for event in events:
            if not (event.live and event.opens <= event.at <= event.closes):
                if event.live and event.at > event.closes:
                    late.append((event.entry_id, event.person_id, event.source, to_db(event.at)))
                results.append(OUTSIDE)
                continue
            active = not state.get(event.key, False) if event.action == "toggle" else event.action == "add"
            state[event.key] = active
            stamp = stamps.get(event.at) or stamps.setdefault(event.at, to_db(event.at))
            rows[event.key] = (event.entry_id, event.person_id, event.source, int(active), stamp)
            results.append(OWN if event.person_id == event.maker_id else COUNTED if active else WITHDRAWN)
        await self.repo.write_votes(tx, rows.values())
        if late:  # remembered so a recount does not count a change made after the close
            await self.repo.touch_votes(tx, late)
        if self.app.outbox.can_deliver:  # with nowhere to deliver them (export, benchmarks) there are no receipts
            await self.receipts.note(tx, [_outcome(event, result) for event, result in zip(events, results, strict=True)
                                          if event.action != "remove" or result != OUTSIDE])
        return results

    # -- the recount before closing ------------------------------------------------------------------------

    @listener("gap")
    async def on_gap(self, platform: str, since: datetime) -> Text | None:
        """Reactions on that platform may have been missed: recount every voting challenge's cards there."""
        cards = 0
        for challenge in await self.repo.voting():
            gathered = await self.recounter.gather(challenge, platform=platform)
            async with self.app.db.transaction() as tx:
                await self.apply_recount(tx, challenge, gathered)
            cards += gathered.cards
        if not cards:
            return None
        t = self.app.translator(self.app.config.bot.language)
        return t.plural("challenges.gap_recounted", cards, cards=cards, platform=platform)

    async def apply_recount(self, tx: Tx, challenge: Challenge, gathered: Recount) -> None:
        """Store what a recount found (gathered before `tx`), tell the voters and, of cards that could not
        be read, the admins."""
        recovered = await self.recounter.apply(tx, challenge, gathered)
        community = await self.app.directory.community(challenge.community_id)
        # Votes the recount found (or found gone) are told like any other: the voter learns it once.
        await self.receipts.note(tx, [Outcome(challenge.id, pid, entry_id, COUNTED if on else WITHDRAWN, False,
                                              community.id, community.zone, community.language)
                                      for pid, entry_id, on in recovered])
        t = self.app.translator(community.language)
        if gathered.unreadable:
            names = ", ".join(sorted(gathered.unreadable))
            await self.app.notices.tell(tx, community, f"challenges:{challenge.id}:unreadable",
                                        Message(t("challenges.recount_unreadable", id=challenge.id, cards=names)))
        if gathered.failed:
            await self.app.notices.tell(tx, community, f"challenges:{challenge.id}:recount-failed",
                                        Message(t("challenges.recount_failed", id=challenge.id,
                                                  count=gathered.failed)))


def _outcome(event: VoteEvent, result: str) -> Outcome:
    return Outcome(event.challenge_id, event.person_id, event.entry_id, result, event.source == "button",
                   event.community_id, event.zone, event.language)
