"""Keeps due rows in step with deadlines and tells people when a deadline moves.

Job keys carry the festival, the tier, the deadline instant and the festival's revision, and end in "/" so a
key is never the prefix of another: a moved deadline cancels its old rows and schedules fresh ones, so no
reminder fires for the old time, and each row fires once (its done marker commits with its messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.models import Community, Message, Moment, Text
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.festivals import logic
from cogs.festivals.logic import LocalInstant
from cogs.festivals.repository import Deadline, Festival, FestivalRepository
from cogs.festivals.settings import FestivalSettings
from cogs.festivals.tracker.repository import Submission, TrackerRepository

if TYPE_CHECKING:
    from bot.app import App

REMINDER = "festivals.reminder"
FEE_RISE = "festivals.fee_rise"
NOTIFY = "festivals.notify"


@dataclass(frozen=True)
class Change:
    kind: str  # added | moved | fee | unchanged | removed | absent
    before: Deadline | None
    after: Deadline | None


def reminder_prefix(festival_id: int, tier: str = "") -> str:
    return f"{REMINDER}/{festival_id}/" + (f"{tier}/" if tier else "")


def notify_prefix(festival_id: int, submission_id: int | None = None) -> str:
    return f"{NOTIFY}/{festival_id}/" + (f"{submission_id}/" if submission_id is not None else "")


class Planner:
    def __init__(
        self, app: App, repo: FestivalRepository, tracker: TrackerRepository, settings: FestivalSettings
    ) -> None:
        self.app = app
        self.repo = repo
        self.tracker = tracker
        self.settings = settings
        self.offsets = logic.parse_offsets(settings.reminder_offsets)
        notice = logic.parse_offsets((settings.fee_rise_notice,))
        self.fee_notice: timedelta = notice[0][1]

    @property
    def now(self) -> datetime:
        return self.app.clock.now()

    # -- changing deadlines ----------------------------------------------------------------------------------

    async def apply_deadline(
        self,
        tx: Tx,
        community: Community,
        festival: Festival,
        tier: str,
        found: LocalInstant | None,
        fee_cents: int | None,
        *,
        keep_fee: bool = False,
    ) -> Change:
        """Add, move or remove one tier, replan its rows, and tell people about a move or removal."""
        current = {d.tier: d for d in await self.repo.deadlines(festival.id, tx)}
        before = current.get(tier)
        if found is None:
            if before is None:
                return Change("absent", None, None)
            await self.repo.remove_deadline(tx, festival.id, tier)
            after = None
        else:
            fee = before.fee_cents if keep_fee and fee_cents is None and before else fee_cents
            await self.repo.set_deadline(
                tx, festival, tier, logic.tier_rank(tier), found.local, found.instant, fee
            )
            after = Deadline(festival.id, tier, found.local, found.instant, fee)
        if before == after:
            return Change("unchanged", before, after)
        revision = await self.repo.bump_revision(tx, festival.id)
        await self.plan_tier(tx, festival, tier, after, revision)
        await self.plan_fee_rises(tx, festival, revision)
        kind = (
            "added"
            if before is None
            else "removed"
            if after is None
            else ("moved" if before.due_at != after.due_at else "fee")
        )
        if kind in ("moved", "removed") and before is not None and before.due_at > self.now:
            await self._tell_change(tx, community, festival, kind, before, after, revision)
        return Change(kind, before, after)

    async def plan_tier(
        self, tx: Tx, festival: Festival, tier: str, deadline: Deadline | None, revision: int
    ) -> None:
        await self.app.scheduler.cancel(tx, reminder_prefix(festival.id, tier))
        if deadline is None or tier == "opening":
            return
        for label, delta in self.offsets:
            when = logic.before(deadline.due_at, delta, festival.zone)
            if when <= self.now:
                continue  # a reminder whose moment has already gone by would only be noise
            key = f"{reminder_prefix(festival.id, tier)}{to_db(deadline.due_at)}/r{revision}/{label}/"
            await self.app.scheduler.schedule(
                tx,
                REMINDER,
                when,
                {
                    "festival_id": festival.id,
                    "tier": tier,
                    "offset": label,
                    "deadline": to_db(deadline.due_at),
                },
                key=key,
                community_id=festival.community_id,
            )

    async def plan_fee_rises(self, tx: Tx, festival: Festival, revision: int) -> None:
        await self.app.scheduler.cancel(tx, f"{FEE_RISE}/{festival.id}/")
        deadlines = await self.repo.deadlines(festival.id, tx)
        for tier, ends, _next, _fee, _next_fee in logic.fee_rises(
            [(d.tier, d.due_at, d.fee_cents) for d in deadlines]
        ):
            when = logic.before(ends, self.fee_notice, festival.zone)
            if when <= self.now:
                continue
            await self.app.scheduler.schedule(
                tx,
                FEE_RISE,
                when,
                {"festival_id": festival.id, "tier": tier, "deadline": to_db(ends)},
                key=f"{FEE_RISE}/{festival.id}/{tier}/{to_db(ends)}/r{revision}/",
                community_id=festival.community_id,
            )

    async def replan_zone(self, tx: Tx, community: Community, festival: Festival) -> None:
        """After a zone change the same wall times mean new instants; each tier is moved as if by hand."""
        for deadline in await self.repo.deadlines(festival.id, tx):
            found = logic.resolve_local(deadline.local, festival.zone)
            if found.instant != deadline.due_at:
                await self.apply_deadline(tx, community, festival, deadline.tier, found, deadline.fee_cents)

    async def plan_notification(self, tx: Tx, festival: Festival, submission: Submission) -> None:
        await self.app.scheduler.cancel(tx, notify_prefix(festival.id, submission.id))
        day = festival.notification_date
        if submission.status != "submitted" or day is None:
            return
        when = logic.notification_instant(day, festival.zone, self.settings.notification_hour)
        if when <= self.now:
            return
        await self.app.scheduler.schedule(
            tx,
            NOTIFY,
            when,
            {"submission_id": submission.id, "day": day.isoformat()},
            key=f"{notify_prefix(festival.id, submission.id)}{day.isoformat()}/",
            community_id=festival.community_id,
        )

    async def replan_notifications(self, tx: Tx, festival: Festival) -> None:
        for submission in await self.tracker.pending_for_festival(tx, festival.id):
            await self.plan_notification(tx, festival, submission)

    async def cancel_festival(self, tx: Tx, festival_id: int) -> None:
        for prefix in (
            reminder_prefix(festival_id),
            f"{FEE_RISE}/{festival_id}/",
            notify_prefix(festival_id),
        ):
            await self.app.scheduler.cancel(tx, prefix)

    # -- telling people --------------------------------------------------------------------------------------

    async def broadcast(
        self, tx: Tx, community: Community, festival: Festival, fee_cents: int | None, key: str, build: Any
    ) -> None:
        """Queue `build(t)` for the community's festival chats and each matching subscriber, once per key."""
        t = self.app.translator(community.language)
        await self.app.outbox.announce(tx, community, "festivals", Message(build(t)), key=key)
        for person in await self.tracker.subscribers(tx, community.id, festival.categories, fee_cents):
            await self.app.outbox.to_person(
                tx,
                person.person_id,
                Message(build(t)),
                key=f"{key}p{person.person_id}",
                zone=person.zone or community.zone,
                community_id=community.id,
            )

    async def _tell_change(
        self,
        tx: Tx,
        community: Community,
        festival: Festival,
        kind: str,
        before: Deadline,
        after: Deadline | None,
        revision: int,
    ) -> None:
        def build(t: Any) -> Text:
            tier = t(f"festivals.tiers.{before.tier}")
            if after is None:
                return t(
                    "festivals.changed.removed", name=festival.name, tier=tier, old=Moment(before.due_at)
                )
            return t(
                "festivals.changed.moved",
                name=festival.name,
                tier=tier,
                old=Moment(before.due_at),
                new=Moment(after.due_at),
            )

        fee = after.fee_cents if after else before.fee_cents
        await self.broadcast(
            tx, community, festival, fee, f"festivals.changed/{festival.id}/{before.tier}/r{revision}/", build
        )
