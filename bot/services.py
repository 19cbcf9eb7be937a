"""Typed seams between cogs: a cog publishes a small interface under a key; others ask the App for it.

    FILMS: ServiceKey[FilmsApi] = ServiceKey("films")   # in the publishing cog's api module
    app.provide(FILMS, self)                            # its cog_load
    films = app.service(FILMS)                          # anyone else, typed as FilmsApi

A cog that needs another declares it (`requires = ("films",)`); the loader checks the order and says how
to fix it, and the published service goes when its cog is unloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from bot.models import Community

T = TypeVar("T")


class ServiceKey(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ServiceKey({self.name!r})"


class Services:
    def __init__(self) -> None:
        self._found: dict[ServiceKey[Any], tuple[str, object]] = {}

    def provide(self, key: ServiceKey[T], service: T, owner: str) -> None:
        if key in self._found:
            raise ValueError(f"the service {key.name!r} is provided twice ({self._found[key][0]} and {owner})")
        self._found[key] = (owner, service)

    def get(self, key: ServiceKey[T]) -> T:
        found = self._found.get(key)
        if found is None:
            raise LookupError(f"no cog provides the service {key.name!r}; list the cog that does in [bot] cogs")
        return cast(T, found[1])

    def remove_owner(self, owner: str) -> None:
        self._found = {key: value for key, value in self._found.items() if value[0] != owner}


class Calendars(Protocol):
    """What the command line asks of whichever cog keeps festival deadlines (`export --format ics`,
    `import-ics`): the core names the seam, the festivals cog provides it."""

    async def export_ics(self, *, category: str | None = None, max_fee: float | None = None) -> bytes: ...

    async def import_ics_file(self, path: Path, community: Community) -> str: ...


CALENDARS: ServiceKey[Calendars] = ServiceKey("calendars")
