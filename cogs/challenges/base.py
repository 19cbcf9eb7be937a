"""What every part of the challenges cog shares: the app, settings, repository and the vote writer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.models import Community
from bot.storage import Tx
from cogs.challenges.receipts import Receipts
from cogs.challenges.repository import Challenge, ChallengeRepository, Entry
from cogs.challenges.settings import ChallengeSettings
from cogs.challenges.votes import VoteWriter

if TYPE_CHECKING:
    from bot.app import App


class Base:
    """Attributes the mixins rely on; ChallengesCog provides them."""

    app: App
    settings: ChallengeSettings
    repo: ChallengeRepository
    writer: VoteWriter[str]
    _targets: dict[int, tuple[Entry, Challenge]]  # entry id -> entry and its challenge, for voting
    vote_emojis: frozenset[str]  # the reactions that count as votes
    receipts: Receipts  # private vote receipts, batched

    async def challenge_in(self, community: Community, challenge_id: int) -> Challenge:
        """A challenge of this community, or a friendly error (another community's challenge is not found)."""
        challenge = await self.repo.get(challenge_id)
        if challenge is None or challenge.community_id != community.id:
            raise UserError("challenges.errors.not_found", id=challenge_id)
        return challenge

    def forget_targets(self, tx: Tx) -> None:
        """A challenge's state or deadlines change in `tx`: cached vote targets go once it commits."""
        tx.after_commit(self._targets.clear)

    async def recount(self, tx: Tx, challenge: Challenge, *, platform: str | None = None) -> int:
        """Reconcile stored reaction votes with the platforms before closing (see Voting)."""
        raise NotImplementedError
