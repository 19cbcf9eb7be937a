"""Outbox rows hold messages as JSON: what goes in comes back, and rows queued by an older version (without
the fields added since) still load, so an upgrade never strands a queued announcement."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.codec import dump_message, load_message
from bot.models import Account, Card, CardField, Countdown, Message, Moment, Text

DUE = datetime(2026, 12, 20, 23, 59, tzinfo=UTC)


def test_a_countdown_and_the_makers_accounts_survive_the_outbox() -> None:
    card = Card("Night Bus", "https://vimeo.com/76979871", fields=(CardField("Maker", Text.of("Ana")),),
                author="Ana", author_accounts=(Account("discord", "1234"), Account("telegram", "42")))
    message = Message(Text.of("deadline ", Countdown(DUE, "in 5 days 1 hour"), ": ", Moment(DUE)), card=card)
    loaded = load_message(dump_message(message))
    assert loaded == message
    assert loaded.text.plain() == "deadline in 5 days 1 hour: 2026-12-20 23:59 UTC"


def test_a_card_queued_before_cards_named_the_makers_accounts_still_loads() -> None:
    older = {"text": ["New film by Ana"], "buttons": [], "attachment": None,
             "card": {"title": "Night Bus", "url": "https://vimeo.com/76979871", "description": [],
                      "fields": [{"name": "Maker", "value": ["Ana"], "inline": True}], "thumbnail": None,
                      "footer": "Film #1", "kind": "film", "author": "Ana", "timestamp": None}}
    loaded = load_message(json.dumps(older))
    assert loaded.card is not None
    assert loaded.card.author == "Ana" and loaded.card.author_accounts == ()
    assert loaded.text.plain() == "New film by Ana"
