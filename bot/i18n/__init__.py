"""Message catalogs: English and Simplified Chinese, and Traditional Chinese made from the Simplified
(`zh-Hant.po` beside each `zh-Hans.po`, made by `make catalogs`: see bot/i18n/traditional.py).
Every user-facing string goes through here.

Catalogs are gettext .po files (see bot/i18n/po.py): the core's live in bot/i18n/<lang>/*.po, each cog's
in cogs/<name>/locales/<lang>.po. An entry's msgctxt is its key. A template holds `{name}` placeholders and
`**strong**`. An entry with plural forms takes the form for its integer `count` value (`t(key, count=n)`), or
for another number with `t.plural(key, n)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.i18n import formats, po
from bot.models import ChatName, Link, Moment, Segment, Strong, Text

SOURCE_LANGUAGES = ("en", "zh-Hans")  # the catalogs people write
TRADITIONAL = "zh-Hant"  # made from zh-Hans ahead, by `make catalogs`
LANGUAGES = (*SOURCE_LANGUAGES, TRADITIONAL)
DEFAULT_LANGUAGE = "en"
# Discord client locales that read Traditional characters, in a community whose language is Chinese.
TRADITIONAL_LOCALES = frozenset({"zh-TW"})
# A cog that ships no Traditional twin is read in Simplified characters before English.
_FALLBACKS = {TRADITIONAL: ("zh-Hans",)}
_TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)\}|\*\*(.+?)\*\*")
_CORE_DIR = Path(__file__).parent


def reader_language(language: str, locale: str | None) -> str:
    """The community's language in the script of the reader's client (`zh-Hans` read from zh-TW -> zh-Hant)."""
    if language == "zh-Hans" and locale in TRADITIONAL_LOCALES:
        return TRADITIONAL
    return language


class Catalog:
    """All templates of all languages, merged from the core and the loaded cogs."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, po.Entry]] = {lang: {} for lang in LANGUAGES}
        self._plural_expr: dict[str, str] = {}
        self._parsed: dict[tuple[str, str, int], tuple[tuple[str, str], ...]] = {}
        for lang in LANGUAGES:
            for path in sorted((_CORE_DIR / lang).glob("*.po")):
                self.load_file(lang, path)

    def load_file(self, lang: str, path: Path) -> None:
        loaded = po.read(path)
        self._entries[lang].update(loaded.entries)
        self._plural_expr[lang] = loaded.plural_expr
        self._parsed.clear()

    def load_dir(self, directory: Path) -> None:
        """Load `<directory>/<lang>.po` for each language that has one (a cog's locales/)."""
        for lang in LANGUAGES:
            path = directory / f"{lang}.po"
            if path.exists():
                self.load_file(lang, path)

    def keys(self, lang: str) -> set[str]:
        return set(self._entries[lang])

    def has(self, lang: str, key: str) -> bool:
        return key in self._entries.get(lang, {})

    def entry(self, lang: str, key: str) -> tuple[str, po.Entry]:
        """(the language it was found in, the entry): a key missing in `lang` falls back to English."""
        for candidate in (lang, *_FALLBACKS.get(lang, ()), DEFAULT_LANGUAGE):
            found = self._entries.get(candidate, {}).get(key)
            if found is not None:
                return candidate, found
        raise KeyError(f"no message {key!r} in the catalogs")

    def template(self, lang: str, key: str, count: int | None = None) -> str:
        """The template of `key`; for an entry with plural forms, the form for `count` in that language."""
        return self._form(lang, key, count)[1]

    def parsed(self, lang: str, key: str, count: int | None = None) -> tuple[tuple[str, str], ...]:
        """A template split once into ("text", s), ("value", name) and ("strong", inner) parts."""
        index, template = self._form(lang, key, count)
        cached = self._parsed.get((lang, key, index))
        if cached is None:
            cached = self._parsed[(lang, key, index)] = _parse(template)
        return cached

    def _form(self, lang: str, key: str, count: int | None) -> tuple[int, str]:
        found_in, entry = self.entry(lang, key)
        if not entry.plural:
            return 0, entry.forms[0]
        # With no count given, the general form: the one the text had before it had plural forms.
        index = po.plural_index(self._plural_expr[found_in])(2 if count is None else count)
        index = min(index, len(entry.forms) - 1)
        return index, entry.forms[index]

    def translator(self, lang: str) -> Translator:
        return Translator(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


class Translator:
    def __init__(self, catalog: Catalog, lang: str) -> None:
        self.catalog = catalog
        self.lang = lang

    def __call__(self, key: str, **values: object) -> Text:
        """Render a template to rich text; string values stay data (escaped by every platform). An entry
        with plural forms takes the form for an integer `count` value."""
        count = values.get("count")
        return self._render(self.catalog.parsed(self.lang, key, count if isinstance(count, int) else None), values)

    def plural(self, key: str, count: int, **values: object) -> Text:
        """Render the plural form of `key` that fits `count` (`1 festival fits`, `2 festivals fit`); the
        template sees `count` as `{count}` unless a value of that name is given."""
        return self._render(self.catalog.parsed(self.lang, key, count), {"count": count, **values})

    def s(self, key: str, **values: object) -> str:
        """A template as a plain string (labels, titles, descriptions)."""
        return self(key, **values).plain()

    def duration(self, span: timedelta) -> str:
        """A span in words in this language: `19 days 14 hours`, `19天14小时`."""
        return formats.duration(span, self.lang)

    def money(self, cents: int, currency: str) -> str:
        """An amount in its currency as this language writes money: `€10.00`."""
        return formats.money(cents, currency, self.lang)

    def join(self, parts: Iterable[Text], separator: str = "\n") -> Text:
        out: list[Segment] = []
        for index, part in enumerate(parts):
            if index:
                out.append(separator)
            out.extend(part.segments)
        return Text(tuple(out))

    def _render(self, parts: tuple[tuple[str, str], ...], values: dict[str, object]) -> Text:
        segments: list[Segment] = []
        for kind, part in parts:
            if kind == "text":
                segments.append(part)
            elif kind == "value":
                segments.extend(self._segments(values.get(part, "{" + part + "}")))
            else:
                inner = _TOKEN.sub(lambda m: Text(self._segments(values.get(m.group(1), m.group(0)))).plain(),
                                   part)
                segments.append(Strong(inner))
        return Text(tuple(segment for segment in segments if segment != ""))

    def _segments(self, value: object) -> tuple[Segment, ...]:
        """A value as segments; an instant is shown in this reader's language."""
        if isinstance(value, Text):
            return tuple(self._in_language(segment) for segment in value.segments)
        if isinstance(value, Moment | Strong | Link | ChatName):
            return (self._in_language(value),)
        return (str(value),)

    def _in_language(self, segment: Segment) -> Segment:
        return replace(segment, lang=self.lang) if isinstance(segment, Moment) else segment


def _parse(template: str) -> tuple[tuple[str, str], ...]:
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(template):
        parts.append(("text", template[position : match.start()]))
        parts.append(("value", match.group(1)) if match.group(1) is not None else ("strong", match.group(2)))
        position = match.end()
    parts.append(("text", template[position:]))
    return tuple(part for part in parts if part != ("text", ""))
