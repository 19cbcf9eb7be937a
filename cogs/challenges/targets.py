"""What a vote lands on: entry id -> the entry and its challenge, kept in memory for storms.

Any change of a challenge's state or deadlines forgets the cache once its transaction commits, in this
process and (told through the database) in every other process sharing it, so a vote never sees a stale
window."""

from __future__ import annotations

from bot.errors import UserError
from bot.models import Community
from bot.storage import Tx
from cogs.challenges.repository import Challenge, ChallengeRepository, Entry

CHANGED = "microfilm_challenges"  # heard by the other processes when a challenge's window changes


class VoteTargets:
    def __init__(self, repo: ChallengeRepository) -> None:
        self.repo = repo
        self._known: dict[int, tuple[Entry, Challenge]] = {}

    async def listen(self) -> None:
        await self.repo.db.listen(CHANGED, lambda _payload: self._known.clear())

    async def get(self, entry_id: int, community_id: int) -> tuple[Entry, Challenge] | None:
        found = self._known.get(entry_id)
        if found is None:
            entry = await self.repo.entry(entry_id)
            challenge = await self.repo.get(entry.challenge_id) if entry else None
            if entry is None or challenge is None:
                return None
            found = self._known[entry_id] = (entry, challenge)
        return found if found[1].community_id == community_id else None

    def forget(self, tx: Tx) -> None:
        """A challenge's state or deadlines change in `tx`: cached targets go once it commits."""
        tx.after_commit(self._known.clear)
        tx.after_commit(lambda: self.repo.db.notify(CHANGED, ""))


async def challenge_in(repo: ChallengeRepository, community: Community, challenge_id: int) -> Challenge:
    """A challenge of this community, or a friendly error (another community's challenge is not found)."""
    challenge = await repo.get(challenge_id)
    if challenge is None or challenge.community_id != community.id:
        raise UserError("challenges.errors.not_found", id=challenge_id)
    return challenge


async def latest_challenge(repo: ChallengeRepository, community: Community,
                           states: tuple[str, ...] = ("voting", "open", "scheduled"),
                           none: str = "challenges.errors.none_open") -> Challenge:
    """The newest challenge in the first of `states` that has one (what a command without `id=` means)."""
    for state in states:
        found = await repo.in_community(community.id, (state,), limit=1)
        if found:
            return found[0]
    raise UserError(none)
