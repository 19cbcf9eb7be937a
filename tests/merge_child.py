"""Run as a child process by tests/test_merge_crash.py: an App on a file database where a Telegram account
redeems a link code with confirm=yes. The test kills this process while the merge is under way.

    python -m tests.merge_child CONFIG DB CODE NOW
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from bot.app import App
from bot.clock import VirtualClock
from bot.config import load_config
from bot.models import Account, ChatRef, Invocation, Message, MessageRef
from bot.platforms.console import ConsolePlatform

TELEGRAM_USER = "42"
TELEGRAM_NAME = "Alice T"


class Printer:
    """Answers go to stdout, for the test's failure messages."""

    async def reply(self, message: Message, *, zone: str) -> MessageRef | None:
        print(message.text.plain(), flush=True)
        return None

    async def reply_private(self, message: Message, *, zone: str) -> MessageRef | None:
        return await self.reply(message, zone=zone)


def invocation(text: str) -> Invocation:
    return Invocation(account=Account("telegram", TELEGRAM_USER), display_name=TELEGRAM_NAME,
                      chat=ChatRef("telegram", TELEGRAM_USER, True), responder=Printer(), text=text, space=None)


async def main(config_path: str, db_path: str, code: str, now: str) -> None:
    config = load_config(config_path, environ={})
    app = App(config, db_path=db_path, clock=VirtualClock(datetime.fromisoformat(now)),
              platforms=[ConsolePlatform(lambda line: None)])
    async with app:
        await app.dispatcher.command(invocation(f"/link {code} confirm=yes"))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
