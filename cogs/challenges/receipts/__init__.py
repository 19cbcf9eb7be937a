"""Private vote receipts, batched: at most one per voter per challenge a minute, summing up what changed.

With hidden tallies a voter cannot see their vote counted, so they are told privately. A storm would
otherwise send a message per reaction, which no platform allows; instead each vote's outcome is stored
with what the voter was last told. The first change is told at once; changes within the next minute wait
for one receipt at its end (a due row), which says only what differs from what they knew. A button press
is answered on the spot, so its outcome counts as told: a reaction for the same vote adds nothing.
Votes recovered later (a recount, a replayed backlog) are told the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.models import Message
from bot.scheduler import Job
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.challenges.receipts.repository import ReceiptRepository

if TYPE_CHECKING:
    from bot.app import App

RECEIPT_JOB = "challenges.receipt"
INTERVAL = timedelta(minutes=1)
PLANNED_LIMIT = 100_000
COUNTED, WITHDRAWN, OWN, OUTSIDE = "counted", "withdrawn", "own", "outside"
Titles = Callable[[Tx, int], Awaitable[dict[int, str]]]  # challenge id -> entry id -> title


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one vote event came to, for one voter on one entry."""

    challenge_id: int
    person_id: int
    entry_id: int
    result: str          # counted | withdrawn | own | outside, as the writer saw this event
    answered: bool       # the voter saw it already (a button press is answered on the spot)
    community_id: int
    zone: str
    language: str


class Receipts:
    def __init__(self, app: App, titles: Titles, *, hidden_tallies: bool) -> None:
        self.app = app
        self.repo = ReceiptRepository()
        self.titles = titles
        self.hidden_tallies = hidden_tallies
        self._planned: set[str] = set()  # receipt rows already scheduled (the key keeps them once anyway)

    async def note(self, tx: Tx, outcomes: Sequence[Outcome]) -> None:
        """Store what the events of one batch came to, and tell (or plan to tell) the voters."""
        if not outcomes:
            return
        standing = await self.repo.standing(tx, list({(o.entry_id, o.person_id) for o in outcomes}))
        latest: dict[tuple[int, int, int], tuple[Outcome, str]] = {}
        for outcome in outcomes:  # in order: the last event of a voter on an entry is what stands
            result = outcome.result
            if result in (COUNTED, WITHDRAWN):  # any source still on keeps the vote counted
                result = COUNTED if standing.get((outcome.entry_id, outcome.person_id)) else WITHDRAWN
            latest[(outcome.challenge_id, outcome.person_id, outcome.entry_id)] = (outcome, result)
        # With shown tallies the card shows a vote counted; only what did not count is worth a word.
        told = [(key, result) for key, (o, result) in latest.items()
                if o.answered or (result in (COUNTED, WITHDRAWN) and not self.hidden_tallies)]
        await self.repo.note(tx, [(*key, result) for key, result in told], told=True)
        told_keys = {key for key, _ in told}
        await self.repo.note(tx, [(*key, result) for key, (_, result) in latest.items() if key not in told_keys],
                             told=False)
        waiting: dict[int, dict[int, Outcome]] = {}
        for key, (outcome, _) in latest.items():
            if key not in told_keys:
                waiting.setdefault(outcome.challenge_id, {})[outcome.person_id] = outcome
        for challenge_id, people in waiting.items():
            await self._tell_or_wait(tx, challenge_id, people)

    async def _tell_or_wait(self, tx: Tx, challenge_id: int, people: dict[int, Outcome]) -> None:
        now = self.app.clock.now()
        last = await self.repo.last_sent(tx, challenge_id, list(people))
        due_now = [pid for pid in people if pid not in last or last[pid] + INTERVAL <= now]
        await self._send(tx, challenge_id, due_now, {pid: people[pid] for pid in due_now}, now)
        later = []
        for person_id in people.keys() - set(due_now):
            sent_at, outcome = last[person_id], people[person_id]
            # One row per voter and window (the key), so more changes in the window add nothing.
            key = f"challenges:receipt:{challenge_id}:{person_id}:{to_db(sent_at)}"
            if key not in self._planned:
                later.append((sent_at + INTERVAL, {"challenge": challenge_id, "person": person_id,
                                                   "zone": outcome.zone, "language": outcome.language},
                              key, outcome.community_id))
        await self.app.scheduler.schedule_many(tx, RECEIPT_JOB, later)
        if len(self._planned) > PLANNED_LIMIT:
            self._planned.clear()
        tx.after_commit(lambda: self._planned.update(key for _, _, key, _ in later))

    async def _send(self, tx: Tx, challenge_id: int, person_ids: Sequence[int], where: dict[int, Outcome],
                    now: datetime) -> None:
        untold = await self.repo.untold(tx, challenge_id, person_ids)
        if not untold:
            return
        titles = await self.titles(tx, challenge_id)
        for person_id, items in untold.items():
            outcome = where[person_id]
            message = self._message(challenge_id, items, titles, outcome.language)
            await self.app.outbox.to_person(tx, person_id, message, zone=outcome.zone,
                                            key=f"challenges:receipt:{challenge_id}:{person_id}:{to_db(now)}",
                                            community_id=outcome.community_id)
        await self.repo.mark_told(tx, challenge_id, untold, now)

    def _message(self, challenge_id: int, items: list[tuple[int, str]], titles: dict[int, str],
                 language: str) -> Message:
        t = self.app.translator(language)
        hidden = t("challenges.vote.hidden") if self.hidden_tallies else t("challenges.vote.shown")
        if len(items) == 1:
            entry_id, outcome = items[0]
            return Message(t(f"challenges.vote.{outcome}", title=titles.get(entry_id, f"#{entry_id}"),
                             id=challenge_id, hidden=hidden))
        lines = [t("challenges.receipt.header", id=challenge_id)]
        lines += [t(f"challenges.receipt.{outcome}", title=titles.get(entry_id, f"#{entry_id}"))
                  for entry_id, outcome in items]
        if any(outcome == COUNTED for _, outcome in items) and self.hidden_tallies:
            lines.append(hidden)
        return Message(t.join(lines))

    async def run_job(self, job: Job, tx: Tx) -> None:
        """The end of a voter's minute: one receipt with whatever changed meanwhile."""
        payload = job.payload
        person_id = int(payload["person"])
        assert job.community_id is not None
        where = Outcome(int(payload["challenge"]), person_id, 0, "", False, job.community_id,
                        str(payload["zone"]), str(payload["language"]))
        await self._send(tx, where.challenge_id, [person_id], {person_id: where}, self.app.clock.now())
