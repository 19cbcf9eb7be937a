"""Traditional characters for Chinese readers who use them (Discord's zh-TW): each Simplified catalog
(`zh-Hans.po`) has a `zh-Hant.po` twin made from it with OpenCC's Simplified -> Taiwan standard with
Taiwanese phrasing (`s2twp`). OpenCC leaves ASCII alone, so placeholders, commands and options survive.

The twins are made ahead, by `make catalogs` (`python -m bot.i18n.traditional`), not when the bot starts:
OpenCC's phrase dictionaries take about 43 MB that a running bot would keep for nothing. A test checks
every twin is what its Simplified source makes today."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent.parent
HEADER = ("microfilm-bot messages in Chinese (Traditional), made from the Simplified catalog beside it\n"
          "by `make catalogs`: edit the Simplified one, never this one.")


def sources(root: Path = ROOT, extra: Iterable[Path] = ()) -> Iterator[tuple[Path, Path]]:
    """(a Simplified catalog, its Traditional twin) for the core's catalogs, every cog's, and the cogs'
    `locales` folders named in `extra` (a cog kept elsewhere)."""
    for source in sorted((root / "bot" / "i18n" / "zh-Hans").glob("*.po")):
        yield source, source.parent.parent / "zh-Hant" / source.name
    for folder in [*sorted((root / "cogs").glob("*/locales")), *extra]:
        if (folder / "zh-Hans.po").exists():
            yield folder / "zh-Hans.po", folder / "zh-Hant.po"


def converter() -> Callable[[str], str]:
    import opencc  # only where catalogs are made: a development dependency

    convert = opencc.OpenCC("s2twp").convert
    return lambda text: str(convert(text))


def twin(source: Path, convert: Callable[[str], str]) -> bytes:
    """The Traditional catalog made from a Simplified one (msgctxt and msgid unchanged)."""
    with source.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(convert(form) if form else form for form in message.string)
        elif message.string:
            message.string = convert(message.string)
    catalog.header_comment = "\n".join(f"# {line}" for line in HEADER.splitlines())
    catalog.language_team = "microfilm-bot translators"
    catalog._set_locale("zh_Hant")  # the Language header; the plural rule (one form) is the same
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False)
    return out.getvalue()


def main(argv: list[str]) -> int:
    """Write every twin that differs from what its source makes; arguments name more cogs' locales folders."""
    convert = converter()
    for source, target in sources(extra=[Path(arg).resolve() for arg in argv]):
        made = twin(source, convert)
        if not target.exists() or target.read_bytes() != made:
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(made)
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
