"""Importing an iCalendar file: parse all of it first, then write all of it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.models import Community, Text
from cogs.festivals import ics
from cogs.festivals.logic import LocalInstant
from cogs.festivals.planner import Planner
from cogs.festivals.repository import FestivalRepository
from cogs.festivals.settings import FestivalSettings

if TYPE_CHECKING:
    from bot.app import App


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deadlines: int = 0
    past: int = 0


class Importer:
    def __init__(
        self, app: App, repo: FestivalRepository, planner: Planner, settings: FestivalSettings
    ) -> None:
        self.app = app
        self.repo = repo
        self.planner = planner
        self.settings = settings

    async def run(self, community: Community, data: bytes) -> Text:
        """Import and say what happened, in the community's language. Raises UserError, saving nothing."""
        result = await self.load(community, data)
        t = self.app.translator(community.language)
        return t(
            "festivals.imported",
            created=result.created,
            updated=result.updated,
            deadlines=result.deadlines,
            past=result.past,
        )

    async def load(self, community: Community, data: bytes) -> ImportResult:
        parsed = ics.parse_calendar(
            data, max_events=self.settings.max_ics_events, max_bytes=self.settings.max_ics_bytes
        )
        now = self.app.clock.now()
        result = ImportResult()
        async with self.app.db.transaction() as tx:
            for item in parsed:
                existing = await self.repo.by_name(community.id, item.name, tx)
                fields = _fields(item)
                if existing is None:
                    festival_id = await self.repo.add(
                        tx,
                        community.id,
                        {"name": item.name, "zone": item.zone, "currency": "USD", **fields},
                        now,
                    )
                    result.created += 1
                else:
                    festival_id = existing.id
                    await self.repo.update(tx, festival_id, fields)
                    result.updated += 1
                festival = await self.repo.get(festival_id, tx)
                assert festival is not None
                zone = ZoneInfo(festival.zone)
                for tier in item.tiers.values():
                    if tier.instant <= now:
                        result.past += 1
                        continue
                    local = tier.instant.astimezone(zone).replace(tzinfo=None)
                    change = await self.planner.apply_deadline(
                        tx,
                        community,
                        festival,
                        tier.tier,
                        LocalInstant(local, tier.instant),
                        tier.fee_cents,
                        keep_fee=True,
                    )
                    result.deadlines += change.kind != "unchanged"
        return result


def _fields(item: ics.ParsedFestival) -> dict[str, Any]:
    """Only what the file says: an import never blanks a field an admin filled in."""
    fields: dict[str, Any] = {
        "url": item.url,
        "categories": item.categories,
        "country": item.country,
        "city": item.city,
        "currency": item.currency,
        "max_runtime_seconds": item.max_runtime_seconds,
    }
    return {key: value for key, value in fields.items() if value}
