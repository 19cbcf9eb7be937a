"""/setup show's buttons and names, through the Telegram and Discord stand-ins and the console: an admin
announces a kind in a forum topic with one press and the next card lands there, a member's press is
refused and saves nothing, the language buttons switch the community's language, chats are named."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.pacing import Pacing
from bot.platforms.telegram_platform import create
from bot.testing.fakes.discord_server import FakeDiscord
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from bot.testing.harness import Harness, make_config
from tests.discord_support import answer, discord_text, eventually, make_guild, running_app, user
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)
UPDATE_MESSAGE = 7
EPHEMERAL = 64


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def keyboard(request: RecordedRequest) -> dict[str, str]:
    """The inline keyboard of a sent or edited message: label -> callback_data."""
    markup = request.params.get("reply_markup") or {}
    return {button["text"]: button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row}


async def toast(fake: FakeTelegram, update: dict[str, Any]) -> str:
    query_id = update["callback_query"]["id"]
    await eventually(lambda: bool((fake.callback_answer(query_id) or {}).get("answered")))
    return str(fake.callback_answer(query_id).get("text", ""))  # type: ignore[union-attr]


def film_card(chat: dict[str, Any], title: str) -> Any:
    """A wait_for_call predicate: the film card of `title` posted in this chat."""
    return lambda r: to_chat(chat, "New film")(r) and title in str(r.params.get("text"))


def edited(fake: FakeTelegram, message_id: int, contains: str) -> Any:
    return fake.wait_for_call("editMessageText", lambda r: r.ok and r.params.get("message_id") == message_id
                              and contains in str(r.params.get("text")))


async def test_an_admin_announces_showcase_in_a_topic_with_one_press_and_a_member_cannot(
        telegram: FakeTelegram, tmp_path: Path) -> None:
    group = telegram.add_group("Makers", forum=True)
    ann, bob = telegram.add_user("Ann", "ann"), telegram.add_user("Bob", "bob")
    telegram.set_admins(group, [ann])
    premieres = telegram.add_topic(group, "Premieres")
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)):
        telegram.send_text(group, ann, "/setup", topic=premieres)
        show = await telegram.wait_for_call("sendMessage", to_chat(group, "Set-up of Makers"))
        assert show.params["message_thread_id"] == premieres
        assert "showcase: Makers (default)" in shown(show)  # the group's title, not its id
        buttons = keyboard(show)
        assert {"Announce showcase here", "English", "简体中文", "繁體中文"} <= set(buttons)
        assert all(len(data.encode()) <= 64 for data in buttons.values())
        show_id = show.response["result"]["message_id"]  # type: ignore[index]

        refused = telegram.press_button(group, bob, show_id, buttons["Announce showcase here"])
        assert "Only community admins" in await toast(telegram, refused)
        assert not telegram.calls("editMessageText")
        telegram.send_text(group, bob, '/share https://vimeo.com/1 "Before"')
        before = await telegram.wait_for_call("sendMessage", film_card(group, "Before"))
        assert before.params.get("message_thread_id") is None  # nothing was saved: still the whole group

        pressed = telegram.press_button(group, ann, show_id, buttons["Announce showcase here"])
        assert await toast(telegram, pressed) == "showcase announcements now go to Makers › Premieres."
        now = await edited(telegram, show_id, "showcase: Makers › Premieres (set in chat)")
        assert "showcase: back to defaults" in keyboard(now)
        telegram.send_text(group, bob, '/share https://vimeo.com/2 "Night Bus"')
        card = await telegram.wait_for_call("sendMessage", film_card(group, "Night Bus"))
        assert card.params["message_thread_id"] == premieres

        back = telegram.press_button(group, ann, show_id, keyboard(now)["showcase: back to defaults"])
        assert await toast(telegram, back) == "showcase is back to the config's default."
        await edited(telegram, show_id, "showcase: Makers (default)")


async def test_setup_channel_typed_in_a_topic_keeps_the_topic_and_in_the_group_the_group(
        telegram: FakeTelegram, tmp_path: Path) -> None:
    group = telegram.add_group("Makers", forum=True)
    ann, bob = telegram.add_user("Ann", "ann"), telegram.add_user("Bob", "bob")
    telegram.set_admins(group, [ann])
    premieres = telegram.add_topic(group, "Premieres")
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)):
        telegram.send_text(group, ann, "/setup channel showcase", topic=premieres)
        said = await telegram.wait_for_call("sendMessage", to_chat(group, "now go to"))
        assert shown(said) == "showcase announcements now go to Makers › Premieres."
        telegram.send_text(group, ann, "/setup channel festivals")  # the General topic: the whole group
        await telegram.wait_for_call("sendMessage", to_chat(group, "festivals announcements now go to Makers."))
        telegram.send_text(group, bob, '/share https://vimeo.com/2 "Night Bus"')
        card = await telegram.wait_for_call("sendMessage", film_card(group, "Night Bus"))
        assert card.params["message_thread_id"] == premieres


async def test_the_language_buttons_switch_the_community_language(telegram: FakeTelegram, tmp_path: Path) -> None:
    group = telegram.add_group("Makers")
    ann, bob = telegram.add_user("Ann", "ann"), telegram.add_user("Bob", "bob")
    telegram.set_admins(group, [ann])
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(telegram)):
        telegram.send_text(group, ann, "/setup show")
        show = await telegram.wait_for_call("sendMessage", to_chat(group, "Set-up of Makers"))
        show_id = show.response["result"]["message_id"]  # type: ignore[index]
        refused = telegram.press_button(group, bob, show_id, keyboard(show)["简体中文"])
        assert "Only community admins" in await toast(telegram, refused)
        pressed = telegram.press_button(group, ann, show_id, keyboard(show)["简体中文"])
        assert await toast(telegram, pressed) == "本社区今后使用 zh-Hans。"
        now = await edited(telegram, show_id, "语言：zh-Hans（已在聊天中设置）")
        assert "showcase 公告发到这里" in keyboard(now)
        telegram.send_text(group, bob, "/films")
        await telegram.wait_for_call("sendMessage", to_chat(group, "还没有"))
        pressed = telegram.press_button(group, ann, show_id, keyboard(now)["English"])
        assert await toast(telegram, pressed) == "This community now speaks en."


async def test_discord_names_channels_and_a_press_announces_showcase_in_that_channel(
        discord_fake: FakeDiscord, tmp_path: Path) -> None:
    guild = make_guild(discord_fake)
    discord_fake.model.add_channel(guild, "films")
    films, showcase = guild.channel("films"), guild.channel("showcase")
    async with running_app(discord_fake, tmp_path / "bot.sqlite3") as app:
        interaction = await discord_fake.slash(guild, "films", user(discord_fake, guild, "mo"), "setup",
                                               {}, "show")
        show = (await interaction.wait_callback())["data"]
        assert f"showcase: <#{showcase.id}> (default)" in show["content"]  # the channel the server picks
        ids = [c["custom_id"] for row in show["components"] for c in row["components"]]
        assert "setup.here:showcase" in ids and "setup.language:zh-Hans" in ids
        message_id = interaction.original_message_id
        assert message_id is not None

        refused = await discord_fake.press_button(guild, "films", user(discord_fake, guild, "ana"), message_id,
                                                  "setup.here:showcase")
        callback = await refused.wait_callback()
        assert "Only community admins" in callback["data"]["content"] and callback["data"]["flags"] == EPHEMERAL

        pressed = await discord_fake.press_button(guild, "films", user(discord_fake, guild, "mo"), message_id,
                                                  "setup.here:showcase")
        callback = await pressed.wait_callback()
        assert callback["type"] == UPDATE_MESSAGE
        assert f"showcase: <#{films.id}> (set in chat)" in callback["data"]["content"]
        await answer(discord_fake, guild, "ben", "share", {"link": "https://vimeo.com/5", "title": "Paper Moon"})
        await app.outbox.flush()
        await eventually(lambda: any("Paper Moon" in discord_text(m) for m in discord_fake.messages_in(films)))
        assert not any("Paper Moon" in discord_text(m) for m in discord_fake.messages_in(showcase))


async def test_the_console_lists_the_buttons_as_text_and_a_press_in_a_chat_chooses_it(tmp_path: Path) -> None:
    async with Harness(tmp_path / "db.sqlite3", make_config({"bot": {"cogs": ["cogs.films"]}})) as h:
        shown_ = await h.text("ann#films: /setup")
        assert "showcase: #general (default)" in shown_
        assert "[Announce showcase here]" in shown_ and "[简体中文]" in shown_
        assert "now go to #films" in await h.text('ann [Announce showcase here] "Set-up of"')
        assert "showcase: #films (set in chat)" in await h.text("ann: /setup show")
        private = await h.text("ann@dm: /setup")
        assert "[English]" in private and "Announce" not in private  # a private chat takes no announcements
        assert "group" in await h.text("ann@dm: /setup channel showcase")


async def test_posts_into_topics_count_against_their_groups_sending_limit(telegram: FakeTelegram) -> None:
    platform = create(telegram_config(telegram, {"chat_max_rate": 1}))
    assert platform.pacer is not None
    await platform.pacer.acquire("-1002000000001/7", False)  # a card into topic 7
    pacing = Pacing(lambda name: platform.pacer)
    # The group, and its other topics, wait their turn: the outbox sets them aside meanwhile.
    assert not pacing.admit("telegram", "-1002000000001/9", False)
    assert not pacing.admit("telegram", "-1002000000001", False)
    assert pacing.admit("telegram", "-1002000000002/7", False)  # another group is not held up
