"""Phase changes as due rows: open -> submissions close -> voting closes, plus the weekly schedule.

Each handler runs inside the due row's transaction, so its effect, its announcement (keyed by challenge
and phase) and the row's done marker commit together: a retry or restart never repeats or skips one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.cog import Room, at, before
from bot.models import Community, Message
from bot.scheduler import Job, next_weekly
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.challenges import logic, messages
from cogs.challenges.gallery import GalleryRoom
from cogs.challenges.jury import JuryRoom
from cogs.challenges.recount import ENTRY_TAG
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.results import ResultsRoom
from cogs.challenges.results.pictures import Closing
from cogs.challenges.settings import ChallengeSettings, RulesOf
from cogs.challenges.targets import VoteTargets

if TYPE_CHECKING:
    from bot.app import App

PHASE_JOB = "challenges.phase"
REMIND_JOB = "challenges.reminder"
REMIND_BEFORE = timedelta(hours=24)
WEEKLY_JOB = "challenges.weekly"


class PhasesRoom(Room):
    def __init__(self, app: App, settings: ChallengeSettings, rules: RulesOf, repo: ChallengeRepository,
                 targets: VoteTargets, results: ResultsRoom, gallery: GalleryRoom, jury: JuryRoom) -> None:
        self.app = app
        self.settings = settings
        self.rules = rules
        self.repo = repo
        self.targets = targets
        self.results = results
        self.gallery = gallery
        self.jury = jury

    async def create(self, tx: Tx, community: Community, *, theme: str, brief: str, max_runtime: int | None,
                     opens: datetime, submit_until: datetime, vote_until: datetime, weekly: bool,
                     categories: tuple[str, ...] = ()) -> Challenge:
        """Store a challenge and its phase rows; it opens at once when `opens` is not in the future."""
        norm = logic.normalize_theme(theme)
        challenge_id = await self.repo.add(tx, community_id=community.id, theme=theme, theme_norm=norm,
                                           brief=brief, max_runtime=max_runtime, opens_at=opens,
                                           submit_until=submit_until, vote_until=vote_until, weekly=weekly,
                                           now=self.app.clock.now(), categories=categories)
        await self.repo.mark_theme_used(tx, community.id, norm)
        for phase, due in (("submissions", submit_until), ("voting", vote_until)):
            await self._schedule_phase(tx, challenge_id, community.id, phase, due)
        await self.schedule_reminders(tx, challenge_id, community.id, submit_until, vote_until)
        challenge = await self.repo.get(challenge_id, tx)
        assert challenge is not None
        if opens <= self.app.clock.now():
            await self.open_now(tx, challenge, community)
        else:
            await self._schedule_phase(tx, challenge_id, community.id, "open", opens)
        return challenge

    async def plan_remaining(self, tx: Tx, challenge: Challenge) -> None:
        """The phase rows still ahead of a challenge restored by import-json."""
        ahead = {"scheduled": ("open", "submissions", "voting"), "open": ("submissions", "voting"),
                 "voting": ("voting",)}
        dues = {"open": challenge.opens_at, "submissions": challenge.submit_until, "voting": challenge.vote_until}
        for phase in ahead.get(challenge.state, ()):
            await self._schedule_phase(tx, challenge.id, challenge.community_id, phase, dues[phase])

    async def schedule_reminders(self, tx: Tx, challenge_id: int, community_id: int, submit_until: datetime,
                                 vote_until: datetime) -> None:
        """"24 h left" for entries and for votes, each once (keyed); moved when a phase is extended."""
        now = self.app.clock.now()
        for phase, deadline in (("submissions", submit_until), ("voting", vote_until)):
            key = f"challenges:{challenge_id}:remind:{phase}"
            due = deadline - REMIND_BEFORE
            if not await self.app.scheduler.reschedule(tx, key, max(due, now)) and due > now:
                await self.app.scheduler.schedule(tx, REMIND_JOB, due, {"challenge": challenge_id, "phase": phase},
                                                  key=key, community_id=community_id)

    @at(REMIND_JOB)
    async def remind(self, job: Job, tx: Tx) -> None:
        challenge = await self.repo.get(int(job.payload["challenge"]), tx)
        phase = job.payload["phase"]
        wanted_state = "open" if phase == "submissions" else "voting"
        if challenge is None or challenge.state != wanted_state:
            return  # the phase is over (or the challenge cancelled): nothing to remind of
        deadline = challenge.submit_until if phase == "submissions" else challenge.vote_until
        if deadline - self.app.clock.now() < REMIND_BEFORE / 2:
            return  # down for most of the last day: a reminder now would mislead
        community = await self.app.directory.community(challenge.community_id)
        t = self.app.translator(community.language)
        await self.app.outbox.announce(tx, community, "challenges", messages.reminder(challenge, phase, t),
                                       key=f"challenges:{challenge.id}:remind:{phase}")
        if phase == "voting":
            await self.jury.remind_missing(tx, challenge, community)

    async def _schedule_phase(self, tx: Tx, challenge_id: int, community_id: int, phase: str,
                              due: datetime) -> None:
        await self.app.scheduler.schedule(tx, PHASE_JOB, due, {"challenge": challenge_id, "phase": phase},
                                          key=f"challenges:{challenge_id}:{phase}", community_id=community_id)

    @before(PHASE_JOB)
    async def gather(self, job: Job) -> Closing | None:
        """Before the vote's close: what the cards show now and the podium's thumbnails, with no transaction
        open."""
        challenge = await self.repo.get(int(job.payload["challenge"]))
        if job.payload["phase"] != "voting" or challenge is None or challenge.state != "voting":
            return None
        return await self.results.prepare_close(challenge)

    @at(PHASE_JOB)
    async def run_phase(self, job: Job, tx: Tx) -> None:
        challenge = await self.repo.get(int(job.payload["challenge"]), tx)
        if challenge is None:
            return
        community = await self.app.directory.community(challenge.community_id)
        phase = job.payload["phase"]
        # A state that does not match means the phase already happened or the challenge was cancelled.
        if phase == "open" and challenge.state == "scheduled":
            await self.open_now(tx, challenge, community)
        elif phase == "submissions" and challenge.state == "open":
            await self.close_submissions(tx, challenge, community)
        elif phase == "voting" and challenge.state == "voting":
            await self.results.close_voting(tx, challenge, community, job.prepared)

    async def open_now(self, tx: Tx, challenge: Challenge, community: Community) -> None:
        await self.repo.set_state(tx, challenge.id, "open")
        self.targets.forget(tx)
        t = self.app.translator(community.language)
        await self.app.outbox.announce(tx, community, "challenges", messages.opened(challenge, t),
                                       key=f"challenges:{challenge.id}:open")

    async def close_submissions(self, tx: Tx, challenge: Challenge, community: Community) -> None:
        """Voting opens with one announcement, then the entries: a card each (paced by the outbox) for a
        round of up to `gallery_above` entries, else the gallery's posts, one per category."""
        t = self.app.translator(community.language)
        count = await self.repo.count_entries(challenge.id, tx)
        key = f"challenges:{challenge.id}:submissions"
        if not count:
            await self.repo.set_state(tx, challenge.id, "closed", self.app.clock.now())
            self.targets.forget(tx)
            await self.app.scheduler.cancel(tx, f"challenges:{challenge.id}:voting")
            await self.app.outbox.announce(tx, community, "challenges", messages.no_entries(challenge, t), key=key)
            return
        await self.repo.set_state(tx, challenge.id, "voting")
        self.targets.forget(tx)
        emoji = "/".join((await self.rules(community.id)).vote_emojis)
        large = count > self.settings.gallery_above
        started = messages.voting_started(challenge, count, emoji, t, gallery=large)
        await self.app.outbox.announce(tx, community, "challenges", started, key=key)
        if large:
            await self.repo.set_gallery(tx, challenge.id)
            await self.gallery.post(tx, challenge, community)
        else:
            await self._post_cards(tx, challenge, community, emoji)

    async def _post_cards(self, tx: Tx, challenge: Challenge, community: Community, emoji: str) -> None:
        t = self.app.translator(community.language)
        by_id = {entry.id: entry for entry in await self.repo.entries(challenge.id, tx)}
        order = logic.shuffled(list(by_id), seed=challenge.id)
        for number, entry_id in enumerate(order, start=1):
            entry = by_id[entry_id]
            accounts = tuple(await self.app.directory.accounts_of(entry.person_id))
            message = messages.entry_card(challenge, entry, number, len(order), emoji, t, accounts)
            await self.app.outbox.announce(tx, community, "challenges", message,
                                           key=f"challenges:{challenge.id}:entry:{entry_id}",
                                           tag=f"{ENTRY_TAG}{entry_id}")

    # -- the weekly schedule ----------------------------------------------------------------------------------

    async def schedule_weekly(self, tx: Tx, community_id: int, version: int, after: datetime) -> datetime | None:
        weekly = await self.repo.weekly(community_id, tx)
        if weekly is None:
            return None
        fire = next_weekly(after, weekly.day, weekly.hour, weekly.minute, weekly.zone)
        await self.app.scheduler.schedule(tx, WEEKLY_JOB, fire, {"version": version},
                                          key=f"challenges:weekly:{community_id}:v{version}:{to_db(fire)}",
                                          community_id=community_id)
        return fire

    @at(WEEKLY_JOB)
    async def run_weekly(self, job: Job, tx: Tx) -> None:
        assert job.community_id is not None
        weekly = await self.repo.weekly(job.community_id, tx)
        if weekly is None or weekly.version != job.payload.get("version"):
            return  # the schedule changed or was turned off since this row was written
        community = await self.app.directory.community(job.community_id)
        themes = await self.repo.themes(community.id, "approved", tx)
        fire = job.due_at
        if themes:
            submit_until = fire + timedelta(days=weekly.submit_days)
            cap = (await self.rules(community.id)).default_cap()
            await self.create(tx, community, theme=themes[0].text, brief="", max_runtime=cap,
                              opens=min(fire, self.app.clock.now()), submit_until=submit_until,
                              vote_until=submit_until + timedelta(days=weekly.vote_days), weekly=True)
        else:
            t = self.app.translator(community.language)
            await self.app.outbox.announce(tx, community, "challenges",
                                           Message(t("challenges.weekly.no_theme")),
                                           key=f"challenges:weekly:{community.id}:{to_db(fire)}:empty")
        # At least a day on, so a repeated local time (clocks falling back) cannot fire twice.
        await self.schedule_weekly(tx, community.id, weekly.version,
                                   max(fire + timedelta(days=1), self.app.clock.now()))
