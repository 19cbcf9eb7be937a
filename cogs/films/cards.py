"""How films look: the card and the one-line listing, in neutral content."""

from __future__ import annotations

from bot.i18n import Translator
from bot.models import Account, Button, Card, CardField, Text
from cogs.films.genres import genre_label
from cogs.films.logic import format_runtime
from cogs.films.repository import Film


def film_card(film: Film, t: Translator, extra: tuple[CardField, ...] = (), *, discuss: bool = False,
              maker_accounts: tuple[Account, ...] = ()) -> Card:
    """`discuss`: the card is posted in a group, so it carries the way into its discussion (Telegram's
    Discuss button; Discord opens a thread instead). `maker_accounts`: the maker's accounts, so a platform
    can show their picture beside their name (Discord's avatar)."""
    fields = [CardField(t.s("films.card.maker"), Text.of(film.maker)),
              CardField(t.s("films.card.runtime"), Text.of(format_runtime(film.runtime_seconds)))]
    if film.genre:
        fields.append(CardField(t.s("films.card.genre"), Text.of(genre_label(t, film.genre))))
    if film.tags:
        fields.append(CardField(t.s("films.card.tags"), Text.of(", ".join(film.tags))))
    return Card(title=film.title, url=film.link, description=Text.of(film.logline) if film.logline else Text(),
                fields=(*fields, *extra), footer=t.s("films.card.footer", id=film.id), kind="film",
                thumbnail=film.thumbnail, author=film.maker, author_accounts=maker_accounts,
                timestamp=film.created_at,
                discuss=Button(t.s("films.discuss.button"), "films.discuss", str(film.id)) if discuss else None)


def film_line(film: Film, t: Translator) -> Text:
    details = [format_runtime(film.runtime_seconds)] if film.runtime_seconds else []
    if film.genre:
        details.append(genre_label(t, film.genre))
    shown = t("films.list.details", details=t.s("films.genre_separator").join(details)) if details else ""
    return t("films.list.line", id=film.id, title=film.title, maker=film.maker, details=shown)
