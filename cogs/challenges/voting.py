"""Voting: ⭐ reactions on entry cards and the Vote button, through the one vote writer; the recount."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.cog import Room, at, button, listener
from bot.context import Context
from bot.errors import UserError
from bot.models import Account, Community, Message, MessageRef, Person, ReactionEvent, Text
from bot.platform import UnreadableMessage
from bot.scheduler import Job
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.challenges.receipts import COUNTED, OUTSIDE, OWN, RECEIPT_JOB, WITHDRAWN, Outcome, Receipts
from cogs.challenges.repository import Challenge, ChallengeRepository, Entry
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.targets import VoteTargets
from cogs.challenges.votes import VoteEvent, VoteWriter

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
ENTRY_TAG = "challenges.entry:"


class VotingRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, repo: ChallengeRepository, targets: VoteTargets,
                 receipts: Receipts) -> None:
        self.app = app
        self.settings = settings
        self.repo = repo
        self.targets = targets
        self.receipts = receipts
        self.vote_emojis = frozenset(settings.vote_emojis)  # asked for every reaction in a storm
        self.writer: VoteWriter[str] = VoteWriter(app.db, self.apply_votes)

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
        if not tag.startswith(ENTRY_TAG) or event.emoji not in self.vote_emojis:
            return None
        found = await self.targets.get(int(tag.removeprefix(ENTRY_TAG)), community.id)
        if found is None:
            return None
        ref = event.message
        return self.writer.enqueue(self._event(*found, community, person, reaction_source(ref, event.emoji),
                                               "add" if event.added else "remove", event.at))

    @button("challenges.vote", tags=ENTRY_TAG.rstrip(":"))
    async def on_vote_button(self, ctx: Context, arg: str) -> None:
        found = await self.targets.get(int(arg), ctx.community.id) if arg.isdigit() else None
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
            async with self.app.db.transaction() as tx:
                cards += await self.recount(tx, challenge, platform=platform)
        if not cards:
            return None
        t = self.app.translator(self.app.config.bot.language)
        return t("challenges.gap_recounted", cards=cards, platform=platform)

    async def recount(self, tx: Tx, challenge: Challenge, *, platform: str | None = None) -> int:
        """Make stored reaction votes equal each card's current ⭐ reactions where a platform can read them
        (every platform, or the one named). Returns how many cards were read.

        A card that cannot be read (deleted, hidden from the bot) keeps the votes stored for it: they were
        acknowledged, and its loss is told to the admins instead."""
        when = to_db(min(self.app.clock.now(), challenge.vote_until))
        unreadable: list[str] = []
        recovered: list[tuple[int, int, bool]] = []  # (person, entry, counts now)
        cards = 0
        for entry in await self.repo.entries(challenge.id, tx):
            for ref in await self.app.sent.refs_with_tag(f"{ENTRY_TAG}{entry.id}"):
                if platform is not None and ref.platform != platform:
                    continue
                for emoji in self.settings.vote_emojis:
                    try:
                        read = await self._recount_one(tx, challenge, entry, ref, emoji, when)
                    except UnreadableMessage as exc:
                        log.warning("recount of %s: %s; keeping its stored votes", ref, exc)
                        unreadable.append(entry.title)
                        break
                    if read is None:
                        break
                    recovered += read
                else:
                    cards += 1
        community = await self.app.directory.community(challenge.community_id)
        # Votes the recount found (or found gone) are told like any other: the voter learns it once.
        await self.receipts.note(tx, [Outcome(challenge.id, pid, entry_id, COUNTED if on else WITHDRAWN, False,
                                              community.id, community.zone, community.language)
                                      for pid, entry_id, on in recovered])
        if unreadable:
            t = self.app.translator(community.language)
            names = ", ".join(dict.fromkeys(unreadable))
            await self.app.notices.tell(tx, community, f"challenges:{challenge.id}:unreadable",
                                        Message(t("challenges.recount_unreadable", id=challenge.id, cards=names)))
        return cards

    async def _recount_one(self, tx: Tx, challenge: Challenge, entry: Entry, ref: MessageRef, emoji: str,
                           when: str) -> list[tuple[int, int, bool]] | None:
        """Recount one card's emoji; None when it cannot be read (the stored votes stand)."""
        try:
            users = await self.app.recount(ref, emoji)
        except UnreadableMessage:
            raise
        except Exception:
            log.exception("recount of %s failed; keeping the stored votes", ref)
            return None
        if users is None:
            return None  # the platform cannot read reactions (Telegram), or is not running: stored votes stand
        source = reaction_source(ref, emoji)
        people = await self.app.directory.people_ids(tx, [Account(ref.platform, uid) for uid in users])
        present = set(people.values())
        stored = await self.repo.votes_from(tx, entry.id, source)
        # A voter whose last seen change came after the close keeps the state they had at the close.
        settled = {pid for pid, (_, at) in stored.items() if at > challenge.vote_until}
        changes = [(entry.id, pid, source, 1, when) for pid in present - settled
                   if not stored.get(pid, (False, None))[0]]
        changes += [(entry.id, pid, source, 0, when) for pid, (on, _) in stored.items()
                    if on and pid not in present and pid not in settled]
        await self.repo.write_votes(tx, changes)
        return [(pid, entry.id, bool(on)) for _, pid, _, on, _ in changes if pid != entry.person_id]


def _outcome(event: VoteEvent, result: str) -> Outcome:
    return Outcome(event.challenge_id, event.person_id, event.entry_id, result, event.source == "button",
                   event.community_id, event.zone, event.language)


def reaction_source(ref: MessageRef, emoji: str) -> str:
    """One vote source per posted card and vote emoji, so each can be recounted on its own."""
    return f"react:{ref.platform}:{ref.chat_id}:{ref.message_id}:{emoji}"
