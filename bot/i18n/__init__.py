"""Message catalogs: English and Simplified Chinese. Every user-facing string goes through here.

Catalogs are TOML files (nested tables flatten to dotted keys): the core's live in bot/i18n/<lang>/,
each cog's in cogs/<name>/locales/<lang>.toml. A template holds `{name}` placeholders and `**strong**`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from bot.models import Link, Moment, Segment, Strong, Text

LANGUAGES = ("en", "zh-Hans")
DEFAULT_LANGUAGE = "en"
_TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)\}|\*\*(.+?)\*\*")
_CORE_DIR = Path(__file__).parent


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


class Catalog:
    """All templates of all languages, merged from the core and the loaded cogs."""

    def __init__(self) -> None:
        self._templates: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        self._parsed: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        for lang in LANGUAGES:
            for path in sorted((_CORE_DIR / lang).glob("*.toml")):
                self.load_file(lang, path)

    def load_file(self, lang: str, path: Path) -> None:
        with path.open("rb") as handle:
            self._templates[lang].update(_flatten(tomllib.load(handle)))
        self._parsed.clear()

    def load_dir(self, directory: Path) -> None:
        """Load `<directory>/<lang>.toml` for each language that has one (a cog's locales/)."""
        for lang in LANGUAGES:
            path = directory / f"{lang}.toml"
            if path.exists():
                self.load_file(lang, path)

    def keys(self, lang: str) -> set[str]:
        return set(self._templates[lang])

    def has(self, lang: str, key: str) -> bool:
        return key in self._templates.get(lang, {})

    def template(self, lang: str, key: str) -> str:
        found = self._templates.get(lang, {}).get(key)
        if found is None:
            found = self._templates[DEFAULT_LANGUAGE].get(key)
        if found is None:
            raise KeyError(f"no message {key!r} in the catalogs")
        return found

    def parsed(self, lang: str, key: str) -> tuple[tuple[str, str], ...]:
        """A template split once into ("text", s), ("value", name) and ("strong", inner) parts."""
        cached = self._parsed.get((lang, key))
        if cached is None:
            cached = self._parsed[(lang, key)] = _parse(self.template(lang, key))
        return cached

    def translator(self, lang: str) -> Translator:
        return Translator(self, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


class Translator:
    def __init__(self, catalog: Catalog, lang: str) -> None:
        self.catalog = catalog
        self.lang = lang

    def __call__(self, key: str, **values: object) -> Text:
        """Render a template to rich text; string values stay data (escaped by every platform)."""
        segments: list[Segment] = []
        for kind, part in self.catalog.parsed(self.lang, key):
            if kind == "text":
                segments.append(part)
            elif kind == "value":
                segments.extend(_as_segments(values.get(part, "{" + part + "}")))
            else:
                inner = _TOKEN.sub(lambda m: _plain_value(values.get(m.group(1), m.group(0))), part)
                segments.append(Strong(inner))
        return Text(tuple(segment for segment in segments if segment != ""))

    def s(self, key: str, **values: object) -> str:
        """A template as a plain string (labels, titles, descriptions)."""
        return self(key, **values).plain()

    def join(self, parts: Iterable[Text], separator: str = "\n") -> Text:
        out: list[Segment] = []
        for index, part in enumerate(parts):
            if index:
                out.append(separator)
            out.extend(part.segments)
        return Text(tuple(out))


def _parse(template: str) -> tuple[tuple[str, str], ...]:
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(template):
        parts.append(("text", template[position : match.start()]))
        parts.append(("value", match.group(1)) if match.group(1) is not None else ("strong", match.group(2)))
        position = match.end()
    parts.append(("text", template[position:]))
    return tuple(part for part in parts if part != ("text", ""))


def _plain_value(value: object) -> str:
    return Text(_as_segments(value)).plain()


def _as_segments(value: object) -> tuple[Segment, ...]:
    if isinstance(value, Text):
        return value.segments
    if isinstance(value, Moment | Strong | Link):
        return (value,)
    return (str(value),)
