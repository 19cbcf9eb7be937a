"""The podium's thumbnails, downloaded before the vote's close opens its transaction (beside the recount),
so the close never waits on a site while it holds the database: each likely podium film's stored picture
at once, through the films' own fetching (cogs.films.api: its limits, and nothing when previews are off),
all of it bounded by `[challenges] thumbnail_timeout`.

The podium is only known once the recount is applied inside the transaction, so the films fetched are the
first three by the stored votes and the first three by what the recount saw on their cards; an entry the
close puts on the podium outside both (a recount that changed nearly everything) gets the placeholder."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PIL import Image

from cogs.challenges.recount import Recount
from cogs.challenges.repository import Entry
from cogs.challenges.results.tiles import tile_of
from cogs.films.api import FilmsApi

log = logging.getLogger(__name__)
PODIUM = 3


@dataclass
class Closing:
    """What the vote's close gathered before its transaction: the recount and the podium's tiles."""

    recount: Recount
    tiles: dict[int, Image.Image | None] = field(default_factory=dict)  # by entry id; None: the placeholder


def likely_podium(tally: Mapping[int, int], recount: Recount) -> list[int]:
    """Entry ids that may stand on the podium: the first three by stored votes, and by the stored votes
    raised to what the recount saw (its reactions may count once it is applied)."""
    seen: dict[int, int] = {}
    for (entry_id, _source), (_ref, users) in recount.shown.items():
        seen[entry_id] = seen.get(entry_id, 0) + len(users)
    raised = {entry_id: max(votes, seen.get(entry_id, 0)) for entry_id, votes in tally.items()}
    wanted: list[int] = []
    for counts in (tally, raised):
        for entry_id in _first(counts):
            if entry_id not in wanted:
                wanted.append(entry_id)
    return wanted


def _first(counts: Mapping[int, int]) -> list[int]:
    """The first PODIUM entries with votes, in the order the ranking breaks ties (entry id)."""
    ranked = sorted((item for item in counts.items() if item[1] > 0), key=lambda item: (-item[1], item[0]))
    return [entry_id for entry_id, _ in ranked[:PODIUM]]


async def podium_tiles(films: FilmsApi, community_id: int, entries: Sequence[Entry],
                       timeout: float) -> dict[int, Image.Image | None]:
    """The tile of each entry's film, downloaded together; None for any that is missing, slow or unreadable."""

    async def one(entry: Entry) -> Image.Image | None:
        film = await films.find(community_id, entry.film_id)
        data = await films.picture(film) if film is not None else None
        return None if data is None else await asyncio.to_thread(tile_of, data)

    async def bounded(entry: Entry) -> Image.Image | None:
        try:
            return await asyncio.wait_for(one(entry), timeout)
        except TimeoutError:
            log.info("challenges: the thumbnail of entry %s took longer than %ss", entry.id, timeout)
        except Exception:  # a picture is a nicety: the podium goes out with the placeholder
            log.exception("challenges: the thumbnail of entry %s failed", entry.id)
        return None

    found = await asyncio.gather(*(bounded(entry) for entry in entries))
    return {entry.id: tile for entry, tile in zip(entries, found, strict=True)}
