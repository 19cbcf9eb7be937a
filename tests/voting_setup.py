"""A challenge already in its voting phase, for the vote storm test and benchmark."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import App
from bot.models import Account, Community


async def voting_challenge(app: App, makers: int) -> tuple[Community, list[Any]]:
    """One entry each by makers m0, m1, ...; submissions closed, voting open for a day. Returns the
    console community and the entries. The App must have the films and challenges cogs loaded."""
    films, cog = app.cog("films"), app.cog("challenges")
    community = await app.directory.community_for_space("console", "console", "console")
    now = app.clock.now()
    people = [await app.directory.person_for(Account("console", f"m{n}"), f"m{n}") for n in range(makers)]
    async with app.db.transaction() as tx:
        challenge = await cog.phases.create(tx, community, theme="Storm", brief="", max_runtime=None,  # type: ignore[union-attr]
                                     opens=now, submit_until=now + timedelta(seconds=1),
                                     vote_until=now + timedelta(days=1), weekly=False)
        for maker in people:
            film_id = await films.repo.add(  # type: ignore[union-attr]
                tx, community_id=community.id, person_id=maker.id, title=f"F{maker.id}",
                link=f"https://example.com/{maker.id}", runtime_seconds=60, genre=None, tags=(), logline="",
                now=now)
            await cog.repo.add_entry(tx, challenge.id, film_id, maker.id, now)  # type: ignore[union-attr]
    async with app.db.transaction() as tx:
        await cog.phases.close_submissions(tx, await cog.repo.get(challenge.id, tx), community)  # type: ignore[union-attr]
    return community, await cog.repo.entries(challenge.id)  # type: ignore[union-attr]
