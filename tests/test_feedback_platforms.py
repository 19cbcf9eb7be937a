"""The feedback exchange through the real Discord and Telegram adapters against their loopback stand-ins:
requests, the fair hand-out with its Skip button, critiques whose notes arrive inertly and split cleanly,
the maker's private copy with its Helpful button, an admin removal, and Discord's critique form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.models import Text
from bot.platforms.discord_render import render_text, split_content
from bot.platforms.telegram_render import utf16_len
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.fakes.telegram_html import parse_html
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.discord_support import answer, discord_config, make_guild, running_app, user
from tests.feedback_helpers import notes
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)
COGS = ["films", "feedback"]
EPHEMERAL = 64
INJECTION = "@everyone <b>x</b> & <@&123> *bold*"
NOTES = f"{notes('ben')} {INJECTION}"
SCORES = {"story": 4, "image": 3, "sound": 5, "edit": 4}


# -- Discord ------------------------------------------------------------------------------------------------


@pytest.fixture
def fake(discord_fake: FakeDiscord) -> FakeDiscord:
    return discord_fake


@pytest.fixture
def guild(fake: FakeDiscord) -> Guild:
    return make_guild(fake)


@pytest.fixture
async def app(fake: FakeDiscord, guild: Guild, tmp_path: Path) -> AsyncIterator[App]:
    config = discord_config(fake, admin_roles=["curators"], sections={"bot": {"cogs": COGS}})
    async with running_app(fake, tmp_path / "bot.sqlite3", config) as running:
        yield running


def seen(content: str) -> str:
    """Discord content as members read it: markdown escapes (`\\#`, `\\*`) are not shown."""
    return re.sub(r"\\(.)", r"\1", content)


async def feedback(fake: FakeDiscord, guild: Guild | None, who: str, sub: str,
                   options: dict[str, Any] | None = None, channel: str | None = "general") -> dict[str, Any]:
    group = "feedback_admin" if sub in ("remove", "bar", "unbar") else "feedback"  # admin tools: their own group
    return await answer(fake, guild, who, group, options, subcommand=sub, channel=channel)


async def queued_film(fake: FakeDiscord, guild: Guild) -> None:
    """ana shares film #1 (4:30 long) and asks for critiques of it."""
    await answer(fake, guild, "ana", "share", {"link": "https://vimeo.com/1", "title": "Night Bus",
                                               "runtime": "4:30"})
    queued = await feedback(fake, guild, "ana", "request", {"film": "1"})
    assert seen(queued["content"]).startswith("#1 “Night Bus” is in the feedback queue for 3 critiques.")


async def dm_posts(fake: FakeDiscord, guild: Guild, name: str, containing: str) -> list[dict[str, Any]]:
    """Bodies the bot posted in the DM channel of `name`, waiting until one contains `containing`."""
    dm = fake.dm_channel(user(fake, guild, name))
    path = rf"/channels/{dm.id}/messages$"
    await fake.wait_for_request("POST", path, where=lambda body: containing in (body.get("content") or ""))
    return [request.json for request in fake.requests_to("POST", path) if request.status == 200]


async def test_discord_exchange_from_request_to_removal(fake: FakeDiscord, guild: Guild, app: App) -> None:
    await queued_film(fake, guild)
    cleo, ana = user(fake, guild, "cleo"), user(fake, guild, "ana")
    handed = await fake.slash(guild, "general", cleo, "feedback", subcommand="next")
    shown_next = (await handed.wait_callback())["data"]
    assert seen(shown_next["content"]).startswith("Next for you: #1 “Night Bus” by ana")
    (skip,) = shown_next["components"][0]["components"]
    assert (skip["label"], skip["custom_id"]) == ("Skip", "feedback.skip:1")
    assert handed.original_message_id is not None
    pressed = await fake.press_button(guild, "general", cleo, handed.original_message_id, skip["custom_id"])
    assert seen((await pressed.wait_callback())["data"]["content"]).startswith("Skipped #1 “Night Bus”")

    given = await feedback(fake, guild, "ben", "give", {"film": "1", **SCORES, "notes": NOTES})
    assert seen(given["content"]) == ("Critique #1 of #1 “Night Bus” is saved and sent to the maker. +1 credit; "
                                "your balance: 1.")
    (critique,) = await dm_posts(fake, guild, "ana", "Critique #1")
    content = critique["content"]
    assert "@\u200beveryone" in content and "\\*bold\\*" in content and "<b>x</b> & <@&123>" in content
    assert "Story 4 · Image 3 · Sound 5 · Edit 4" in content and "by ben" in content
    assert critique["allowed_mentions"] == {"parse": []}
    stored = fake.messages_in(fake.dm_channel(ana))[-1]
    assert stored["mention_everyone"] is False and stored["mention_roles"] == []
    (helpful,) = critique["components"][0]["components"]
    assert (helpful["label"], helpful["custom_id"]) == ("Helpful", "feedback.thanks:1")

    thanked = await fake.press_button(None, fake.dm_channel(ana), ana, stored["id"], helpful["custom_id"])
    assert (await thanked.wait_callback())["data"]["content"].startswith("Thanks sent")
    await dm_posts(fake, guild, "ben", "was marked helpful by the maker. +1 credit")

    refused = await feedback(fake, guild, "ana", "remove", {"critique": 1})
    assert refused["content"] == "Only community admins may use this command." and refused["flags"] == EPHEMERAL
    removed = await feedback(fake, guild, "mo", "remove", {"critique": 1})
    assert seen(removed["content"]) == ("Critique #1 is removed; 2 of the 2 credits it earned were taken back "
                                        "from its reviewer.")
    await dm_posts(fake, guild, "ben", "was removed by a moderator; 2 credits were taken back")


