"""Search that reads Chinese as well as spaced scripts.

SQLite's unicode61 tokenizer takes a run of Han characters for one word, so `公交` never found 夜班公交.
The index therefore stores text with every run of Chinese, Japanese or Korean characters written as its
overlapping pairs (夜班公交 -> `夜班 班公 公交 交`, the last character alone), and a query asks for a run as
the phrase of its pairs: any run of two or more characters is found wherever it stands, and one character
by the pairs it starts. Spaced scripts keep their words: a query word matches a whole word, and the last
one the start of a word too (`/search nig` finds Night). This was chosen by measurement (`make bench`):
FTS5's `trigram` tokenizer cannot index two-character runs and falls back to a scan of every film,
about 100 ms at 100,000 films, and a word segmenter misses runs that cross its word boundaries.

Ranking: all words in the title, in title or tags, anywhere; then films by a maker of that name or of
that genre; then some of the words in the title, anywhere. Newest first within each tier.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.storage import TextTerm

MAX_WORDS = 12
# Han (with extensions and compatibility forms), kana, Hangul: scripts written without spaces between words
# (Korean has spaces, but its particles cling to the word: 영화를 must be found by 영화).
_CJK = ("\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
        "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"\w+")


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """What the search index stores for a title, logline or tags (also the SQL function film_grams)."""
    if not text:
        return ""

    def spread(found: re.Match[str]) -> str:
        run = found.group(0)
        return " " + " ".join([*_pairs(run), run[-1]]) + " "

    return _CJK_RUN.sub(spread, unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class SearchQuery:
    text: str  # as typed, trimmed
    terms: tuple[TextTerm, ...]  # one per word


def parse_query(words: str) -> SearchQuery | None:
    """Typed words -> index terms; None when nothing in them can be searched."""
    text = unicodedata.normalize("NFKC", words).casefold()
    parts: list[tuple[str, bool]] = []  # (part, is a CJK run)
    for word in _WORD.findall(text)[:MAX_WORDS]:
        position = 0
        for run in _CJK_RUN.finditer(word):
            if run.start() > position:
                parts.append((word[position : run.start()], False))
            parts.append((run.group(0), True))
            position = run.end()
        if position < len(word):
            parts.append((word[position:], False))
    terms = []
    for index, (part, cjk) in enumerate(parts):
        last = index == len(parts) - 1
        if cjk and len(part) > 1:
            terms.append(TextTerm(tuple(_pairs(part))))  # the phrase of its pairs
        else:  # one character: the pairs it starts; the last word: its start
            terms.append(TextTerm((part,), prefix=cjk or last))
    unique = tuple(dict.fromkeys(terms))
    return SearchQuery(words.strip(), unique) if unique else None


Lookup = Callable[[int], Awaitable[list[int]]]  # up to N film ids, newest first


@dataclass(frozen=True)
class Tier:
    lookup: Lookup
    within: Tier | None = None  # a broader tier: when it finds nothing, neither does this one


async def ranked(tiers: list[Tier], wanted: int) -> list[int]:
    """Film ids in tier order (each tier newest first), without repeats, up to `wanted`.

    Each tier stops after `wanted` hits, so a search costs about the same at 100,000 films as at 1,000.
    A narrow tier (all words in the title) is looked at only when its broad tier (all words anywhere)
    found something: ten words that no film has all of cost one look, not three."""
    seen: dict[int, list[int]] = {}

    async def hits(tier: Tier) -> list[int]:
        if id(tier) not in seen:
            broad_is_empty = tier.within is not None and not await hits(tier.within)
            seen[id(tier)] = [] if broad_is_empty else await tier.lookup(wanted)
        return seen[id(tier)]

    found: dict[int, None] = {}
    for tier in tiers:
        found.update(dict.fromkeys(await hits(tier)))
        if len(found) >= wanted:
            break
    return list(found)[:wanted]
