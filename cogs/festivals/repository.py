"""SQL of the festivals cog for festivals and their deadline tiers (the tracker's lives in tracker/repository.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.storage import Database, Row, Tx
from bot.timeutil import from_db, to_db

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
FESTIVAL_COLUMNS = (
    "name",
    "url",
    "zone",
    "country",
    "city",
    "categories",
    "max_runtime_seconds",
    "premiere",
    "currency",
    "notification_date",
    "event_start",
    "event_end",
)


@dataclass(frozen=True)
class Festival:
    id: int
    community_id: int
    name: str
    url: str
    zone: str
    country: str
    city: str
    categories: tuple[str, ...]
    max_runtime_seconds: int | None
    premiere: str
    currency: str
    notification_date: date | None
    event_start: date | None
    event_end: date | None
    revision: int


@dataclass(frozen=True)
class Deadline:
    festival_id: int
    tier: str
    local: datetime  # naive wall time in the festival's zone
    due_at: datetime  # UTC
    fee_cents: int | None


@dataclass(frozen=True)
class Upcoming:
    """A deadline with what a listing needs of its festival."""

    festival_id: int
    name: str
    currency: str
    tier: str
    due_at: datetime
    fee_cents: int | None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _festival(row: Row) -> Festival:
    return Festival(
        id=row["id"],
        community_id=row["community_id"],
        name=row["name"],
        url=row["url"],
        zone=row["zone"],
        country=row["country"],
        city=row["city"],
        categories=tuple(c for c in row["categories"].split(",") if c),
        max_runtime_seconds=row["max_runtime_seconds"],
        premiere=row["premiere"],
        currency=row["currency"],
        notification_date=_day(row["notification_date"]),
        event_start=_day(row["event_start"]),
        event_end=_day(row["event_end"]),
        revision=row["revision"],
    )


def _deadline(row: Row) -> Deadline:
    return Deadline(
        row["festival_id"],
        row["tier"],
        datetime.strptime(row["local"], LOCAL_FORMAT),
        from_db(row["due_at"]),
        row["fee_cents"],
    )


def _column_value(key: str, value: Any) -> Any:
    if key == "categories":
        return "," + ",".join(value) + "," if value else ""
    if isinstance(value, date):
        return value.isoformat()
    return value


class FestivalRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- festivals -------------------------------------------------------------------------------------------

    async def add(self, tx: Tx, community_id: int, fields: dict[str, Any], now: datetime) -> int:
        assert set(fields) <= set(FESTIVAL_COLUMNS), "unknown festival column"
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        cursor = await tx.execute(
            f"INSERT INTO festivals (community_id, {names}, created_at) VALUES (?, {marks}, ?)",
            (community_id, *(_column_value(k, v) for k, v in fields.items()), to_db(now)),
        )
        return int(cursor.lastrowid or 0)

    async def update(self, tx: Tx, festival_id: int, fields: dict[str, Any]) -> None:
        assert set(fields) <= set(FESTIVAL_COLUMNS), "unknown festival column"
        if not fields:
            return
        assignments = ", ".join(f"{key} = ?" for key in fields)
        await tx.execute(
            f"UPDATE festivals SET {assignments} WHERE id = ?",
            (*(_column_value(k, v) for k, v in fields.items()), festival_id),
        )

    async def bump_revision(self, tx: Tx, festival_id: int) -> int:
        await tx.execute("UPDATE festivals SET revision = revision + 1 WHERE id = ?", (festival_id,))
        row = await tx.fetchone("SELECT revision FROM festivals WHERE id = ?", (festival_id,))
        assert row is not None
        return int(row[0])

    async def delete(self, tx: Tx, festival_id: int) -> None:
        await tx.execute("DELETE FROM festivals WHERE id = ?", (festival_id,))

    async def get(self, festival_id: int, tx: Tx | None = None) -> Festival | None:
        sql, params = "SELECT * FROM festivals WHERE id = ?", (festival_id,)
        row = await (tx.fetchone(sql, params) if tx else self.db.fetchone(sql, params))
        return _festival(row) if row else None

    async def by_name(self, community_id: int, name: str, tx: Tx | None = None) -> Festival | None:
        sql = "SELECT * FROM festivals WHERE community_id = ? AND name = ? COLLATE NOCASE"
        row = await (
            tx.fetchone(sql, (community_id, name)) if tx else self.db.fetchone(sql, (community_id, name))
        )
        return _festival(row) if row else None

    async def named_like(self, community_id: int, text: str, limit: int = 25) -> list[Festival]:
        rows = await self.db.fetchall(
            "SELECT * FROM festivals WHERE community_id = ? AND (name LIKE ? OR CAST(id AS TEXT) = ?) "
            "ORDER BY name LIMIT ?",
            (community_id, f"%{text}%", text, limit),
        )
        return [_festival(row) for row in rows]

    async def all(self, community_id: int | None = None, category: str | None = None) -> list[Festival]:
        where, params = _festival_filter(community_id, category)
        rows = await self.db.fetchall(f"SELECT * FROM festivals f WHERE {where} ORDER BY id", params)
        return [_festival(row) for row in rows]

    # -- deadlines -------------------------------------------------------------------------------------------

    async def deadlines(self, festival_id: int, tx: Tx | None = None) -> list[Deadline]:
        sql = "SELECT * FROM festival_deadlines WHERE festival_id = ? ORDER BY due_at, rank"
        rows = await (tx.fetchall(sql, (festival_id,)) if tx else self.db.fetchall(sql, (festival_id,)))
        return [_deadline(row) for row in rows]

    async def deadlines_of(self, festival_ids: list[int]) -> dict[int, list[Deadline]]:
        out: dict[int, list[Deadline]] = {fid: [] for fid in festival_ids}
        for start in range(0, len(festival_ids), 500):
            chunk = festival_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT * FROM festival_deadlines WHERE festival_id IN ({marks}) ORDER BY due_at, rank",
                chunk,
            )
            for row in rows:
                out[row["festival_id"]].append(_deadline(row))
        return out

    async def set_deadline(
        self,
        tx: Tx,
        festival: Festival,
        tier: str,
        rank: int,
        local: datetime,
        due_at: datetime,
        fee_cents: int | None,
    ) -> None:
        await tx.execute(
            "INSERT INTO festival_deadlines (festival_id, community_id, tier, rank, local, due_at, "
            "fee_cents) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (festival_id, tier) DO UPDATE SET "
            "local = excluded.local, due_at = excluded.due_at, fee_cents = excluded.fee_cents",
            (
                festival.id,
                festival.community_id,
                tier,
                rank,
                local.strftime(LOCAL_FORMAT),
                to_db(due_at),
                fee_cents,
            ),
        )

    async def remove_deadline(self, tx: Tx, festival_id: int, tier: str) -> None:
        await tx.execute(
            "DELETE FROM festival_deadlines WHERE festival_id = ? AND tier = ?", (festival_id, tier)
        )

    async def upcoming(
        self,
        community_id: int,
        after: datetime,
        until: datetime,
        *,
        category: str | None,
        max_fee_cents: int | None,
        limit: int,
    ) -> list[Upcoming]:
        """Deadlines (not openings) between the two instants, soonest first."""
        sql = (
            "SELECT d.festival_id, f.name, f.currency, d.tier, d.due_at, d.fee_cents "
            "FROM festival_deadlines d JOIN festivals f ON f.id = d.festival_id "
            "WHERE d.community_id = ? AND d.due_at > ? AND d.due_at <= ? AND d.tier != 'opening' "
        )
        params: list[Any] = [community_id, to_db(after), to_db(until)]
        if category:
            sql += "AND f.categories LIKE ? "
            params.append(f"%,{category.lower()},%")
        if max_fee_cents is not None:
            sql += "AND (d.fee_cents IS NULL OR d.fee_cents <= ?) "
            params.append(max_fee_cents)
        rows = await self.db.fetchall(sql + "ORDER BY d.due_at, d.rank LIMIT ?", (*params, limit))
        return [Upcoming(row[0], row[1], row[2], row[3], from_db(row[4]), row[5]) for row in rows]

    async def fitting(
        self,
        community_id: int,
        after: datetime,
        *,
        runtime_seconds: int | None,
        genre: str | None,
        limit: int,
    ) -> list[Upcoming]:
        """Each festival's next open deadline, for festivals whose runtime cap and categories fit."""
        sql = (
            "SELECT d.festival_id, f.name, f.currency, d.tier, d.due_at, d.fee_cents, "
            "ROW_NUMBER() OVER (PARTITION BY d.festival_id ORDER BY d.due_at, d.rank) AS nth "
            "FROM festival_deadlines d JOIN festivals f ON f.id = d.festival_id "
            "WHERE d.community_id = ? AND d.due_at > ? AND d.tier != 'opening' "
        )
        params: list[Any] = [community_id, to_db(after)]
        if runtime_seconds is not None:
            sql += "AND (f.max_runtime_seconds IS NULL OR f.max_runtime_seconds >= ?) "
            params.append(runtime_seconds)
        if genre:
            sql += "AND (f.categories = '' OR f.categories LIKE ?) "
            params.append(f"%,{genre.lower()},%")
        rows = await self.db.fetchall(
            f"SELECT * FROM ({sql}) AS upcoming WHERE nth = 1 ORDER BY due_at, festival_id LIMIT ?", (*params, limit)
        )
        return [Upcoming(row[0], row[1], row[2], row[3], from_db(row[4]), row[5]) for row in rows]


def _festival_filter(community_id: int | None, category: str | None) -> tuple[str, list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if community_id is not None:
        where.append("f.community_id = ?")
        params.append(community_id)
    if category:
        where.append("f.categories LIKE ?")
        params.append(f"%,{category.lower()},%")
    return " AND ".join(where), params
