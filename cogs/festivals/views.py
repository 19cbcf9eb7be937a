"""How festivals look: the card, listing lines, reminder texts, in neutral content."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Translator
from bot.models import Card, CardField, Countdown, Moment, Text
from cogs.festivals.repository import Deadline, Festival, Upcoming


def tier_label(t: Translator, tier: str) -> Text:
    return t(f"festivals.tiers.{tier}")


def time_left(t: Translator, until: datetime, now: datetime) -> Countdown:
    """Live on Discord; elsewhere the phrase of the moment the message is made (`in 5 days 1 hour`)."""
    return Countdown(until, t.s("festivals.countdown", span=t.duration(until - now)))


def fee_text(t: Translator, cents: int | None, currency: str) -> Text:
    if cents is None:
        return t("festivals.fee.unknown")
    if cents == 0:
        return t("festivals.fee.free")
    return t("festivals.fee.amount", amount=t.money(cents, currency))


def upcoming_line(t: Translator, item: Upcoming, now: datetime) -> Text:
    return t(
        "festivals.list.line",
        when=Moment(item.due_at),
        name=item.name,
        id=item.festival_id,
        tier=tier_label(t, item.tier),
        fee=fee_text(t, item.fee_cents, item.currency),
        left=time_left(t, item.due_at, now),
    )


def deadline_field(t: Translator, festival: Festival, deadline: Deadline, now: datetime) -> CardField:
    state = time_left(t, deadline.due_at, now) if deadline.due_at > now else t("festivals.card.passed")
    value = t(
        "festivals.card.deadline",
        when=Moment(deadline.due_at),
        local=deadline.local.strftime("%Y-%m-%d %H:%M"),
        zone=festival.zone,
        fee=fee_text(t, deadline.fee_cents, festival.currency),
        state=state,
    )
    return CardField(t.s(f"festivals.tiers.{deadline.tier}"), value, inline=False)


def festival_card(t: Translator, festival: Festival, deadlines: list[Deadline], now: datetime) -> Card:
    fields: list[CardField] = []
    where = ", ".join(part for part in (festival.city, festival.country) if part)
    if where:
        fields.append(CardField(t.s("festivals.card.where"), Text.of(where)))
    if festival.categories:
        fields.append(CardField(t.s("festivals.card.categories"), Text.of(", ".join(festival.categories))))
    if festival.max_runtime_seconds:
        fields.append(
            CardField(
                t.s("festivals.card.max_runtime"),
                t("festivals.card.minutes", minutes=festival.max_runtime_seconds // 60),
            )
        )
    fields.append(CardField(t.s("festivals.card.zone"), Text.of(f"{festival.zone} · {festival.currency}")))
    if festival.premiere:
        fields.append(CardField(t.s("festivals.card.premiere"), Text.of(festival.premiere), inline=False))
    if festival.notification_date:
        fields.append(
            CardField(t.s("festivals.card.notification"), Text.of(festival.notification_date.isoformat()))
        )
    if festival.event_start:
        end = festival.event_end or festival.event_start
        span = festival.event_start.isoformat() + (
            "" if end == festival.event_start else f" – {end.isoformat()}"
        )
        fields.append(CardField(t.s("festivals.card.event"), Text.of(span)))
    fields.extend(deadline_field(t, festival, d, now) for d in deadlines)
    if not deadlines:
        fields.append(
            CardField(t.s("festivals.card.deadlines"), t("festivals.card.no_deadlines"), inline=False)
        )
    return Card(
        title=festival.name,
        url=festival.url or None,
        fields=tuple(fields),
        footer=t.s("festivals.card.footer", id=festival.id),
        kind="festival",
    )


def reminder_text(t: Translator, festival: Festival, deadline: Deadline, now: datetime) -> Text:
    return t(
        "festivals.reminder",
        name=festival.name,
        tier=tier_label(t, deadline.tier),
        left=time_left(t, deadline.due_at, now),
        when=Moment(deadline.due_at),
        fee=fee_text(t, deadline.fee_cents, festival.currency),
        url=festival.url or "—",
    )


def fee_rise_text(
    t: Translator, festival: Festival, deadline: Deadline, following: Deadline, now: datetime
) -> Text:
    return t(
        "festivals.fee_rise",
        name=festival.name,
        tier=tier_label(t, deadline.tier),
        fee=t.money(deadline.fee_cents or 0, festival.currency),  # a rise is only told between known fees
        next_fee=t.money(following.fee_cents or 0, festival.currency),
        left=time_left(t, deadline.due_at, now),
        when=Moment(deadline.due_at),
    )
