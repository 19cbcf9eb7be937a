"""A challenge already in its voting phase, set up in code: the vote storm test and the in-process
benchmark share it (the path members take, with commands, is in bot.testing and the platform tests)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.models import Account, Community
from cogs.challenges.cog import ChallengesCog
from cogs.challenges.repository import Entry
from cogs.films.api import FILMS

if TYPE_CHECKING:
    from bot.app import App


async def voting_challenge(app: App, makers: int) -> tuple[Community, list[Entry]]:
    """One entry each by makers m0, m1, ...; submissions closed, voting open for a day. Returns the
    console community and the entries. The App must have the films and challenges cogs loaded."""
    cog = app.cogs["challenges"]
    assert isinstance(cog, ChallengesCog)
    films = app.service(FILMS)
    community = await app.directory.community_for_space("console", "console", "console")
    now = app.clock.now()
    people = [await app.directory.person_for(Account("console", f"m{n}"), f"m{n}") for n in range(makers)]
    async with app.db.transaction() as tx:
        challenge = await cog.phases.create(tx, community, theme="Storm", brief="", max_runtime=None, opens=now,
                                            submit_until=now + timedelta(seconds=1),
                                            vote_until=now + timedelta(days=1), weekly=False)
        for maker in people:
            film_id = await films.add_film(tx, community.id, maker.id, title=f"F{maker.id}",
                                           link=f"https://example.com/{maker.id}", runtime_seconds=60)
            await cog.repo.add_entry(tx, challenge.id, film_id, maker.id, now)
    async with app.db.transaction() as tx:
        found = await cog.repo.get(challenge.id, tx)
        assert found is not None
        await cog.phases.close_submissions(tx, found, community)
    return community, await cog.repo.entries(challenge.id)
