"""How results look: one post however large the round (the winners per category and of the jury, the top
ten overall, streaks) with the podium's picture (its thumbnails from `tiles`), and the full ranking attached
as a CSV file when the post cannot hold it."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from PIL import Image

from bot.i18n import Translator
from bot.models import Attachment, Card, Message, Text
from cogs.challenges.ranking import Standing
from cogs.challenges.repository import Challenge, Entry
from cogs.challenges.results.podium import podium

TOP = 10  # entries listed in the post; the attachment has them all
MEDALS = {1: "🥇 ", 2: "🥈 ", 3: "🥉 "}


def results(challenge: Challenge, standings: Sequence[Standing], entries: dict[int, Entry],
            streaks: dict[int, int], t: Translator, tiles: Mapping[int, Image.Image | None]) -> Message:
    lines: list[Text] = []
    judged = any(item.jury_place is not None for item in standings)
    for category in challenge.categories:
        lines += _category_lines(category, [s for s in standings if s.category == category], entries, t)
    shown = list(standings[:TOP])
    whole = len(shown) == len(standings) and not challenge.categories and not judged
    if not whole:
        lines.append(t("challenges.results.top", count=len(shown), total=len(standings)))
    for item in shown:
        entry = entries[item.entry_id]
        lines.append(t("challenges.results.line", place=item.place, title=entry.title, maker=entry.maker,
                       votes=item.votes, points=item.points, medal=medal(item.place)))
    winners = [entries[item.entry_id].maker for item in standings if item.place == 1 and item.votes > 0]
    if winners:
        lines.append(t("challenges.results.winners", names=", ".join(winners), count=len(winners)))
    elif challenge.withdrawn:  # the votes went with a withdrawn entry: not a round nobody voted in
        lines.append(t("challenges.results.no_votes_left", count=challenge.withdrawn))
    else:
        lines.append(t("challenges.results.no_votes"))
    if judged and not challenge.categories:
        lines += _jury_lines([s for s in standings if s.jury_place == 1], entries, t)
    makers = {entries[item.entry_id].person_id for item in shown}
    for person_id, count in sorted(streaks.items(), key=lambda item: -item[1]):
        if count >= 2 and person_id in makers:
            name = next(entry.maker for entry in entries.values() if entry.person_id == person_id)
            lines.append(t("challenges.results.streak", name=name, count=count))
    if not whole:
        lines.append(t("challenges.results.attached"))
    card = Card(t.s("challenges.results.title", id=challenge.id, theme=challenge.theme), description=t.join(lines),
                kind="results", image=podium(challenge, standings, entries, t, tiles))
    return Message(card=card, attachment=None if whole else ranking_csv(challenge, standings, entries))


def medal(place: int) -> str:
    """🥇, 🥈 and 🥉 before the first three places (shared places share the medal)."""
    return MEDALS.get(place, "")


def _category_lines(category: str, members: Sequence[Standing], entries: dict[int, Entry],
                    t: Translator) -> list[Text]:
    lines = [t("challenges.results.category", category=category, count=len(members))]
    audience = [item for item in members if item.category_place == 1 and item.votes > 0]
    if audience:
        lines += [t("challenges.results.audience", title=entries[item.entry_id].title,
                    maker=entries[item.entry_id].maker, votes=item.votes) for item in audience]
    else:
        lines.append(t("challenges.results.category_no_votes"))
    return lines + _jury_lines([item for item in members if item.jury_place == 1], entries, t)


def _jury_lines(prized: Sequence[Standing], entries: dict[int, Entry], t: Translator) -> list[Text]:
    return [t("challenges.results.jury", title=entries[item.entry_id].title, maker=entries[item.entry_id].maker,
              score=f"{item.jury_score:.1f}") for item in prized]


def ranking_csv(challenge: Challenge, standings: Sequence[Standing], entries: dict[int, Entry]) -> Attachment:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["place", "entry", "title", "maker", "category", "votes", "points", "category_place",
                     "category_points", "jury_score", "jury_place"])
    for item in standings:
        entry = entries[item.entry_id]
        writer.writerow([item.place, item.entry_id, entry.title, entry.maker, item.category, item.votes,
                         item.points, item.category_place, item.category_points,
                         "" if item.jury_score is None else f"{item.jury_score:.2f}",
                         "" if item.jury_place is None else item.jury_place])
    return Attachment(f"challenge-{challenge.id}-results.csv", out.getvalue().encode("utf-8"), "text/csv")
