"""Neutral messages -> what discord.py sends: markdown content, an Embed, a View of buttons, a File.

User text is escaped (markdown and mentions) on top of the client's AllowedMentions.none(), so it
neither pings nor breaks formatting. Content over Discord's 2000 characters is split on line boundaries.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.models import (
    Attachment,
    Button,
    ButtonStyle,
    Card,
    ChatName,
    Link,
    Menu,
    Message,
    Moment,
    Segment,
    Strong,
    Text,
)

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
# One colour per kind of card, so a glance tells a film from a challenge, its results or a festival.
COLOURS = {"film": discord.Colour(0x3498DB), "challenge": discord.Colour(0xE67E22),
           "results": discord.Colour(0xF1C40F), "festival": discord.Colour(0x9B59B6)}
EMBED_TOTAL_LIMIT = 6000
LABEL_LIMIT = 80
BUTTONS_LIMIT = 25
OPTION_LIMIT = 100  # a select option's label and value
MENU_OPTIONS_LIMIT = 25
MENU_ID = "menu"  # the custom id of a message's select menu; the chosen value is the button's
_STYLES = {ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
           ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
           ButtonStyle.DANGER: discord.ButtonStyle.danger}


@dataclass
class Outgoing:
    """One Discord message: keyword arguments for send()/followup.send()/edit()."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    files: list[discord.File] = default(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"content": self.content}
        if self.embed is not None:
            out["embed"] = self.embed
        if self.view is not None:
            out["view"] = self.view
        if self.files:
            out["files"] = self.files
        return out


class RenderOnlyView(discord.ui.View):
    """Buttons drawn on a message. Presses are handled by the adapter's one persistent handler for every
    custom id (so they work after a restart), hence the view is not kept in discord.py's view store."""

    def is_dispatchable(self) -> bool:
        return False


# Characters that escape_markdown/escape_mentions may act on; text without them passes unchanged.
_SPECIAL = re.compile(r"[*`_~|>\[#\-@]")


@functools.lru_cache(maxsize=4096)  # help lists and cards repeat the same names on every call
def escape(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return escape_mentions(escape_markdown(text))


def render_segment(segment: Segment) -> str:
    if isinstance(segment, str):
        return escape(segment)
    if isinstance(segment, Moment):
        unix = int(segment.when.timestamp())
        if segment.style == "FR":  # every reader sees the date in their own zone and a live countdown
            return f"<t:{unix}:F> (<t:{unix}:R>)"
        return f"<t:{unix}:{segment.style}>"
    if isinstance(segment, Strong):
        return f"**{escape(segment.text)}**"
    if isinstance(segment, ChatName):  # a channel mention never pings; a server names no channel
        return f"<#{segment.chat_id}>" if segment.chat_id.isdigit() else escape(segment.name)
    assert isinstance(segment, Link)
    if segment.label == segment.url:
        return segment.url
    return f"[{escape(segment.label)}]({segment.url})"


def render_text(text: Text) -> str:
    return "".join(render_segment(segment) for segment in text.segments)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when shortened."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_content(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Chunks of at most `limit` characters, broken between lines; a single overlong line breaks between
    words, and never between an escaping backslash and the character it escapes."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            cut = _break_at(line, limit)
            chunks.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _break_at(line: str, limit: int) -> int:
    """Where to break an overlong line: after its last space within `limit` (if that keeps at least half a
    chunk), else at `limit`, moved back so an escape (`\\*`) stays whole."""
    space = line.rfind(" ", limit // 2, limit + 1)
    if space > 0:
        return space
    cut = limit
    while cut > 1 and _escapes_next(line, cut):
        cut -= 1
    return cut


def _escapes_next(line: str, cut: int) -> bool:
    """Whether the text before `cut` ends in an odd run of backslashes (one escaping line[cut])."""
    run = len(line[:cut]) - len(line[:cut].rstrip("\\"))
    return run % 2 == 1


def render_card(card: Card) -> discord.Embed:
    embed = discord.Embed(title=cut(escape_markdown(card.title), TITLE_LIMIT), url=card.url or None,
                          description=cut(render_text(card.description), DESCRIPTION_LIMIT) or None,
                          colour=COLOURS.get(card.kind or ""), timestamp=card.timestamp)
    if card.author:
        embed.set_author(name=cut(card.author, AUTHOR_LIMIT))
    for field in card.fields[:FIELDS_LIMIT]:
        value = cut(render_text(field.value), FIELD_VALUE_LIMIT) or "-"
        embed.add_field(name=cut(escape_markdown(field.name), FIELD_NAME_LIMIT) or "-", value=value,
                        inline=field.inline)
    if card.thumbnail:
        embed.set_thumbnail(url=card.thumbnail)
    if card.footer:
        embed.set_footer(text=cut(card.footer, FOOTER_LIMIT))
    _fit_total(embed)
    return embed


def _fit_total(embed: discord.Embed) -> None:
    """Drop trailing fields, then shorten the description, until the embed fits Discord's 6000 in total."""
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = cut(embed.description, max(1, len(embed.description) - excess))


def render_buttons(buttons: tuple[Button, ...], menu: Menu | None = None) -> discord.ui.View:
    """The buttons in rows of five, after the menu (a select of its own row) when there is one: each
    option's value is the custom id of the button it stands for, so choosing is pressing it."""
    view = RenderOnlyView(timeout=None)
    if menu is not None and menu.items:
        options = [discord.SelectOption(label=cut(item.label, OPTION_LIMIT), value=item.custom_id[:OPTION_LIMIT])
                   for item in menu.items[:MENU_OPTIONS_LIMIT]]
        view.add_item(discord.ui.Select(custom_id=MENU_ID, placeholder=cut(menu.placeholder, 150), options=options))
    for button in buttons[:BUTTONS_LIMIT - (5 if menu else 0)]:
        label = cut(button.label, LABEL_LIMIT)
        view.add_item(discord.ui.Button(custom_id=button.custom_id[:100], label=label,
                                        style=_STYLES[button.style]))
    return view


def edit_kwargs(message: Message) -> dict[str, Any]:
    """Keyword arguments for editing one message into `message`: an edit replaces one message, so text
    that would need several is cut to Discord's limit."""
    parts = render(message)
    content = "\n".join(part.content for part in parts if part.content)
    last = parts[-1]
    return {"content": cut(content, CONTENT_LIMIT) if content else None,
            "embeds": [last.embed] if last.embed else [], "view": last.view}


def render(message: Message) -> list[Outgoing]:
    """The Discord messages for one neutral message; embed, buttons and file ride on the last one."""
    chunks = split_content(render_text(message.text)) if message.text else []
    parts = [Outgoing(content=chunk) for chunk in chunks] or [Outgoing()]
    last = parts[-1]
    if message.card is not None:
        last.embed = render_card(message.card)
        if message.card.image is not None:  # shown inside the embed, uploaded with it
            last.files.append(_file(message.card.image))
            last.embed.set_image(url=f"attachment://{message.card.image.filename}")
    if message.buttons or message.menu:
        last.view = render_buttons(message.buttons, message.menu)
    if message.attachment is not None:
        last.files.append(_file(message.attachment))
    if last.content is None and last.embed is None and not last.files:
        last.content = "\u200b"  # Discord refuses an empty message; buttons alone need some content
    return parts


def _file(attachment: Attachment) -> discord.File:
    return discord.File(io.BytesIO(attachment.data), filename=attachment.filename)
