"""The feedback exchange through the console: each rule a user would notice."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.codec import load_message
from bot.models import Account, ChatRef, Invocation
from bot.platforms.console import ConsoleResponder
from bot.testing.harness import Harness, make_config
from tests.feedback_helpers import balance, count, give, notes, share


async def at_once(bot: Harness, *lines: str) -> str:
    """Run script lines concurrently (as two platforms delivering at the same instant); all they printed."""
    before = len(bot.lines)
    await asyncio.gather(*(bot.run(line) for line in lines))
    return "\n".join(bot.lines[before:])


async def test_two_first_requests_at_the_same_instant_get_one_free_place(bot: Harness) -> None:
    await bot.run('mia: /share https://example.com/m1 "M1"', 'mia: /share https://example.com/m2 "M2"')
    out = await at_once(bot, "mia: /feedback request 1", "mia: /feedback request 2")
    assert out.count("is in the feedback queue") == 1
    assert out.count("A request costs 2 credits and you have 0") == 1
    assert await balance(bot, "mia") == 0
    assert await count(bot, "feedback_requests") == 1


async def test_paid_requests_at_the_same_instant_never_overspend(bot: Harness) -> None:
    await share(bot, "bob", "carol", "dave")
    for index, maker in enumerate(("bob", "carol", "dave"), start=1):
        await bot.run(f"{maker}: /feedback request {index}")
    await bot.run('alice: /share https://example.com/a1 "A1"', 'alice: /share https://example.com/a2 "A2"',
                  'alice: /share https://example.com/a3 "A3"', "alice: /feedback request 4")
    for film in (1, 2, 3):
        assert "+1 credit" in await bot.text(give("alice", film, notes(f"f{film}x")))
    assert await balance(bot, "alice") == 3
    out = await at_once(bot, "alice: /feedback request 5", "alice: /feedback request 6")
    assert out.count("It cost 2 credits; your balance: 1") == 1
    assert out.count("A request costs 2 credits and you have 1") == 1
    assert await balance(bot, "alice") == 1
    # The ledger agrees with the balance: every credit that moved is written down once.
    moved = await bot.app.db.fetchval(
        "SELECT SUM(amount) FROM feedback_ledger l JOIN people p ON p.id = l.person_id WHERE p.display_name='alice'")
    assert moved == 1


async def test_own_film_cannot_be_critiqued_and_others_films_cannot_be_requested(bot: Harness) -> None:
    await share(bot, "alice", "bob")
    await bot.run("alice: /feedback request 1")
    assert "your own" in await bot.text(give("alice", 1, notes("own")))
    assert "belongs to bob; only its maker" in await bot.text("alice: /feedback request 2")
    assert await count(bot, "feedback_critiques") == 0


async def test_a_film_is_critiqued_once_per_reviewer(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    await bot.run(give("bob", 1, notes("first")))
    assert "already given a critique of film #1" in await bot.text(give("bob", 1, notes("second")))
    assert await count(bot, "feedback_critiques") == 1
    assert await balance(bot, "bob") == 1


async def test_empty_and_thin_critiques_are_refused_saying_what_is_missing(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    out = await bot.text("bob: /feedback give 1 story=4 image=3 sound=5 edit=4")
    assert "below the community's quality floor" in out
    assert "The notes have 0 words; at least 40 are needed (40 more)" in out
    assert "The notes have 0 timecodes; at least 1 are needed (1 more)" in out
    out = await bot.text(give("bob", 1, "word " * 45))
    assert "timecodes" in out and "words;" not in out
    out = await bot.text(give("bob", 1, "nice 1:23"))
    assert "The notes have 1 word; at least 40 are needed (39 more)" in out and "0 timecodes" not in out
    assert await count(bot, "feedback_critiques") == 0
    assert await balance(bot, "bob") == 0
    assert "is saved" in await bot.text(give("bob", 1, notes("real")))


async def test_copy_pasted_notes_earn_once(bot: Harness) -> None:
    await share(bot, "alice", "carol")
    await bot.run("alice: /feedback request 1", "carol: /feedback request 2")
    text = notes("same")
    assert "+1 credit" in await bot.text(give("bob", 1, text))
    out = await bot.text(give("bob", 2, text.upper().replace(".", "!")))
    assert "earns no credit: you have given these same notes before" in out
    assert await count(bot, "feedback_critiques") == 2
    assert await balance(bot, "bob") == 1


async def test_timecode_beyond_the_runtime_is_refused(bot: Harness) -> None:
    await share(bot, "alice")  # runtime 4:30
    await bot.run("alice: /feedback request 1")
    out = await bot.text(give("bob", 1, notes("late", code="4:31")))
    assert "The timecode 4:31 is past the end of film #1 (runtime 4:30)" in out
    assert await count(bot, "feedback_critiques") == 0
    assert "is saved" in await bot.text(give("bob", 1, notes("late", code="4:30")))


async def test_without_a_runtime_any_timecode_is_accepted(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/x "No Runtime"', "alice: /feedback request 1")
    assert "is saved" in await bot.text(give("bob", 1, notes("free", code="1:02:03")))


async def test_scores_outside_one_to_five_or_missing_are_refused(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    out = await bot.text(give("bob", 1, notes("x"), scores="story=6 image=3 sound=5 edit=4"))
    assert "story must be between 1 and 5" in out
    out = await bot.text(give("bob", 1, notes("x"), scores="story=4 image=3 edit=4"))
    assert "The sound is missing" in out and "Usage: /feedback give <film> story= image= sound= edit=" in out
    out = await bot.text(give("bob", 1, notes("x"), scores="story=four image=3 sound=5 edit=4"))
    assert "story must be a number" in out
    assert await count(bot, "feedback_critiques") == 0


async def test_typed_options_from_a_form_are_checked_too(bot: Harness) -> None:
    """Discord hands options over already typed; a score of 9 or a missing one still gets a clear error."""
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    responder = ConsoleResponder(bot.platform, "#general", "bob")
    for options, expected in (({"story": 9}, "Scores go from 1 to 5; check story"),
                              ({"story": None}, "The story is missing")):
        values: dict[str, object] = {"film": "1", "story": 4, "image": 3, "sound": 5, "edit": 4,
                                     "notes": notes("typed")}
        values.update(options)
        before = len(bot.lines)
        await bot.app.dispatcher.command(Invocation(
            Account("console", "bob"), "bob", ChatRef("console", "#general", False, "general"), responder,
            command="feedback give", options=values, space="console"))
        assert expected in "\n".join(bot.lines[before:])
    assert await count(bot, "feedback_critiques") == 0


async def test_notes_with_mentions_and_markup_reach_the_maker_literally(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    text = "@everyone <b>bold</b> &amp; **not strong** {title} " + notes("inert")
    out = await bot.text(give("bob", 1, text))
    assert text in out  # the maker's private copy shows it exactly as typed
    assert await bot.app.db.fetchval("SELECT notes FROM feedback_critiques") == text
    payload = await bot.app.db.fetchval("SELECT payload FROM outbox WHERE key = 'feedback.critique:1'")
    segments = load_message(payload).text.segments
    assert text in segments  # one plain segment: every platform escapes it as data


async def test_long_notes_arrive_whole_and_too_long_notes_are_refused(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    long_text = notes("long", words=500)
    assert 3000 < len(long_text) <= 4000
    out = await bot.text(give("bob", 1, long_text))
    assert long_text in out and "is saved" in out
    out = await bot.text(give("carol", 1, notes("huge", words=700)))
    assert "the limit is 4000" in out


async def test_next_hands_out_fairly_and_skips_are_respected(bot: Harness) -> None:
    await share(bot, "alice", "bob", "carol")
    await bot.run("alice: /feedback request 1", "~ +1h", "bob: /feedback request 2", "~ +1h",
                  "carol: /feedback request 3")
    assert "Next for you: #1" in await bot.text("dave: /feedback next")  # all at 0: the oldest first
    await bot.run(give("erin", 1, notes("e1")))
    assert "Next for you: #2" in await bot.text("dave: /feedback next")  # #1 now has one critique
    assert "Next for you: #2" in await bot.text("alice: /feedback next")  # never her own
    assert "Skipped #2" in await bot.text("dave: /feedback skip 2 reason=\"not my genre\"")
    assert "Next for you: #3" in await bot.text("dave: /feedback next")
    assert "already skipped" in await bot.text("dave: /feedback skip 2")
    assert "Next for you: #2" in await bot.text("erin: /feedback next")  # never one already reviewed


async def test_a_film_leaves_the_queue_with_its_critiques_and_the_maker_is_told(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    for reviewer in ("bob", "carol"):
        await bot.run(give(reviewer, 1, notes(reviewer)))
    out = await bot.text(give("dave", 1, notes("dave")))
    assert "@alice: #1 “Alice Film” has its 3 critiques and leaves the feedback queue" in out
    assert "No film needs a critique" in await bot.text("erin: /feedback next")
    assert "not asking for critiques" in await bot.text(give("erin", 1, notes("erin")))
    card = await bot.text("erin: /film 1")
    assert "Feedback averages (3 in all): Story 4.0 · Image 3.0 · Sound 5.0 · Edit 4.0" in card
    assert "Feedback queue" not in card
    # Asking again costs credits: alice has none.
    assert "costs 2 credits and you have 0" in await bot.text("alice: /feedback request 1")


async def test_film_by_link_and_bad_film_references(bot: Harness) -> None:
    await share(bot, "alice")
    assert "in the feedback queue" in await bot.text("alice: /feedback request https://example.com/alice/")
    assert "is not a film" in await bot.text("bob: /feedback skip nightbus")
    assert "No film here has the link" in await bot.text("bob: /feedback skip https://example.com/none")
    assert "There is no film #9" in await bot.text("bob: /feedback skip 9")


async def test_thanks_gives_the_reviewer_a_bonus_once_and_only_the_maker_may(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1", give("bob", 1, notes("b")))
    assert "Only the maker" in await bot.text("carol: /feedback thanks 1")
    out = await bot.text("alice: /feedback thanks 1")
    assert "@bob: Your critique #1 of #1 “Alice Film” was marked helpful by the maker. +1 credit." in out
    assert "already marked critique #1 helpful" in await bot.text("alice: /feedback thanks 1")
    assert await balance(bot, "bob") == 2
    assert "helpful" in await bot.text("bob: /feedback credits")


async def test_helpful_button_on_the_private_critique(bot: Harness) -> None:
    await share(bot, "alice")
    out = await bot.run("alice: /feedback request 1", give("bob", 1, notes("b")))
    number = next(int(line.split("]")[0][1:]) for line in out if line.startswith("[") and "@alice: 📝" in line)
    await bot.run(f"alice [Helpful] {number}")
    assert await balance(bot, "bob") == 2


async def test_anonymous_critique_hides_the_reviewer_from_the_maker_not_from_admins(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    out = await bot.text(give("bob", 1, notes("anon"), extra="anonymous=yes"))
    private = [line for line in out.splitlines() if line.startswith("[") and "@alice" in line]
    assert private and "by an anonymous reviewer" in private[0] and "bob" not in private[0]
    assert "bob" not in await bot.text("alice: /feedback show 1")
    assert "by bob (anonymous to the maker)" in await bot.text("ann: /feedback show 1")
    assert "private to the film's maker" in await bot.text("carol: /feedback show 1")
    assert "helpful" in await bot.text("alice: /feedback thanks 1")  # thanks reach an anonymous reviewer too


async def test_report_reaches_the_feedback_chat_without_names_and_admins_in_full(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("ann: /feedback credits")  # ann, an admin, is now known to the exchange
    await bot.run("alice: /feedback request 1", give("bob", 1, notes("rude"), extra="anonymous=yes"))
    out = await bot.text("alice: /feedback report 1 insulting, not about the film")
    public = [line for line in out.splitlines() if line.startswith("[") and "#general" in line]
    assert any("Critique #1 (on film #1) was reported to the moderators" in line for line in public)
    assert "bob" not in "\n".join(public) and "rude0" not in "\n".join(public)
    admin = out[out.index("@ann:"):]
    assert "reported by alice" in admin and "by bob (anonymous to the maker)" in admin
    assert "insulting, not about the film" in admin and "rude0" in admin
    assert "already reported" in await bot.text("alice: /feedback report 1 again")


async def test_removal_takes_back_credits_and_reopens_the_request(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1")
    for reviewer in ("bob", "carol", "dave"):
        await bot.run(give(reviewer, 1, notes(reviewer)))
    await bot.run("alice: /feedback thanks 1")
    assert await balance(bot, "bob") == 2
    assert "Only community admins" in await bot.text("alice: /feedback remove 1")
    out = await bot.text("ann: /feedback remove 1")
    assert "Critique #1 is removed; 2 of the 2 credits it earned were taken back from its reviewer" in out
    assert "Film #1 is back in the feedback queue" in out
    assert "@bob: Your critique #1" in out and "@alice: A critique of #1" in out
    assert await balance(bot, "bob") == 0
    assert "Next for you: #1" in await bot.text("erin: /feedback next")
    assert "has been removed" in await bot.text("ann: /feedback remove 1")
    assert "Feedback averages (2 in all)" in await bot.text("erin: /film 1")


async def test_removal_never_takes_a_balance_below_zero(bot: Harness) -> None:
    await share(bot, "alice", "bob2")
    await bot.run("alice: /feedback request 1", give("bob", 1, notes("b")))
    await bot.run('bob: /share https://example.com/b "B"', "bob: /feedback request 3")  # free: balance stays 1
    await bot.run('bob: /share https://example.com/c "C"', "bob: /feedback request 4")
    assert await balance(bot, "bob") == 1
    await bot.run("carol: /feedback request 2")  # not carol's film: refused, nothing changes
    out = await bot.text("ann: /feedback remove 1")
    assert "1 of the 1 credits" in out
    assert await balance(bot, "bob") == 0


async def test_barred_members_are_kept_out_until_unbarred(bot: Harness) -> None:
    await share(bot, "alice", "bob")
    await bot.run("alice: /feedback request 1", "bob: /feedback request 2")
    assert "Only community admins" in await bot.text("alice: /feedback bar bob")
    assert "bob is barred" in await bot.text("ann: /feedback bar bob")
    assert "already barred" in await bot.text("ann: /feedback bar bob")
    for line in ("bob: /feedback next", give("bob", 1, notes("b")), "bob: /feedback request 2"):
        assert "You are barred" in await bot.text(line)
    assert "No film needs a critique" in await bot.text("alice: /feedback next")  # bob's film waits too
    assert "may take part" in await bot.text("ann: /feedback unbar bob")
    assert "is saved" in await bot.text(give("bob", 1, notes("b")))
    assert "don't know anyone" in await bot.text("ann: /feedback bar nobody")


async def test_profile_shows_critiques_given_and_credits(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1", give("bob", 1, notes("b")))
    assert "Feedback — critiques given: 1 · credits: 1" in await bot.text("carol: /profile bob")


async def test_export_has_critiques_and_the_public_one_hides_anonymous_reviewers(bot: Harness) -> None:
    from bot.export import collect

    await share(bot, "alice")
    await bot.run("alice: /feedback request 1", give("bob", 1, notes("b"), extra="anonymous=yes"),
                  give("carol", 1, notes("c")))
    full = (await collect(bot.app))["communities"][0]
    assert [c["reviewer"] for c in full["critiques"]] == ["bob", "carol"]
    assert full["critiques"][0]["anonymous"] is True and full["critiques"][0]["story"] == 4
    public = (await collect(bot.app, public=True))["communities"][0]
    assert [c["reviewer"] for c in public["critiques"]] == [None, "carol"]
    assert public["critiques"][0]["reviewer_person_id"] is None
    assert "feedback_credits" not in public and "feedback_credits" in full


async def test_the_exchange_survives_a_restart(bot: Harness) -> None:
    await share(bot, "alice")
    await bot.run("alice: /feedback request 1", give("bob", 1, notes("b")))
    await bot.restart()
    assert "Your feedback credits: 1" in await bot.text("bob: /feedback credits")
    assert "1 of 3 critiques" in await bot.text("carol: /feedback next")


async def test_a_chinese_community_hears_the_exchange_in_chinese(tmp_path: Path) -> None:
    config = make_config({"bot": {"language": "zh-Hans"}})
    async with Harness(tmp_path / "zh.sqlite3", config) as bot:
        await share(bot, "alice")
        assert "已进入点评队列" in await bot.text("alice: /feedback request 1")
        out = await bot.text(give("bob", 1, "剪辑太快了 1:23"))
        assert "点评有 5 字；至少需要 40 字（还差 35 字）" in out
        chinese = "开场的光线很美，" * 6 + "1:10 这里的剪辑稍早了一点。"
        assert "已保存" in await bot.text(give("bob", 1, chinese))
