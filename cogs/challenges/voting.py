"""Voting: ⭐ reactions on entry cards and the Vote button, through the one vote writer; the recount."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.cog import button, listener
from bot.context import Context
from bot.errors import UserError
from bot.models import Account, Community, Message, MessageRef, Person, ReactionEvent
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.challenges.base import Base
from cogs.challenges.repository import Challenge, Entry
from cogs.challenges.votes import VoteEvent

log = logging.getLogger(__name__)
ENTRY_TAG = "challenges.entry:"
# Results of one vote event, as the writer acknowledges it.
COUNTED, WITHDRAWN, OWN, OUTSIDE = "counted", "withdrawn", "own", "outside"


class Voting(Base):
    async def vote_target(self, entry_id: int, community_id: int) -> tuple[Entry, Challenge] | None:
        # Cached: a storm of reactions on the same few cards needs no reads; any phase, deadline or state
        # change clears the cache once it commits (see Base.forget_targets).
        found = self._targets.get(entry_id)
        if found is None:
            entry = await self.repo.entry(entry_id)
            challenge = await self.repo.get(entry.challenge_id) if entry else None
            if entry is None or challenge is None:
                return None
            found = self._targets[entry_id] = (entry, challenge)
        return found if found[1].community_id == community_id else None

    def _event(self, entry: Entry, challenge: Challenge, community: Community, person: Person, source: str,
               action: str, at: datetime) -> VoteEvent:
        # Outside the voting state the window is empty: the event is acknowledged but changes nothing.
        closes = challenge.vote_until if challenge.state == "voting" else challenge.submit_until
        return VoteEvent(entry_id=entry.id, person_id=person.id, maker_id=entry.person_id, source=source,
                         action=action, at=at, opens=challenge.submit_until,
                         closes=closes, live=challenge.state == "voting", community_id=community.id,
                         zone=person.zone or community.zone, language=community.language)

    @listener("reaction")
    async def on_reaction(self, event: ReactionEvent, tag: str, person: Person, community: Community) -> None:
        if not tag.startswith(ENTRY_TAG) or event.emoji not in self.vote_emojis:
            return
        found = await self.vote_target(int(tag.removeprefix(ENTRY_TAG)), community.id)
        if found is None:
            return
        ref = event.message
        await self.writer.submit(self._event(*found, community, person, reaction_source(ref, event.emoji),
                                             "add" if event.added else "remove", event.at))

    @button("challenges.vote")
    async def on_vote_button(self, ctx: Context, arg: str) -> None:
        found = await self.vote_target(int(arg), ctx.community.id) if arg.isdigit() else None
        if found is None:
            raise UserError("errors.stale_button")
        entry, challenge = found
        result = await self.writer.submit(self._event(entry, challenge, ctx.community, ctx.person, "button",
                                                      "toggle", self.app.clock.now()))
        hidden = "hidden" if self.settings.hidden_tallies else "shown"
        await ctx.reply_private(ctx.t(f"challenges.vote.{result}", title=entry.title, id=challenge.id,
                                      hidden=ctx.t(f"challenges.vote.{hidden}")))

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
        await self._notes(tx, events, results)
        return results

    async def _notes(self, tx: Tx, events: Sequence[VoteEvent], results: list[str]) -> None:
        """Private notes for reactions (a button press is answered directly), each at most once."""
        if not self.app.platforms:
            return  # nowhere to deliver them (export, benchmarks)
        for event, result in zip(events, results, strict=True):
            if not event.source.startswith("react:") or event.action != "add":
                continue
            if result == COUNTED and not self.settings.hidden_tallies:
                continue
            key = f"challenges:note:{result}:{event.entry_id}:{event.person_id}"
            if result == WITHDRAWN or key in self._noted:
                continue
            self._noted.add(key)
            t = self.app.translator(event.language)
            entry = await self.repo.entry(event.entry_id)
            title = entry.title if entry else str(event.entry_id)
            text = t(f"challenges.vote.{result}", title=title, id=entry.challenge_id if entry else "?",
                     hidden=t("challenges.vote.hidden"))
            await self.app.outbox.to_person(tx, event.person_id, Message(text), key=key, zone=event.zone,
                                            community_id=event.community_id)

    # -- the recount before closing ------------------------------------------------------------------------

    async def recount(self, tx: Tx, challenge: Challenge) -> None:
        """Make stored reaction votes equal each card's current ⭐ reactions where a platform can read them."""
        when = to_db(min(self.app.clock.now(), challenge.vote_until))
        for entry in await self.repo.entries(challenge.id, tx):
            for ref in await self.app.sent.refs_with_tag(f"{ENTRY_TAG}{entry.id}"):
                for emoji in self.settings.vote_emojis:
                    await self._recount_one(tx, challenge, entry, ref, emoji, when)

    async def _recount_one(self, tx: Tx, challenge: Challenge, entry: Entry, ref: MessageRef, emoji: str,
                           when: str) -> None:
        platform = self.app.platforms.get(ref.platform)
        if platform is None:
            return
        try:
            users = await platform.recount(ref, emoji)
        except Exception:
            log.exception("recount of %s failed; keeping the stored votes", ref)
            return
        if users is None:
            return  # the platform cannot read reactions (Telegram): its replayed events are the record
        source = reaction_source(ref, emoji)
        present = {await self._person_id(tx, ref.platform, uid) for uid in users}
        stored = await self.repo.votes_from(tx, entry.id, source)
        # A voter whose last seen change came after the close keeps the state they had at the close.
        settled = {pid for pid, (_, at) in stored.items() if at > challenge.vote_until}
        changes = [(entry.id, pid, source, 1, when) for pid in present - settled
                   if not stored.get(pid, (False, None))[0]]
        changes += [(entry.id, pid, source, 0, when) for pid, (on, _) in stored.items()
                    if on and pid not in present and pid not in settled]
        await self.repo.write_votes(tx, changes)

    async def _person_id(self, tx: Tx, platform: str, user_id: str) -> int:
        known = await self.repo.person_for_account(tx, platform, user_id)
        if known is not None:
            return known
        return (await self.app.directory.person_for(Account(platform, user_id), user_id, tx=tx)).id


def reaction_source(ref: MessageRef, emoji: str) -> str:
    """One vote source per posted card and vote emoji, so each can be recounted on its own."""
    return f"react:{ref.platform}:{ref.chat_id}:{ref.message_id}:{emoji}"
