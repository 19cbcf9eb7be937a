"""How the gallery looks: a page of entries with a Vote choice each (a select menu on Discord, buttons
elsewhere) and Prev / Next / Watch, and the one entry `/watch` hands out.

A page's buttons carry where they lead (challenge, category, page) and whether the page is the shared
post in the channel or one person's own: turning a shared page would turn it for everyone, so it opens
a private page instead, and a private page turns in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import Translator
from bot.models import Button, ButtonStyle, Link, Menu, Message
from cogs.challenges.repository import Challenge, Entry
from cogs.films.api import format_runtime

PAGE_ACTION = "challenges.page"
WATCH_ACTION = "challenges.watch"
VOTE_ACTION = "challenges.vote"


@dataclass(frozen=True)
class Place:
    """A position in a challenge's gallery: `category` 0 for every entry, else its 1-based number."""

    challenge_id: int
    category: int
    page: int = 1
    shared: bool = False

    @property
    def arg(self) -> str:
        return f"{self.challenge_id}:{self.category}:{self.page}:{'s' if self.shared else 'p'}"

    @classmethod
    def parse(cls, arg: str) -> Place | None:
        parts = arg.split(":")
        if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]) or parts[3] not in ("s", "p"):
            return None
        return cls(int(parts[0]), int(parts[1]), max(int(parts[2]), 1), parts[3] == "s")

    def to(self, page: int, *, shared: bool | None = None) -> Place:
        """Another page of the same gallery, shared or not as this one unless told."""
        return Place(self.challenge_id, self.category, page, self.shared if shared is None else shared)


def category_name(challenge: Challenge, index: int) -> str:
    return challenge.categories[index - 1] if 0 < index <= len(challenge.categories) else ""


def page(challenge: Challenge, place: Place, entries: Sequence[Entry], total: int, size: int,
         t: Translator) -> Message:
    pages = max((total + size - 1) // size, 1)
    category = category_name(challenge, place.category)
    first = (place.page - 1) * size + 1
    header = t("challenges.gallery.header_category" if category else "challenges.gallery.header",
               id=challenge.id, theme=challenge.theme, category=category, first=min(first, total),
               last=min(first + len(entries) - 1, total), total=total, page=place.page, pages=pages)
    lines = [header]
    lines += [t("challenges.gallery.line", entry=entry.id, title=Link(entry.title, entry.link), maker=entry.maker,
                runtime=format_runtime(entry.runtime_seconds)) for entry in entries]
    if not entries:
        lines.append(t("challenges.gallery.empty"))
    lines.append(t("challenges.gallery.hint"))
    votes = tuple(Button(t.s("challenges.gallery.vote", entry=entry.id), VOTE_ACTION, str(entry.id),
                         ButtonStyle.PRIMARY) for entry in entries)
    buttons: list[Button] = []
    if place.page > 1:
        buttons.append(Button(t.s("challenges.gallery.prev"), PAGE_ACTION, place.to(place.page - 1).arg))
    if place.page < pages:
        buttons.append(Button(t.s("challenges.gallery.next"), PAGE_ACTION, place.to(place.page + 1).arg))
    buttons.append(Button(t.s("challenges.gallery.watch"), WATCH_ACTION, place.to(1).arg))
    menu = Menu(t.s("challenges.gallery.choose"), votes) if votes else None
    return Message(t.join(lines), buttons=tuple(buttons), menu=menu)


def watched(challenge: Challenge, place: Place, entry: Entry, t: Translator) -> Message:
    text = t.join([t("challenges.watch.header", id=challenge.id, theme=challenge.theme),
                   t("challenges.gallery.line", entry=entry.id, title=Link(entry.title, entry.link),
                     maker=entry.maker, runtime=format_runtime(entry.runtime_seconds))])
    return Message(text, buttons=(Button(t.s("challenges.gallery.vote", entry=entry.id), VOTE_ACTION, str(entry.id),
                                         ButtonStyle.PRIMARY),
                                  Button(t.s("challenges.watch.next"), WATCH_ACTION, place.to(1, shared=False).arg)))
