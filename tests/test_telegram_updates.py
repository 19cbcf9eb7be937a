"""Reactions, captured real payloads and webhook mode through the Telegram adapter."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.platforms import telegram_platform
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.backend import read_rows
from tests.telegram_harness import TelegramBot, shown, telegram_config, to_chat

pytestmark = pytest.mark.timeout(20)
FIXTURES = Path(__file__).parent / "fixtures" / "telegram"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def post_card(fake: FakeTelegram, group: dict[str, Any], user: dict[str, Any]) -> int:
    fake.send_text(group, user, "/probe_card")
    card = await fake.wait_for_call("sendMessage", to_chat(group, "Entry"))
    assert card.response is not None
    return int(card.response["result"]["message_id"])


@pytest.mark.parametrize("requested", [True, False])
async def test_reactions_reach_the_cogs_only_when_requested(fake: FakeTelegram, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            requested: bool) -> None:
    group, alice, bob = fake.add_group("Makers"), fake.add_user("Alice"), fake.add_user("Bob", "bobby")
    fake.set_admins(group, [fake.bot_user])  # Telegram sends reactions in groups to admin bots only
    if not requested:  # what a bot gets that leaves allowed_updates to the server's default
        monkeypatch.setattr(telegram_platform, "ALLOWED_UPDATES", [])
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)) as tg:
        message_id = await post_card(fake, group, alice)
        fake.react(group, bob, message_id, "👍")
        fake.react(group, bob, message_id, "🔥")  # a switch: 👍 removed, 🔥 added
        fake.send_text(group, alice, "/help")  # a later update, to know the earlier ones were dealt with
        await fake.wait_for_call("sendMessage", to_chat(group, "microfilm-bot commands"))
        if requested:
            await tg.probe.wait("reactions", 3)
        seen = [(e.emoji, e.added, e.account.user_id, e.display_name, tag)
                for e, tag, _ in tg.probe.reactions]

    if requested:
        assert seen == [("👍", True, str(bob["id"]), "Bob", "probe.card"),
                        ("👍", False, str(bob["id"]), "Bob", "probe.card"),
                        ("🔥", True, str(bob["id"]), "Bob", "probe.card")]
        assert "message_reaction" in fake.allowed_updates
    else:
        assert seen == []
        assert ["allowed_updates" in dropped.reason for dropped in fake.dropped_updates] == [True, True]


def _register(fake: FakeTelegram, payload: dict[str, Any]) -> None:
    """Make the chats and users of a captured payload known to the fake, so replies to them can land."""
    body = next(value for key, value in payload.items() if key != "update_id")
    for key in ("chat", "actor_chat"):
        if key in body:
            fake.state.chats.setdefault(body[key]["id"], body[key])
    for key in ("from", "user"):
        if key in body:
            fake.state.users.setdefault(body[key]["id"], body[key])


@pytest.mark.parametrize("name", ["update_command_supergroup", "update_message_reaction",
                                  "update_message_reaction_anonymous", "update_message_private_text"])
async def test_captured_updates_are_handled_without_errors(fake: FakeTelegram, tmp_path: Path, name: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    payload = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    private = json.loads((FIXTURES / "update_message_private_text.json").read_text(encoding="utf-8"))
    _register(fake, payload)
    _register(fake, private)
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake)):
        await fake.wait_for_call("getUpdates")
        with caplog.at_level(logging.WARNING):
            injected = fake.inject_update(payload)
            fake.inject_update(private)  # answered last: everything before it is done
            await fake.wait_for_call("sendMessage", lambda r: r.ok and r.params["chat_id"] == 408258968
                                     and "slash" in shown(r))
    # After a clean stop: every handler has finished.
    rows = await read_rows(tmp_path / "bot.sqlite3", "SELECT update_id, done_at, last_error FROM telegram_inbox "
                           "ORDER BY update_id")
    assert [row[0] for row in rows][0] == injected["update_id"]
    assert all(row[1] is not None and row[2] is None for row in rows)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    if name == "update_command_supergroup":
        answer = fake.calls("sendMessage")[0]
        assert answer.params["chat_id"] == -1001293752024 and "/report" in shown(answer)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_checks_the_secret_and_handles_a_repeated_update_once(
        fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    monkeypatch.setenv("TEST_TELEGRAM_SECRET", "s3cret-token")
    webhook = {"enabled": True, "listen": "127.0.0.1", "port": port, "path": "/hook", "url": url,
               "secret_token_env": "TEST_TELEGRAM_SECRET"}
    async with TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake, {"webhook": webhook})) as tg:
        assert fake.webhook["url"] == url and fake.webhook["secret_token"] == "s3cret-token"
        assert "message_reaction" in fake.calls("setWebhook")[0].params["allowed_updates"]
        update = fake.send_text(group, alice, '/share https://example.com/w "Webhook Film"')
        assert await fake.post_webhook(url, update, secret_token="wrong") == 403
        assert await fake.post_webhook(url, update, secret_token="s3cret-token") == 200
        assert await fake.post_webhook(url, update, secret_token="s3cret-token") == 200  # Telegram retried
        await fake.wait_for_call("sendMessage", to_chat(group, "is shared"))
        assert "microfilm-bot commands" in shown(await _help_via_webhook(fake, group, alice, url))
        assert await tg.app.db.fetchval("SELECT COUNT(*) FROM films") == 1
    assert len(fake.calls("sendMessage")) == 3  # announcement, confirmation, /help: nothing twice


async def _help_via_webhook(fake: FakeTelegram, group: dict[str, Any], user: dict[str, Any], url: str) -> Any:
    update = fake.send_text(group, user, "/help")
    assert await fake.post_webhook(url, update, secret_token="s3cret-token") == 200
    return await fake.wait_for_call("sendMessage", to_chat(group, "microfilm-bot commands"))


async def test_webhook_mode_without_a_secret_refuses_to_start(fake: FakeTelegram, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_TELEGRAM_SECRET", raising=False)
    webhook = {"enabled": True, "url": "https://bot.example.com/hook",
               "secret_token_env": "TEST_TELEGRAM_SECRET"}
    bot = TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake, {"webhook": webhook}))
    with pytest.raises(Exception, match="TEST_TELEGRAM_SECRET"):
        await bot.app.start()
    assert fake.webhook == {}


async def test_a_retry_that_reaches_another_webhook_worker_is_handled_once(
        fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two webhook workers behind one proxy, on one database: Telegram's retry of an update lands on the
    other worker, which finds its update_id already taken in and does nothing."""
    group, alice = fake.add_group("Makers"), fake.add_user("Alice")
    monkeypatch.setenv("TEST_TELEGRAM_SECRET", "s3cret-token")
    ports = [_free_port(), _free_port()]
    workers = [TelegramBot(tmp_path / "bot.sqlite3", telegram_config(fake, {"webhook": {
        "enabled": True, "listen": "127.0.0.1", "port": port, "path": "/hook",
        "url": f"http://127.0.0.1:{ports[0]}/hook", "secret_token_env": "TEST_TELEGRAM_SECRET"}}))
        for port in ports]
    async with workers[0], workers[1]:
        update = fake.send_text(group, alice, '/share https://example.com/r "Retried Film"')
        for port in ports:  # the first delivery, then the retry through the other worker
            assert await fake.post_webhook(f"http://127.0.0.1:{port}/hook", update,
                                           secret_token="s3cret-token") == 200
        await fake.wait_for_call("sendMessage", to_chat(group, "is shared"))
        assert await workers[1].app.db.fetchval("SELECT COUNT(*) FROM films") == 1
    assert len([r for r in fake.calls("sendMessage") if "is shared" in shown(r)]) == 1
