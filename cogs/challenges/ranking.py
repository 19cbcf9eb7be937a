"""The results of a round, as pure rules: places overall and per category, and the jury's places.

Audience places come from the votes (ties share a place and its points, as `logic.rank`); per category the
same rule runs over that category's entries, with its own points. The jury's place comes from the
average of its scores, per category; an entry no juror scored has no jury place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cogs.challenges.logic import Placed, rank


@dataclass(frozen=True)
class Standing:
    """One entry's results."""

    entry_id: int
    category: str
    votes: int
    place: int                  # overall
    points: int                 # overall
    category_place: int
    category_points: int
    jury_score: float | None    # the average of the jurors' scores
    jury_place: int | None      # within the category, by jury score


def rank_round(entries: Sequence[tuple[int, str]], votes: Mapping[int, int], scores: Mapping[int, Sequence[int]],
               points: Sequence[int]) -> list[Standing]:
    """`entries` as (entry id, category), in entry order; the standings in overall order."""
    overall = {item.entry_id: item for item in rank([(eid, votes.get(eid, 0)) for eid, _ in entries], points)}
    categories: dict[str, list[int]] = {}
    for entry_id, category in entries:
        categories.setdefault(category, []).append(entry_id)
    category_place: dict[int, Placed] = {}
    jury: dict[int, tuple[float, int]] = {}
    for members in categories.values():
        for item in rank([(eid, votes.get(eid, 0)) for eid in members], points):
            category_place[item.entry_id] = item
        jury.update(jury_places({eid: scores[eid] for eid in members if scores.get(eid)}))
    ordered = sorted(overall.values(), key=lambda item: (item.place, item.entry_id))
    category_of = dict(entries)
    return [Standing(item.entry_id, category_of[item.entry_id], item.votes, item.place, item.points,
                     category_place[item.entry_id].place, category_place[item.entry_id].points,
                     jury[item.entry_id][0] if item.entry_id in jury else None,
                     jury[item.entry_id][1] if item.entry_id in jury else None) for item in ordered]


def jury_places(scores: Mapping[int, Sequence[int]]) -> dict[int, tuple[float, int]]:
    """Entry id -> (average score, place); equal averages share a place ("1, 1, 3")."""
    averages = sorted(((eid, sum(given) / len(given)) for eid, given in scores.items() if given),
                      key=lambda item: (-item[1], item[0]))
    out: dict[int, tuple[float, int]] = {}
    last_average, last_place = None, 0
    for index, (entry_id, average) in enumerate(averages):
        place = last_place if average == last_average else index + 1
        out[entry_id] = (round(average, 2), place)
        last_average, last_place = average, place
    return out
