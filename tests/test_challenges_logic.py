"""Pure rules of challenges: places with ties, points, streaks, typed times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import UserError
from cogs.challenges.logic import parse_when, rank, shuffled, streak

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_ties_share_places_and_points_and_the_next_place_skips() -> None:
    placed = rank([(1, 5), (2, 5), (3, 2), (4, 1), (5, 0)])
    assert [(p.entry_id, p.place, p.points) for p in placed] == [(1, 1, 3), (2, 1, 3), (3, 3, 1), (4, 4, 0),
                                                                 (5, 5, 0)]


def test_no_votes_earn_no_points_even_in_first_place() -> None:
    assert [(p.place, p.points) for p in rank([(1, 0), (2, 0)])] == [(1, 0), (1, 0)]


def test_streak_counts_back_from_the_newest() -> None:
    assert streak([1, 2, 3, 4], [1, 3, 4]) == 2
    assert streak([1, 2, 3], [1, 2]) == 0


def test_shuffle_is_the_same_on_every_retry() -> None:
    assert shuffled([1, 2, 3, 4, 5], 7) == shuffled([1, 2, 3, 4, 5], 7)
    assert sorted(shuffled([1, 2, 3, 4, 5], 7)) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("raw", "zone", "expected"), [
    ("2026-12-07 09:00", "Europe/Berlin", datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
    ("2026-12-07T09:00+01:00", "Asia/Shanghai", datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
    ("2026-12-07T09:00Z", "Europe/Berlin", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
    ("5d", "Europe/Berlin", NOW + timedelta(days=5)),
    ("1d12h", "UTC", NOW + timedelta(days=1, hours=12)),
])
def test_times_in_the_community_zone_offsets_and_durations(raw: str, zone: str, expected: datetime) -> None:
    assert parse_when(raw, zone=zone, base=NOW) == expected


def test_unreadable_times_say_how_to_write_them() -> None:
    with pytest.raises(UserError) as caught:
        parse_when("next friday", zone="UTC", base=NOW)
    assert caught.value.key == "challenges.errors.when"
