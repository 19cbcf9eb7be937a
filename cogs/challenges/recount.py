"""The recount before a close: what each card shows now, gathered before the closing transaction (in
parallel, within the platform's limits, where it can read reactions) and applied inside it, so the close
holds other writes for as long as its own database work takes, not for a round of requests per card.

A card that cannot be read (deleted, hidden from the bot) keeps the votes stored for it: they were
acknowledged. A card whose read failed otherwise (a platform down) keeps them too, and the close goes on
on the stored votes: both are told to the admins."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.models import Account, MessageRef
from bot.platform import UnreadableMessage
from bot.storage import Tx
from bot.timeutil import to_db
from cogs.challenges.repository import Challenge, ChallengeRepository
from cogs.challenges.settings import RulesOf

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
ENTRY_TAG = "challenges.entry:"
IN_PARALLEL = 4  # card reads in flight at once; each platform's library paces them within its limits


@dataclass
class Recount:
    shown: dict[tuple[int, str], tuple[MessageRef, list[str]]] = field(default_factory=dict)  # (entry, source)
    unreadable: set[str] = field(default_factory=set)  # titles of cards that could not be read
    failed: int = 0   # reads that failed for another reason
    cards: int = 0    # cards read whole


class Recounter:
    def __init__(self, app: App, rules: RulesOf, repo: ChallengeRepository) -> None:
        self.app = app
        self.rules = rules
        self.repo = repo

    async def gather(self, challenge: Challenge, *, platform: str | None = None) -> Recount:
        """Who reacts on every posted card now (every platform, or the one named); no transaction open."""
        found = Recount()
        emojis = (await self.rules(challenge.community_id)).vote_emojis
        limit = asyncio.Semaphore(IN_PARALLEL)
        cards = [(entry, ref) for entry in await self.repo.entries(challenge.id)
                 for ref in await self.app.sent.refs_with_tag(f"{ENTRY_TAG}{entry.id}")
                 if platform is None or ref.platform == platform]

        async def read(entry_id: int, title: str, ref: MessageRef) -> None:
            async with limit:
                card: dict[tuple[int, str], tuple[MessageRef, list[str]]] = {}
                for emoji in emojis:
                    try:
                        users = await self.app.recount(ref, emoji)
                    except UnreadableMessage as exc:
                        log.warning("recount of %s: %s; keeping its stored votes", ref, exc)
                        found.unreadable.add(title)
                        return
                    except Exception as exc:  # the platform is down or answers oddly: stored votes stand
                        log.warning("recount of %s failed (%s: %s); keeping its stored votes", ref,
                                    type(exc).__name__, exc)
                        found.failed += 1
                        return
                    if users is None:
                        return  # the platform cannot read reactions (Telegram): its replayed events are the record
                    card[(entry_id, reaction_source(ref, emoji))] = (ref, users)
                found.shown.update(card)
                found.cards += 1

        await asyncio.gather(*(read(entry.id, entry.title, ref) for entry, ref in cards))
        return found

    async def apply(self, tx: Tx, challenge: Challenge, found: Recount) -> list[tuple[int, int, bool]]:
        """Make the stored reaction votes equal what was shown; returns (person, entry, counts now) changed."""
        when = to_db(min(self.app.clock.now(), challenge.vote_until))
        accounts = list({Account(ref.platform, uid) for ref, users in found.shown.values() for uid in users})
        people = await self.app.directory.people_ids(tx, accounts)
        makers = {entry.id: entry.person_id for entry in await self.repo.entries(challenge.id, tx)}
        changes: list[tuple[int, int, str, int, str]] = []
        for (entry_id, source), (ref, users) in found.shown.items():
            present = {people[Account(ref.platform, uid)] for uid in users}
            stored = await self.repo.votes_from(tx, entry_id, source)
            # A voter whose last seen change came after the close keeps the state they had at the close.
            settled = {pid for pid, (_, at) in stored.items() if at > challenge.vote_until}
            changes += [(entry_id, pid, source, 1, when) for pid in present - settled
                        if not stored.get(pid, (False, None))[0]]
            changes += [(entry_id, pid, source, 0, when) for pid, (on, _) in stored.items()
                        if on and pid not in present and pid not in settled]
        await self.repo.write_votes(tx, changes)
        return [(pid, entry_id, bool(on)) for entry_id, pid, _, on, _ in changes if pid != makers.get(entry_id)]


def reaction_source(ref: MessageRef, emoji: str) -> str:
    """One vote source per posted card and vote emoji, so each can be recounted on its own."""
    return f"react:{ref.platform}:{ref.chat_id}:{ref.message_id}:{emoji}"
