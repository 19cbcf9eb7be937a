"""How films look: the card and the one-line listing, in neutral content."""

from __future__ import annotations

from bot.i18n import Translator
from bot.models import Card, CardField, Text
from cogs.films.genres import genre_label
from cogs.films.logic import format_runtime
from cogs.films.repository import Film


def film_card(film: Film, t: Translator, extra: tuple[CardField, ...] = ()) -> Card:
    fields = [CardField(t.s("films.card.maker"), Text.of(film.maker)),
              CardField(t.s("films.card.runtime"), Text.of(format_runtime(film.runtime_seconds)))]
    if film.genre:
        fields.append(CardField(t.s("films.card.genre"), Text.of(genre_label(t, film.genre))))
    if film.tags:
        fields.append(CardField(t.s("films.card.tags"), Text.of(", ".join(film.tags))))
    return Card(title=film.title, url=film.link, description=Text.of(film.logline) if film.logline else Text(),
                fields=(*fields, *extra), footer=t.s("films.card.footer", id=film.id))


def film_line(film: Film, t: Translator) -> Text:
    details = [format_runtime(film.runtime_seconds)] if film.runtime_seconds else []
    if film.genre:
        details.append(genre_label(t, film.genre))
    shown = t("films.list.details", details=t.s("films.genre_separator").join(details)) if details else ""
    return t("films.list.line", id=film.id, title=film.title, maker=film.maker, details=shown)
