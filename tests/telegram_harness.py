"""The whole bot on the Telegram adapter, talking real HTTP to FakeTelegram on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import Config, build_config
from bot.platforms.telegram_platform import TelegramPlatform, create
from bot.testing.fakes.telegram_server import FakeTelegram, RecordedRequest
from tests.telegram_probe_cog import ProbeCog

COGS = ["films", "tests.telegram_probe_cog"]


def telegram_config(fake: FakeTelegram, telegram: dict[str, Any] | None = None,
                    extra: dict[str, Any] | None = None) -> Config:
    section: dict[str, Any] = {"base_url": fake.base_url, "base_file_url": fake.base_file_url,
                               "poll_timeout": 1, "overall_max_rate": 0, "group_max_rate": 0,
                               "chat_max_rate": 0}  # the stand-in enforces no limits unless a test asks
    section.update(telegram or {})
    raw: dict[str, Any] = {"bot": {"cogs": COGS}, "telegram": section, **(extra or {})}
    return build_config(raw, "(test)", {"MICROFILM_TELEGRAM_TOKEN": fake.token})


class TelegramBot:
    """`async with TelegramBot(path, config) as tg:` an App with only the Telegram platform."""

    def __init__(self, db_path: Path, config: Config) -> None:
        self.platform: TelegramPlatform = create(config)
        self.app = App(config, db_path=str(db_path), platforms=[self.platform])

    async def __aenter__(self) -> TelegramBot:
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.stop()

    @property
    def probe(self) -> ProbeCog:
        cog = self.app.cog("probe")
        assert isinstance(cog, ProbeCog)
        return cog


def to_chat(chat: dict[str, Any], contains: str | None = None) -> Any:
    """A wait_for_call predicate: an answered sendMessage (or sendPhoto) to this chat whose text (or
    caption) has `contains`."""
    def check(request: RecordedRequest) -> bool:
        said = str(request.params.get("text") or request.params.get("caption") or "")
        return request.ok and request.params.get("chat_id") == chat["id"] and (contains is None or contains in said)
    return check


def shown(request: RecordedRequest) -> str:
    """The text Telegram shows for a sent message (after parsing its HTML)."""
    assert request.response is not None
    result = request.response["result"]
    return str(result.get("text") or result.get("caption") or "")


async def open_round(fake: FakeTelegram, group: dict[str, Any], admin: dict[str, Any],
                     entries: list[tuple[dict[str, Any], str]]) -> None:
    """An admin starts "Night walks" and each (maker, title) enters a film, waiting for every answer."""
    fake.send_text(group, admin, "/challenge_admin new Night walks")
    await fake.wait_for_call("sendMessage", to_chat(group, "is set"))
    for number, (maker, title) in enumerate(entries, start=1):
        fake.send_text(group, maker, f'/submit https://vimeo.com/{number} title="{title}" runtime=2:00')
        await fake.wait_for_call("sendMessage", to_chat(group, f"Entry #{number}:"))
