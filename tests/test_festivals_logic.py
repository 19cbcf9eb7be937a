"""Pure rules of the festivals cog: local times in a zone, fees, fee rises, reminder offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import UserError
from cogs.festivals import logic


def test_local_times_resolve_in_the_zone() -> None:
    assert logic.resolve_local(logic.parse_local("2027-01-10 23:59"), "Europe/Berlin").instant == datetime(
        2027, 1, 10, 22, 59, tzinfo=UTC
    )
    assert logic.parse_local("2027-01-10") == datetime(2027, 1, 10, 23, 59)
    assert logic.parse_local("2027-01-10T08:05") == datetime(2027, 1, 10, 8, 5)


def test_spring_forward_gap_is_refused_and_autumn_fold_takes_the_first() -> None:
    with pytest.raises(UserError) as caught:
        logic.resolve_local(datetime(2027, 3, 14, 2, 30), "America/New_York")
    assert caught.value.key == "festivals.errors.no_such_time"
    fold = logic.resolve_local(datetime(2027, 11, 7, 1, 30), "America/New_York")
    assert fold.ambiguous and fold.instant == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "cents"), [("25", 2500), ("12.5", 1250), ("12,50", 1250), ("€8", 800), ("free", 0), (None, None)]
)
def test_fees(raw: str | None, cents: int | None) -> None:
    assert logic.parse_fee(raw) == cents


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("-1", "festivals.errors.fee_negative"),
        ("lots", "festivals.errors.fee"),
        ("nan", "festivals.errors.fee"),
        ("1e12", "festivals.errors.fee"),
    ],
)
def test_bad_fees(raw: str, key: str) -> None:
    with pytest.raises(UserError) as caught:
        logic.parse_fee(raw)
    assert caught.value.key == key


def test_fee_rises_only_before_a_dearer_tier() -> None:
    day = datetime(2027, 1, 1, tzinfo=UTC)
    tiers = [
        ("final", day + timedelta(days=30), 40),
        ("early", day, 10),
        ("regular", day + timedelta(days=10), 10),
        ("opening", day - timedelta(days=9), None),
    ]
    assert [(r[0], r[2]) for r in logic.fee_rises(tiers)] == [("regular", "final")]


def test_day_offsets_keep_the_local_wall_time_across_dst() -> None:
    deadline = datetime(2027, 3, 21, 3, 59, tzinfo=UTC)  # 23:59 EDT on 20 March
    assert logic.before(deadline, timedelta(days=7), "America/New_York") == datetime(
        2027, 3, 14, 4, 59, tzinfo=UTC
    )
    assert logic.before(deadline, timedelta(hours=12), "America/New_York") == deadline - timedelta(hours=12)


def test_offsets_from_config() -> None:
    assert logic.parse_offsets(("30d", "12h")) == [("30d", timedelta(days=30)), ("12h", timedelta(hours=12))]
    with pytest.raises(ValueError, match="soon"):
        logic.parse_offsets(("soon",))
