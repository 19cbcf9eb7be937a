"""Pure rules of the feedback exchange: timecodes, the quality floor, copies, scores and the fair queue."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.errors import UserError

DIMENSIONS = ("story", "image", "sound", "edit")
LOW, HIGH = 1, 5
# 1:23, 0:05, 1:02:03, [1:23]; a full-width colon (common in Chinese typing) counts too.
_TIMECODE = re.compile(r"(?<![\d:：])\[?(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?\]?(?![\d:：])")
# Han, kana and hangul are written without spaces: each character counts as a word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class Timecode:
    text: str
    seconds: int


def parse_timecodes(notes: str) -> list[Timecode]:
    """Every well-formed timecode in the notes, in order (`1:75` is not one: seconds stop at 59)."""
    found: list[Timecode] = []
    for match in _TIMECODE.finditer(notes):
        first, second, third = match.group(1), match.group(2), match.group(3)
        if third is None:
            hours, minutes, seconds = 0, int(first), int(second)
        else:
            hours, minutes, seconds = int(first), int(second), int(third)
            if minutes >= 60:
                continue
        if seconds >= 60:
            continue
        text = match.group(0).strip("[]").replace("：", ":")
        found.append(Timecode(text, hours * 3600 + minutes * 60 + seconds))
    return found


def count_words(notes: str) -> int:
    """Words outside timecodes; every CJK character is a word of its own."""
    rest = _TIMECODE.sub(" ", notes)
    cjk = len(_CJK.findall(rest))
    return cjk + len(_WORD.findall(_CJK.sub(" ", rest)))


@dataclass(frozen=True)
class FloorGap:
    """What notes lack to meet the quality floor; `ok` when nothing."""

    words: int
    words_missing: int
    timecodes: int
    timecodes_missing: int

    @property
    def ok(self) -> bool:
        return not self.words_missing and not self.timecodes_missing


def floor_gap(notes: str, min_words: int, min_timecodes: int) -> FloorGap:
    words = count_words(notes)
    timecodes = len(parse_timecodes(notes))
    return FloorGap(words, max(0, min_words - words), timecodes, max(0, min_timecodes - timecodes))


def beyond_runtime(timecodes: Iterable[Timecode], runtime_seconds: int | None) -> Timecode | None:
    """The first timecode past the film's end, when the runtime is known."""
    if runtime_seconds is None:
        return None
    return next((code for code in timecodes if code.seconds > runtime_seconds), None)


def notes_hash(notes: str) -> str:
    """Equal for notes that differ only in case, spacing, punctuation or width: a copy is a copy."""
    folded = unicodedata.normalize("NFKC", notes).casefold()
    words = re.findall(r"[^\W_]+", folded)
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def check_scores(scores: dict[str, int | None]) -> dict[str, int]:
    """All four scores, each 1-5; raises UserError naming every missing or wrong one."""
    missing = [name for name in DIMENSIONS if scores.get(name) is None]
    if missing:
        raise UserError("feedback.errors.scores_missing", missing=", ".join(missing))
    wrong = [name for name in DIMENSIONS if not LOW <= int(scores[name] or 0) <= HIGH]
    if wrong:
        raise UserError("feedback.errors.scores_range", wrong=", ".join(wrong), low=LOW, high=HIGH)
    return {name: int(scores[name] or 0) for name in DIMENSIONS}


@dataclass(frozen=True)
class QueueItem:
    request_id: int
    film_id: int
    maker_id: int
    critiques: int
    requested_at: datetime


def fair_order(items: Iterable[QueueItem], reviewer_id: int, seen_film_ids: set[int]) -> list[QueueItem]:
    """Films that most need a critique first (fewest so far, then the oldest request); never the reviewer's
    own films, nor films they already reviewed or skipped."""
    open_to_them = [item for item in items if item.maker_id != reviewer_id and item.film_id not in seen_film_ids]
    return sorted(open_to_them, key=lambda item: (item.critiques, item.requested_at, item.request_id))


def average(values: Iterable[int]) -> float | None:
    numbers = list(values)
    return round(sum(numbers) / len(numbers), 1) if numbers else None
