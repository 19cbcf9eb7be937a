"""Plain-text rendering of neutral messages (the console, logs, and plain fallbacks)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n.formats import moment_text
from bot.models import Card, ChatName, Link, Message, Moment, Segment, Strong, Text


def render_moment(moment: Moment, zone: str) -> str:
    return moment_text(moment.when.astimezone(ZoneInfo(zone)), moment.style, moment.lang)


def labelled(name: str) -> str:
    """A card field's label with its colon: full-width after a Chinese label (`片长：`), else `Runtime: `."""
    return f"{name}：" if name and "\u2e80" <= name[-1] <= "\u9fff" else f"{name}: "


def render_text(text: Text, zone: str) -> str:
    return "".join(_segment(segment, zone) for segment in text.segments)


def _segment(segment: Segment, zone: str) -> str:
    if isinstance(segment, str):
        return segment
    if isinstance(segment, Moment):
        return render_moment(segment, zone)
    if isinstance(segment, Strong):
        return segment.text
    if isinstance(segment, ChatName):
        return segment.name
    assert isinstance(segment, Link)
    return f"{segment.label} ({segment.url})" if segment.label != segment.url else segment.url


def render_card(card: Card, zone: str) -> list[str]:
    lines = [card.title + (f" — {card.url}" if card.url else "")]
    if card.description:
        lines.extend(render_text(card.description, zone).splitlines())
    inline = [labelled(field.name) + render_text(field.value, zone) for field in card.fields if field.inline]
    if inline:
        lines.append(" · ".join(inline))
    for field in card.fields:
        if not field.inline:
            lines.append(labelled(field.name) + render_text(field.value, zone))
    if card.thumbnail:
        lines.append(f"(picture: {card.thumbnail})")
    if card.image:
        lines.append(f"(picture: {card.image.filename})")
    if card.footer:
        lines.append(card.footer)
    return lines


def render_message(message: Message, zone: str) -> list[str]:
    """Lines of plain text: the text, then the card, then an attachment's name (buttons: see button_line)."""
    lines = render_text(message.text, zone).splitlines() if message.text else []
    if message.card is not None:
        lines.extend(render_card(message.card, zone))
    if message.attachment is not None:
        lines.append(f"(file: {message.attachment.filename}, {len(message.attachment.data)} bytes)")
    return lines or [""]


def button_line(message: Message) -> str | None:
    if not message.all_buttons:
        return None
    return "  " + " ".join(f"[{button.label}]" for button in message.all_buttons)
