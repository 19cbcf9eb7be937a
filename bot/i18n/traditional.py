"""Traditional characters for Chinese readers who use them (Discord's zh-TW), converted from the
Simplified catalogs with OpenCC's Simplified -> Taiwan standard with Taiwanese phrasing (`s2twp`).
OpenCC leaves ASCII alone, so placeholders, commands and options survive the conversion."""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


def convert(text: str) -> str:
    return str(_converter().convert(text))
