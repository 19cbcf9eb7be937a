"""`microfilm-bot import-json PATH [--community KEY]`: a community's export comes back in, so it can move
to another host. Only into an empty database (no person seen yet), in one transaction: a document that
does not fit leaves nothing behind. People keep their ids, names, zones and accounts; each cog stores its
part (`Cog.import_data`) with its ids and plans what is still ahead (phases, reminders)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.errors import Refused
from bot.export import EXPORT_VERSION, FORMAT
from bot.storage import INTEGRITY_ERRORS

if TYPE_CHECKING:
    from bot.app import App


async def import_document(app: App, document: dict[str, Any], key: str | None = None) -> str:
    """Store the export's people and communities (only `key`'s, when given); returns a summary line."""
    _check(document)
    communities = [c for c in document.get("communities", []) if key is None or c.get("key") == key]
    if not communities:
        known = ", ".join(str(c.get("key")) for c in document.get("communities", [])) or "none"
        raise Refused(f"the export has no community {key!r} (it has: {known})")
    if not await app.directory.is_empty():
        raise Refused("import-json fills an empty database, and this one has people already; give a new "
                      "file with --db PATH (the bot creates it)")
    counts: dict[str, int] = {}
    try:
        async with app.db.transaction() as tx:
            await app.directory.import_people(tx, document.get("people", []), app.clock.now())
            for community in communities:
                community_id = await app.directory.import_community(
                    tx, int(community["id"]), community["key"], community["name"], community["zone"],
                    community["language"])
                for cog in app.cogs.values():
                    await cog.import_data(tx, community_id, community)
                for name, value in community.items():
                    if isinstance(value, list):
                        counts[name] = counts.get(name, 0) + len(value)
    except (KeyError, TypeError, ValueError, *INTEGRITY_ERRORS) as exc:
        raise Refused(f"the export does not fit together ({type(exc).__name__}: {exc}); nothing was imported") \
            from None
    app.directory.forget_people()
    tables = ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "no rows"
    return (f"imported {len(document.get('people', []))} people and {len(communities)} "
            f"communit{'y' if len(communities) == 1 else 'ies'} ({tables})")


def _check(document: dict[str, Any]) -> None:
    if document.get("format") != FORMAT:
        raise Refused("this is not a microfilm-bot export (write one with microfilm-bot export --format json)")
    if document.get("version") != EXPORT_VERSION:
        raise Refused(f"this export is version {document.get('version')}; this release reads version "
                      f"{EXPORT_VERSION}")
    if document.get("public"):
        raise Refused("a public export leaves out accounts and voters, so it cannot be imported; export "
                      "again without --public")
