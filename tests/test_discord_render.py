"""Neutral messages rendered for Discord: escaping, times, embeds within limits, split content, buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Button, Card, CardField, Link, Message, Moment, Strong, Text
from bot.platforms.discord_render import render, render_text, split_content


def test_user_text_is_escaped_and_times_are_discord_timestamps() -> None:
    when = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    text = Text.of("Due ", Moment(when), " (", Moment(when, "R"), ") for ", Strong("*Night* @here"),
                   " by @everyone ", Link("the rules", "https://example.org/rules"))
    assert render_text(text) == (
        "Due <t:1796634000:F> (<t:1796634000:R>) for **\\*Night\\* @\u200bhere** by @\u200beveryone "
        "[the rules](https://example.org/rules)")


def test_long_content_splits_on_line_boundaries() -> None:
    lines = [f"line {i:04d} " + "x" * 80 for i in range(60)]
    chunks = split_content("\n".join(lines))
    assert len(chunks) == 3 and all(len(chunk) <= 2000 for chunk in chunks)
    assert "\n".join(chunks).split("\n") == lines  # nothing lost, no line broken
    assert [len(chunk) for chunk in split_content("y" * 4500)] == [2000, 2000, 500]


def test_card_becomes_an_embed_within_discord_limits() -> None:
    fields = tuple(CardField(f"field {i}", Text.of("v" * 2000)) for i in range(30))
    card = Card("T" * 300, url="https://vimeo.com/1", description=Text.of("d" * 5000), fields=fields,
                thumbnail="https://example.org/t.png", footer="Film #1")
    (part,) = render(Message(card=card))
    embed = part.embed
    assert embed is not None
    assert len(embed.title or "") == 256 and len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25 and all(len(field.value or "") <= 1024 for field in embed.fields)
    assert len(embed) <= 6000
    assert embed.thumbnail.url == "https://example.org/t.png" and embed.footer.text == "Film #1"


def test_buttons_keep_their_custom_ids_and_ride_on_the_last_message() -> None:
    message = Message(Text.of("a\n" * 1500), buttons=(Button("Vote", "challenges.vote", "12"),))
    parts = render(message)
    assert len(parts) == 2 and parts[0].view is None and parts[1].view is not None
    (item,) = parts[1].view.children
    assert getattr(item, "custom_id", None) == "challenges.vote:12" and getattr(item, "label", None) == "Vote"
    assert parts[1].view.timeout is None and not parts[1].view.is_dispatchable()
