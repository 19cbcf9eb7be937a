"""Pure rules of the feedback exchange: timecodes, the floor, copies, scores, the fair queue, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, parse_section
from bot.errors import UserError
from cogs.feedback import logic
from cogs.feedback.settings import FeedbackSettings


def test_timecode_forms() -> None:
    found = logic.parse_timecodes("at 1:23 and 0:05, then [2:10] and 1:02:03; 12：30 too")
    assert [(code.text, code.seconds) for code in found] == [
        ("1:23", 83), ("0:05", 5), ("2:10", 130), ("1:02:03", 3723), ("12:30", 750)]


def test_things_that_look_like_timecodes_but_are_not() -> None:
    assert logic.parse_timecodes("1:75 is not a time, nor 1:2, nor 1:60:00, nor 123:45, nor 1:234") == []


def test_words_are_counted_outside_timecodes_and_cjk_characters_count_one_each() -> None:
    assert logic.count_words("At 1:23 the cut comes too early.") == 6
    assert logic.count_words("1:23 0:05") == 0
    assert logic.count_words("剪辑太快了 at 0:05") == 6
    assert logic.count_words("") == 0


def test_floor_gap_says_exactly_what_is_missing() -> None:
    gap = logic.floor_gap("nice film", 40, 1)
    assert (gap.words, gap.words_missing, gap.timecodes, gap.timecodes_missing) == (2, 38, 0, 1)
    assert not gap.ok
    assert logic.floor_gap("word " * 40 + "1:00", 40, 1).ok


def test_timecode_beyond_runtime() -> None:
    codes = logic.parse_timecodes("0:30 then 5:01")
    late = logic.beyond_runtime(codes, 300)
    assert late is not None and late.text == "5:01"
    assert logic.beyond_runtime(codes, 301) is None
    assert logic.beyond_runtime(codes, None) is None


def test_copies_hash_alike_whatever_the_case_spacing_and_punctuation() -> None:
    assert logic.notes_hash("Great  cut at 1:23!") == logic.notes_hash("great cut at 1 23")
    assert logic.notes_hash("ＡＢＣ") == logic.notes_hash("abc")
    assert logic.notes_hash("great cut") != logic.notes_hash("great cuts")


def test_scores_must_all_be_given_and_in_range() -> None:
    assert logic.check_scores({"story": 1, "image": 5, "sound": 3, "edit": 2})["image"] == 5
    with pytest.raises(UserError) as missing:
        logic.check_scores({"story": 1, "image": None, "sound": 3})
    assert missing.value.key == "feedback.errors.scores_missing"
    assert missing.value.values["missing"] == "image, edit"
    with pytest.raises(UserError) as wrong:
        logic.check_scores({"story": 0, "image": 6, "sound": 3, "edit": 2})
    assert wrong.value.values["wrong"] == "story, image"


def test_fair_order_fewest_critiques_then_oldest_never_own_or_seen() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    items = [logic.QueueItem(1, 11, 100, 1, start),
             logic.QueueItem(2, 12, 101, 0, start + timedelta(hours=2)),
             logic.QueueItem(3, 13, 102, 0, start + timedelta(hours=1)),
             logic.QueueItem(4, 14, 7, 0, start),          # the reviewer's own film
             logic.QueueItem(5, 15, 103, 0, start)]        # already reviewed or skipped
    order = logic.fair_order(items, reviewer_id=7, seen_film_ids={15})
    assert [item.film_id for item in order] == [13, 12, 11]


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ConfigError, match="critiques_per_request"):
        parse_section(FeedbackSettings, {"critiques_per_request": 0}, "feedback")
    with pytest.raises(ConfigError, match="request_cost"):
        parse_section(FeedbackSettings, {"request_cost": -1}, "feedback")