async def test_discord_long_notes_split_between_words(fake: FakeDiscord, guild: Guild, app: App) -> None:
    await queued_film(fake, guild)
    long_notes = notes("word", words=440) + " *end*"
    assert 3000 < len(long_notes) <= 4000
    await feedback(fake, guild, "ben", "give", {"film": "1", **SCORES, "notes": long_notes})
    posts = await dm_posts(fake, guild, "ana", "Did it help?")
    parts = [post["content"] for post in posts]
    assert len(parts) >= 2 and all(len(part) <= 2000 for part in parts)
    words = " ".join(parts).split()
    assert all(f"word{index}" in words for index in range(440))  # no word broken in two
    assert "\\*end\\*" in parts[-1] and posts[-1]["components"] and not posts[0]["components"]


def test_discord_notes_without_spaces_never_split_inside_an_escape() -> None:
    content = render_text(Text.of("x" * 1999 + "*" * 30))  # the 2000th character is an escaping backslash
    parts = split_content(content)
    assert [len(part) for part in parts] == [1999, 60]
    assert parts[1] == "\\*" * 30 and "".join(parts) == content


async def test_discord_form_asks_for_scores_and_notes(fake: FakeDiscord, guild: Guild, app: App) -> None:
    await queued_film(fake, guild)
    synced = next(c for c in fake.commands() if c["name"] == "feedback")
    give = next(o for o in synced["options"] if o["name"] == "give")
    assert [(o["name"], o["required"]) for o in give["options"][:2]] == [("film", True), ("story", False)]
    ben = user(fake, guild, "ben")
    opened = await fake.slash(guild, "general", ben, "feedback", {"film": "1"}, subcommand="give")
    callback = await opened.wait_callback()
    assert callback["type"] == 9
    modal = callback["data"]
    assert modal["title"] == "Critique of film 1" and modal["custom_id"] == "form:feedback give:film=1"
    inputs = [_text_input(component) for component in modal["components"]]
    assert [(i["custom_id"], i["style"], i.get("max_length")) for i in inputs] == [
        ("story", 1, 1), ("image", 1, 1), ("sound", 1, 1), ("edit", 1, 1), ("notes", 2, 4000)]
    assert _label(modal["components"][0]) == "Story, 1 to 5"
    assert _label(modal["components"][4]) == "Your notes, with timecodes like 1:23"

    values = {"story": "4", "image": "9", "sound": "5", "edit": "4", "notes": NOTES}
    wrong = await fake.submit_modal(guild, "general", ben, modal["custom_id"], values)
    assert "image" in (await wrong.wait_callback())["data"]["content"]
    assert await app.db.fetchval("SELECT COUNT(*) FROM feedback_critiques") == 0
    submitted = await fake.submit_modal(guild, "general", ben, modal["custom_id"], {**values, "image": "3"})
    saved = seen((await submitted.wait_callback())["data"]["content"])
    assert saved.startswith("Critique #1 of #1 “Night Bus” is saved")
    (critique,) = await dm_posts(fake, guild, "ana", "Critique #1")
    assert "Story 4 · Image 3 · Sound 5 · Edit 4" in critique["content"]
    assert "@\u200beveryone" in critique["content"]

    partial = await feedback(fake, guild, "cleo", "give", {"film": "1", "story": 4})
    assert partial["content"].startswith("The image is missing.\nUsage: /feedback give")  # no form: the usual error


def _text_input(component: dict[str, Any]) -> dict[str, Any]:
    """The text input inside an action row (type 1) or a label (type 18)."""
    if component["type"] == 18:
        return dict(component["component"])
    return dict(component["components"][0])


def _label(component: dict[str, Any]) -> str:
    return str(component.get("label") or _text_input(component).get("label"))


# -- Telegram -----------------------------------------------------------------------------------------------


@pytest.fixture
async def tg_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(strict_ampersand=True) as server:
        yield server


