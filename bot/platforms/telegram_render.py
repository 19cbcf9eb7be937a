"""Neutral messages -> Telegram HTML chunks and inline keyboards.

Every piece of user text is escaped with html.escape(quote=False), so `<b>`, `&` and `@channel` in a title
arrive literally. Output is built line by line, each line with balanced tags, so a message longer than
Telegram's limit (4096 characters after entity parsing, counted in UTF-16 code units) splits between lines
and never inside a tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ReactionEmoji

from bot.models import Button, Card, ChatName, Link, Message, Moment, Segment, Strong, Text
from bot.platforms.plain import labelled, render_moment

# The only emoji a Telegram user can react with (a fixed set; ⭐ is not in it), as PTB lists them.
REACTION_EMOJI = frozenset(member.value for member in ReactionEmoji)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
TOAST_LIMIT = 200  # characters of answerCallbackQuery's text
BUTTONS_PER_ROW = 3


@dataclass(frozen=True)
class Line:
    """One line of output: its HTML and the text Telegram will show (what the length limit counts)."""

    html: str
    plain: str


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def _tagged(tag: str, text: str, attrs: str = "") -> list[Line]:
    """A formatted run as lines, closing and reopening the tag at each line break."""
    return [Line(f"<{tag}{attrs}>{escape(part)}</{tag}>" if part else "", part) for part in text.split("\n")]


def _segment_lines(segment: Segment, zone: str) -> list[Line]:
    if isinstance(segment, str):
        return [Line(escape(part), part) for part in segment.split("\n")]
    if isinstance(segment, Moment):
        shown = render_moment(segment, zone)
        return [Line(escape(shown), shown)]
    if isinstance(segment, Strong):
        return _tagged("b", segment.text)
    if isinstance(segment, ChatName):
        return [Line(escape(segment.name), segment.name)]
    assert isinstance(segment, Link)
    return _tagged("a", segment.label or segment.url, f' href="{html.escape(segment.url, quote=True)}"')


def text_lines(text: Text, zone: str) -> list[Line]:
    """Text as lines; segments join within a line, a newline inside any segment starts a new one."""
    lines = [Line("", "")]
    for segment in text.segments:
        parts = _segment_lines(segment, zone)
        head = lines.pop()
        lines.append(Line(head.html + parts[0].html, head.plain + parts[0].plain))
        lines.extend(parts[1:])
    return lines


def card_lines(card: Card, zone: str) -> list[Line]:
    title = escape(card.title)
    if card.url:
        title = f'<a href="{html.escape(card.url, quote=True)}">{title}</a>'
    lines = [Line(f"<b>{title}</b>", card.title)]
    if card.description:
        lines.extend(text_lines(card.description, zone))
    for field in card.fields:
        value = text_lines(field.value, zone)
        name = labelled(field.name)
        lines.append(Line(f"<b>{escape(name)}</b>{value[0].html}", name + value[0].plain))
        lines.extend(value[1:])
    if card.footer:
        lines.extend(Line(f"<i>{escape(part)}</i>" if part else "", part) for part in card.footer.split("\n"))
    return lines


def message_lines(message: Message, zone: str) -> list[Line]:
    lines = text_lines(message.text, zone) if message.text else []
    if message.card is not None:
        if lines:
            lines.append(Line("", ""))
        lines.extend(card_lines(message.card, zone))
    return lines


def split_lines(lines: Iterable[Line], limit: int = TEXT_LIMIT) -> list[str]:
    """Pack lines into chunks whose shown text fits `limit` UTF-16 units (overlong lines: cut, plain)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        for piece in _fitting(line, limit):
            extra = utf16_len(piece.plain) + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size, extra = [], 0, utf16_len(piece.plain)
            current.append(piece.html)
            size += extra
    if current and any(part.strip() for part in current):
        chunks.append("\n".join(current).strip("\n"))
    return [chunk for chunk in chunks if chunk.strip()]


def _fitting(line: Line, limit: int) -> list[Line]:
    if utf16_len(line.plain) <= limit:
        return [line]
    # Only a single line longer than a whole message gets here; it loses its formatting, never its text,
    # and breaks between words (inside a word only when one word alone is too long).
    pieces: list[str] = []
    current, size = "", 0
    for word in re.split(r"(?<=\s)", line.plain):
        for part in _hard_split(word, limit):
            width = utf16_len(part)
            if current and size + width > limit:
                pieces.append(current)
                current, size = "", 0
            current, size = current + part, size + width
    if current:
        pieces.append(current)
    return [Line(escape(piece.rstrip()), piece.rstrip()) for piece in pieces if piece.strip()]


def _hard_split(word: str, limit: int) -> list[str]:
    if utf16_len(word) <= limit:
        return [word]
    parts, current, size = [], "", 0
    for char in word:
        width = utf16_len(char)
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current, size = current + char, size + width
    return [*parts, current] if current else parts


def render_chunks(message: Message, zone: str, limit: int = TEXT_LIMIT) -> list[str]:
    return split_lines(message_lines(message, zone), limit)


def keyboard(buttons: tuple[Button, ...], callback_data: Callable[[str], str]) -> InlineKeyboardMarkup | None:
    """Buttons in rows of BUTTONS_PER_ROW; `callback_data` maps a custom id to at most 64 bytes."""
    if not buttons:
        return None
    row: list[InlineKeyboardButton] = []
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        row.append(InlineKeyboardButton(button.label, callback_data=callback_data(button.custom_id)))
        if len(row) == BUTTONS_PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def fits_callback_data(custom_id: str) -> bool:
    return len(custom_id.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def fits_toast(message: Message) -> bool:
    """Whether a message can be a button's toast: one short line of plain text, nothing to press or open
    (a longer account, such as a list, stays a message)."""
    if message.card is not None or message.all_buttons or message.attachment is not None:
        return False
    shown = message.text.plain()
    return 0 < len(shown) <= TOAST_LIMIT and "\n" not in shown and \
        not any(isinstance(part, Link) for part in message.text.segments)
