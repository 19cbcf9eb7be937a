"""`microfilm-bot export`: every community's data in one documented shape (see README, "Export")."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError
from bot.services import CALENDARS
from bot.timeutil import to_db

if TYPE_CHECKING:
    from bot.app import App

FORMAT = "microfilm-bot"
EXPORT_VERSION = 1


async def collect(app: App, *, public: bool = False) -> dict[str, Any]:
    communities = []
    for community in await app.directory.communities():
        entry: dict[str, Any] = {"id": community.id, "key": community.key, "name": community.name,
                                 "zone": community.zone, "language": community.language}
        for cog in app.cogs.values():
            entry.update(await cog.export(community.id, public=public))
        communities.append(entry)
    people = await _people(app, public)
    if public:  # only the people the public rows name (makers, signed reviewers): a voter is no one's business
        named = _named_people(communities)
        people = [person for person in people if person["id"] in named]
    return {"format": FORMAT, "version": EXPORT_VERSION, "public": public, "exported_at": to_db(app.clock.now()),
            "people": people, "communities": communities}


def _named_people(found: Any) -> set[int]:
    """Every person id the rows point at (any key ending in `person_id`), however deep."""
    if isinstance(found, list):
        return set().union(*(_named_people(item) for item in found))
    if isinstance(found, dict):
        own = {value for key, value in found.items() if key.endswith("person_id") and isinstance(value, int)}
        return own.union(*(_named_people(value) for value in found.values() if isinstance(value, list | dict)))
    return set()


async def _people(app: App, public: bool) -> list[dict[str, Any]]:
    """Everyone, by id. A forgotten person appears only as an anonymous row (no name of theirs, no
    accounts) when something kept for others still points at it."""
    people = []
    for found, forgotten in await app.directory.everyone():
        person: dict[str, Any] = {"id": found.id, "display_name": found.display_name, "forgotten": forgotten}
        if not public:
            person["zone"] = found.zone
            person["accounts"] = [{"platform": a.platform, "user_id": a.user_id}
                                  for a in await app.directory.accounts_of(found.id)]
        people.append(person)
    return people


async def export(app: App, fmt: str, out: str | None, *, public: bool = False, category: str | None = None,
                 max_fee: float | None = None) -> None:
    if fmt == "ics":
        try:
            calendars = app.service(CALENDARS)
        except LookupError:
            raise ConfigError("--format ics needs the festivals cog in [bot] cogs") from None
        _write_bytes(await calendars.export_ics(category=category, max_fee=max_fee), out)
        return
    data = await collect(app, public=public)
    if fmt == "json":
        _write_bytes(json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n", out)
        return
    if out is None:
        raise ConfigError("--format csv writes one file per table: give a folder with --out")
    write_csv(data, Path(out))


def write_csv(data: dict[str, Any], folder: Path) -> None:
    """One CSV per list: people.csv and <community key>-<table>.csv; nested values as JSON text."""
    folder.mkdir(parents=True, exist_ok=True)
    _csv(folder / "people.csv", data["people"])
    for community in data["communities"]:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in community["key"])
        for name, value in community.items():
            if isinstance(value, list):
                _csv(folder / f"{safe}-{name}.csv", value)


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns or ["empty"])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict)
                             else value for key, value in row.items()})


def _write_bytes(data: bytes, out: str | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(out).write_bytes(data)
