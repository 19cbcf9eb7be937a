"""The outbox: idempotent announcements, retries on one platform without holding up another."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.models import Message, MessageRef, Text
from bot.platform import DeliveryError, Platform
from bot.testing.harness import Harness, make_config


class FlakyPlatform(Platform):
    """A second platform whose sends fail until told otherwise."""

    name = "telegram"  # stands in for a real platform that times out

    def __init__(self) -> None:
        self.failures = 1
        self.sent: list[str] = []

    async def start(self, app: object) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, message: Message, *, zone: str, kind: str | None = None,
                   nonce: str | None = None) -> MessageRef:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("timed out")
        self.sent.append(message.text.plain())
        return MessageRef(self.name, chat_id, str(len(self.sent)))

    async def send_private(self, user_id: str, message: Message, *, zone: str,
                           nonce: str | None = None) -> MessageRef | None:
        return None

    async def edit(self, ref: MessageRef, message: Message, *, zone: str) -> None: ...

    async def recount(self, ref: MessageRef, emoji: str) -> list[str] | None:
        return None


async def test_a_failure_on_one_platform_is_retried_there_only(tmp_path: Path) -> None:
    config = make_config({"communities": [{"key": "one", "chats": [
        {"platform": "console", "id": "console"}, {"platform": "telegram", "id": "-1001"}]}]})
    flaky = FlakyPlatform()
    bot = Harness(tmp_path / "b.sqlite3", config)
    bot.app.platforms["telegram"] = flaky  # type: ignore[assignment]
    async with bot:
        community = (await bot.app.directory.communities())[0]
        for _ in range(2):  # the same key twice: one delivery per chat
            async with bot.app.db.transaction() as tx:
                await bot.app.outbox.announce(tx, community, "showcase", Message(Text.of("hello")), key="k1")
        assert bot.lines == ["[1] #general: hello"]
        assert flaky.sent == []
        await bot.app.scheduler.advance_to(bot.clock.now() + timedelta(seconds=6))
        await bot.app.outbox.flush()
        assert flaky.sent == ["hello"]
        assert bot.lines == ["[1] #general: hello"]


async def test_a_permanent_failure_gives_up_without_retrying(tmp_path: Path) -> None:
    config = make_config({"communities": [{"key": "one", "chats": [{"platform": "telegram", "id": "-1001"}]}]})
    flaky = FlakyPlatform()
    flaky.failures = 99
    bot = Harness(tmp_path / "b.sqlite3", config)
    bot.app.platforms["telegram"] = flaky  # type: ignore[assignment]
    async with bot:
        community = (await bot.app.directory.communities())[0]

        async def permanent(*args: object, **kwargs: object) -> MessageRef:
            raise DeliveryError("missing permission", permanent=True)

        flaky.send = permanent  # type: ignore[method-assign]
        async with bot.app.db.transaction() as tx:
            await bot.app.outbox.announce(tx, community, "showcase", Message(Text.of("x")), key="k2")
        assert await bot.app.db.fetchval("SELECT status FROM outbox WHERE key = 'k2'") == "failed"