@pytest.fixture
async def tg(tg_fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[TelegramBot]:
    config = telegram_config(tg_fake, extra={"bot": {"cogs": COGS}})
    async with TelegramBot(tmp_path / "bot.sqlite3", config) as bot:
        yield bot


async def say(fake: FakeTelegram, chat: dict[str, Any], who: dict[str, Any], text: str,
              contains: str | None = None) -> RecordedRequest:
    """Say `text` and return the bot's next message in that chat (the first containing `contains`)."""
    fake.send_text(chat, who, text)
    return await fake.wait_for_call("sendMessage", to_chat(chat, contains))


def keyboard(sent: RecordedRequest) -> list[tuple[str, str]]:
    rows = sent.params["reply_markup"]["inline_keyboard"]
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def message_id(sent: RecordedRequest) -> int:
    assert sent.response is not None
    return int(sent.response["result"]["message_id"])


async def test_telegram_exchange_from_request_to_removal(tg_fake: FakeTelegram, tg: TelegramBot) -> None:
    fake = tg_fake
    group = fake.add_group("Makers")
    alice, bob, carol, dave = (fake.add_user(name) for name in ("Alice", "Bob", "Carol", "Dave"))
    fake.set_admins(group, [dave])
    await say(fake, group, alice, '/share https://example.com/a "Alice Film" runtime=4:30', "is shared")
    queued = await say(fake, group, alice, "/feedback request 1", "feedback queue")
    assert shown(queued).startswith("#1 “Alice Film” is in the feedback queue for 3 critiques.")

    handed = await say(fake, group, carol, "/feedback next", "Next for you")
    assert keyboard(handed) == [("Skip", "feedback.skip:1")]
    fake.press_button(group, carol, message_id(handed), "feedback.skip:1")
    skipped = await fake.wait_for_call("sendMessage", to_chat(group, "Skipped #1"))
    assert shown(skipped).startswith("Skipped #1 “Alice Film”")

    missing = await say(fake, group, bob, "/feedback give 1", "missing")
    assert "Usage: /feedback give" in shown(missing)
    given = await say(fake, group, bob, f'/feedback give 1 story=4 image=3 sound=5 edit=4 notes="{NOTES}"',
                      "Critique #1")
    assert shown(given).startswith("Critique #1 of #1 “Alice Film” is saved and sent to the maker.")
    private = fake.private_chat(alice)
    critique = await fake.wait_for_call("sendMessage", to_chat(private, "Critique #1"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;@&amp;123&gt;" in critique.params["text"]
    assert critique.params["parse_mode"] == "HTML"
    parse_html(critique.params["text"], strict_ampersand=True)
    assert INJECTION in shown(critique) and "by Bob" in shown(critique)
    entities = critique.response["result"].get("entities", [])  # type: ignore[index]
    assert not any(entity["type"] in ("mention", "bold", "text_mention") and "everyone" in shown(critique)[
        entity["offset"]:entity["offset"] + entity["length"]] for entity in entities)
    assert keyboard(critique) == [("Helpful", "feedback.thanks:1")]

    fake.press_button(private, alice, message_id(critique), "feedback.thanks:1")
    assert shown(await fake.wait_for_call("sendMessage", to_chat(private, "Thanks sent")))
    await fake.wait_for_call("sendMessage", to_chat(fake.private_chat(bob), "marked helpful"))

    refused = await say(fake, group, alice, "/feedback_admin remove 1", "admins")
    assert shown(refused) == "Only community admins may use this command."
    removed = await say(fake, group, dave, "/feedback_admin remove 1", "is removed")
    assert "2 of the 2 credits" in shown(removed)
    await fake.wait_for_call("sendMessage", to_chat(fake.private_chat(bob), "removed by a moderator"))


async def test_telegram_long_notes_split_within_utf16_limit(tg_fake: FakeTelegram, tg: TelegramBot) -> None:
    fake = tg_fake
    group, alice, bob = fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Bob")
    await say(fake, group, alice, '/share https://example.com/a "Alice Film" runtime=4:30', "is shared")
    await say(fake, group, alice, "/feedback request 1", "feedback queue")
    long_notes = notes("🎬🎬", words=540) + " <&>"
    assert len(long_notes) <= 4000 < utf16_len(long_notes)
    await say(fake, group, bob, f'/feedback give 1 story=4 image=3 sound=5 edit=4 notes="{long_notes}"',
              "Critique #1")
    private = fake.private_chat(alice)
    await fake.wait_for_call("sendMessage", to_chat(private, "Did it help?"))
    parts = [call for call in fake.calls("sendMessage") if to_chat(private)(call)]
    assert len(parts) >= 2 and shown(parts[0]).startswith("📝 Critique #1")
    for part in parts:
        parse_html(part.params["text"], strict_ampersand=True)
        assert part.ok and utf16_len(shown(part)) <= 4096
    texts = [shown(part) for part in parts]
    assert sum(text.count("🎬") for text in texts) == 2 * 540 and texts[-1].count("<&>") == 1
    assert "reply_markup" in parts[-1].params and "reply_markup" not in parts[0].params
