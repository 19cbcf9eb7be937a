"""A film's discussion: replies to its cards (and replies to those replies), and on Discord the messages
in the thread under its announcement, gathered under the film; `/film` shows how many and the latest.

Replies come as the neutral "reply" event. A burst of them is handled concurrently, so a reply to a
reply may arrive while its parent is still being recorded: each reply takes its place in `_in_flight`
before its first await, and a reply to it waits for that instead of finding nothing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.cog import Room, button, listener
from bot.commands import parse_id
from bot.context import Context
from bot.errors import UserError
from bot.i18n import Translator
from bot.models import CardField, Link, MessageRef, Moment, ReplyEvent, Text
from cogs.films.discussion.repository import ReplyRepository
from cogs.films.repository import Film, FilmRepository

if TYPE_CHECKING:
    from bot.app import App

FILM_TAG = "films.film:"


class DiscussionRoom(Room):
    def __init__(self, app: App, films: FilmRepository, replies: ReplyRepository) -> None:
        self.app = app
        self.films = films
        self.replies = replies
        self._in_flight: dict[MessageRef, asyncio.Future[int | None]] = {}

    @listener("reply")
    async def on_reply(self, event: ReplyEvent) -> None:
        done: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._in_flight[event.message] = done  # before any await: replies to this one wait for it
        film_id: int | None = None
        try:
            film = await self._film_answered(event.parent, event.parent_buttons)
            if film is not None:
                person = await self.app.directory.person_for(event.account, event.display_name, film.community_id)
                await self.replies.add(event.message, film.id, person.id, event.at)
                film_id = film.id
        finally:
            done.set_result(film_id)
            if self._in_flight.get(event.message) is done:
                del self._in_flight[event.message]

    async def _film_answered(self, parent: MessageRef, buttons: tuple[str, ...]) -> Film | None:
        """The film whose card `parent` is, or whose discussion it belongs to; None for anything else
        (ordinary chatter: nothing is written, nobody is answered). A card not (yet) recorded as sent is
        known by its Discuss button."""
        pending = self._in_flight.get(parent)
        if pending is not None:
            film_id = await asyncio.shield(pending)
        else:
            tagged = await self.app.sent.tag_of(parent)
            if tagged is not None and tagged[0].startswith(FILM_TAG):
                film_id = parse_id(tagged[0].removeprefix(FILM_TAG))
            else:
                film_id = await self.replies.film_of(parent) or _discussed(buttons)
        return None if film_id is None else await self.films.get(film_id)  # a deleted film takes none

    @button("films.discuss")
    async def press_discuss(self, ctx: Context, arg: str) -> None:
        """Telegram's card button: a toast saying how to join in and how lively it is."""
        film_id = parse_id(arg)
        film = await self.films.get(film_id, ctx.community.id) if film_id is not None else None
        if film is None:
            raise UserError("errors.stale_button")
        found = await self.replies.discussion(film.id)
        key = "films.discuss.answer" if found.replies else "films.discuss.first"
        await ctx.reply_private(ctx.t(key, title=film.title, count=found.replies,
                                      latest=Moment(found.latest, "f") if found.latest else ""))

    async def card_field(self, film: Film, ctx: Context) -> CardField:
        """The discussion line of `/film`: how many replies and when the latest came, and a link to where
        it happens on the speaker's platform (Discord's thread, Telegram's card) when there is one."""
        t: Translator = ctx.t
        found = await self.replies.discussion(film.id)
        value = (t("films.discussion.count", count=found.replies, latest=Moment(found.latest, "f"))
                 if found.replies and found.latest else t("films.discussion.none"))
        link = await self._where(ctx, film)
        if link is not None:
            value = Text.of(value, " · ", Link(t.s("films.discussion.join"), link))
        return CardField(t.s("films.discussion.name"), value, inline=False)

    async def _where(self, ctx: Context, film: Film) -> str | None:
        platform = self.app.platforms.get(ctx.account.platform)
        if platform is None:
            return None
        cards = [ref for ref in await self.app.sent.refs_with_tag(f"{FILM_TAG}{film.id}")
                 if ref.platform == platform.name]
        return platform.discussion_link(cards[0]) if cards else None


def _discussed(buttons: tuple[str, ...]) -> int | None:
    """The film a card's Discuss button names (`films.discuss:<id>`), if it carries one."""
    for custom_id in buttons:
        action, _, arg = custom_id.partition(":")
        if action == "films.discuss":
            return parse_id(arg)
    return None
