"""How challenges look: announcements, entry cards and results, as neutral content."""

from __future__ import annotations

from bot.i18n import Translator
from bot.models import Account, Button, ButtonStyle, Card, CardField, Message, Moment, Text
from cogs.challenges.repository import Challenge, Entry
from cogs.films.logic import format_runtime


def cap_text(challenge: Challenge, t: Translator) -> str:
    if challenge.max_runtime is None:
        return t.s("challenges.no_cap")
    return format_runtime(challenge.max_runtime)


def opened(challenge: Challenge, t: Translator) -> Message:
    lines = [t("challenges.open.title", id=challenge.id, theme=challenge.theme)]
    if challenge.brief:
        lines.append(Text.of(challenge.brief))
    lines.append(t("challenges.open.rules", id=challenge.id, cap=cap_text(challenge, t),
                   submit_until=Moment(challenge.submit_until, "FR"), vote_until=Moment(challenge.vote_until, "FR")))
    if challenge.categories:
        lines.append(t("challenges.open.categories", categories=", ".join(challenge.categories)))
    return Message(t.join(lines))


def voting_started(challenge: Challenge, count: int, emoji: str, t: Translator, *, gallery: bool = False) -> Message:
    key = "challenges.voting.started_gallery" if gallery else "challenges.voting.started"
    return Message(t(key, id=challenge.id, theme=challenge.theme, count=count, emoji=emoji,
                     vote_until=Moment(challenge.vote_until, "FR")))


def no_entries(challenge: Challenge, t: Translator) -> Message:
    return Message(t("challenges.voting.no_entries", id=challenge.id, theme=challenge.theme))


def entry_card(challenge: Challenge, entry: Entry, number: int, total: int, emoji: str,
               t: Translator, maker_accounts: tuple[Account, ...] = ()) -> Message:
    card = Card(title=entry.title, url=entry.link,
                fields=(CardField(t.s("challenges.entry.maker"), Text.of(entry.maker)),
                        CardField(t.s("challenges.entry.runtime"), Text.of(format_runtime(entry.runtime_seconds)))),
                footer=t.s("challenges.entry.footer", entry=entry.id, emoji=emoji), kind="challenge",
                author=entry.maker, author_accounts=maker_accounts)
    return Message(t("challenges.entry.header", id=challenge.id, number=number, total=total),
                   card=card, buttons=(Button(t.s("challenges.entry.vote"), "challenges.vote", str(entry.id),
                                              ButtonStyle.PRIMARY),))


def summary(challenge: Challenge, t: Translator) -> Text:
    return t("challenges.list.line", id=challenge.id, theme=challenge.theme,
             state=t.s(f"challenges.state.{challenge.state}"), submit_until=Moment(challenge.submit_until, "FR"),
             vote_until=Moment(challenge.vote_until, "FR"))


def reminder(challenge: Challenge, phase: str, t: Translator) -> Message:
    """"24 h left": to enter while submissions are open, to vote while voting is."""
    deadline = challenge.submit_until if phase == "submissions" else challenge.vote_until
    return Message(t(f"challenges.remind.{phase}", id=challenge.id, theme=challenge.theme,
                     until=Moment(deadline, "FR")))
