"""How the exchange speaks: critiques, score lines and summaries as neutral Text.

Notes are user data: they always travel as their own plain str segment, never inside a template.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.models import Button, CardField, Message, Text
from cogs.feedback.logic import DIMENSIONS, FloorGap
from cogs.feedback.repository import Critique, Summary


def scores_line(t: Translator, scores: dict[str, int]) -> Text:
    return t.join((t(f"feedback.dimension.{name}", score=scores[name]) for name in DIMENSIONS), " · ")


def critique_text(t: Translator, critique: Critique, *, show_reviewer: bool) -> Text:
    """The critique with its scores and notes; the reviewer's name only when `show_reviewer`."""
    if show_reviewer:
        key = "feedback.critique.header_anonymous_seen" if critique.anonymous else "feedback.critique.header"
        header = t(key, id=critique.id, film=critique.film_id, title=critique.film_title, reviewer=critique.reviewer)
    else:
        header = t("feedback.critique.header_anonymous", id=critique.id, film=critique.film_id,
                   title=critique.film_title)
    return Text.of(header, "\n", scores_line(t, critique.scores), "\n", critique.notes)


def for_maker(t: Translator, critique: Critique) -> Message:
    text = Text.of(critique_text(t, critique, show_reviewer=not critique.anonymous), "\n",
                   t("feedback.critique.thanks_hint", id=critique.id))
    return Message(text, buttons=(Button(t.s("feedback.button.helpful"), "feedback.thanks", str(critique.id)),))


def gap_text(t: Translator, gap: FloorGap, min_words: int, min_timecodes: int) -> Text:
    """Exactly what the notes lack, one line per missing thing."""
    lines = []
    if gap.words_missing:
        lines.append(t.plural("feedback.floor.words", gap.words, words=gap.words, minimum=min_words,
                              missing=gap.words_missing))
    if gap.timecodes_missing:
        lines.append(t("feedback.floor.timecodes", count=gap.timecodes, minimum=min_timecodes,
                       missing=gap.timecodes_missing))
    return t.join(lines)


def summary_fields(t: Translator, summary: Summary, queued: tuple[int, int] | None) -> list[CardField]:
    fields: list[CardField] = []
    if summary.count:
        averages = t.join((t(f"feedback.dimension.{name}", score=summary.averages[name]) for name in DIMENSIONS),
                          " · ")
        fields.append(CardField(t.s("feedback.card.name", count=summary.count), averages, inline=False))
    if queued is not None:
        fields.append(CardField(t.s("feedback.card.queue"), t("feedback.card.queue_value", have=queued[0],
                                                                wanted=queued[1])))
    return fields
