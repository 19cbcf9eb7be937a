"""gettext .po catalogs, read with Babel: each entry's context (msgctxt) is its key, its msgid the English
source, its msgstr the text in the file's language (msgstr[N] for each plural form)."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po


@dataclass(frozen=True)
class Entry:
    forms: tuple[str, ...]  # one text, or one per plural form of the file's language
    plural: bool


@dataclass(frozen=True)
class PoFile:
    entries: dict[str, Entry]
    plural_expr: str  # the Plural-Forms expression of the header, in C syntax


def read(path: Path) -> PoFile:
    """The file's entries (cached while it is unchanged)."""
    return _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _read(path: Path, stamp: int) -> PoFile:
    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    entries: dict[str, Entry] = {}
    for message in catalog:
        if not message.id or message.context is None:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        forms = tuple(str(form or "") for form in strings)
        if not all(forms):
            continue  # not translated yet: the English text is used
        entries[message.context] = Entry(forms, isinstance(message.id, tuple | list))
    return PoFile(entries, catalog.plural_expr)


@lru_cache(maxsize=16)
def plural_index(expr: str) -> Callable[[int], int]:
    """The form to use for a count, from a Plural-Forms expression (`n != 1`: 0 for one, 1 otherwise)."""
    return gettext.c2py(expr)
