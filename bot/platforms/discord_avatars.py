"""The pictures of the Discord users the bot has met, for the author line of a card (a film's maker).

The bot runs without the members intent, so discord.py keeps no users of its own; each interaction and
reaction brings the user or member object, and its `display_avatar.url` (the server picture, else the
account's, else Discord's default) is kept here. A card never costs a request: a maker the bot has not
met since it started is shown by name alone.
"""

from __future__ import annotations

from collections import OrderedDict

import discord

from bot.models import Card

REMEMBERED = 10_000  # users kept, the least recently seen dropped first


class Avatars:
    def __init__(self, client: discord.Client, limit: int = REMEMBERED) -> None:
        self.client = client
        self.limit = limit
        self._urls: OrderedDict[int, str] = OrderedDict()

    def saw(self, user: discord.abc.User) -> None:
        self._urls[user.id] = user.display_avatar.url
        self._urls.move_to_end(user.id)
        if len(self._urls) > self.limit:
            self._urls.popitem(last=False)

    def url(self, user_id: str) -> str | None:
        """The picture of a Discord user id, from memory or the library's own cache; None when unknown."""
        if not user_id.isdigit():
            return None
        found = self._urls.get(int(user_id))
        if found is not None:
            return found
        user = self.client.get_user(int(user_id))
        return user.display_avatar.url if user is not None else None

    def of_author(self, card: Card) -> str | None:
        """The picture of a card's author through their Discord account, if they have one we know."""
        for account in card.author_accounts:
            if account.platform == "discord" and (found := self.url(account.user_id)) is not None:
                return found
        return None
