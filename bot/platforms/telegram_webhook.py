"""The webhook: Telegram POSTs each update to us (behind an HTTPS reverse proxy); we answer once it is safe.

Our own small aiohttp server in place of PTB's, for the same reasons as the poller (telegram_poller):
an update the library cannot parse is written down, logged and answered 200 (else Telegram would send it
again and again), and an update that cannot be written to the inbox is answered 503, so Telegram keeps
it and delivers it again later. The secret token in X-Telegram-Bot-Api-Secret-Token is checked first.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import Update

from bot.config import TelegramWebhook
from bot.platforms.telegram_poller import STORAGE_ERRORS, Take, update_kind

if TYPE_CHECKING:
    from bot.platforms.telegram_platform import TelegramPlatform

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; anything larger is not from Telegram


class WebhookServer:
    def __init__(self, platform: TelegramPlatform, settings: TelegramWebhook, secret: str, take: Take) -> None:
        self.platform = platform
        self.settings = settings
        self.secret = secret
        self.take = take
        self._runner: web.AppRunner | None = None
        self.refused_storage = 0  # updates answered 503 because the inbox could not be written

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post("/" + self.settings.path.lstrip("/"), self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.settings.listen, self.settings.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        try:
            raw: Any = json.loads(await request.read())
            update_id = int(raw["update_id"])
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(raw, self.platform.bot)
        except Exception as exc:
            log.error("Telegram: skipping update %s (%s) that python-telegram-bot cannot read: %s: %s",
                      update_id, update_kind(raw), type(exc).__name__, exc)
            return await self._write_down(update_id, raw, f"{type(exc).__name__}: {exc}")
        try:
            await self.take(update, raw)
        except STORAGE_ERRORS as exc:
            self.refused_storage += 1
            log.error("Telegram: cannot write update %s to the inbox (%s: %s); Telegram will send it again",
                      update_id, type(exc).__name__, exc)
            return web.Response(status=503)
        return web.Response(status=200)

    async def _write_down(self, update_id: int, raw: dict[str, Any], error: str) -> web.Response:
        try:
            await self.platform.inbox.unreadable(update_id, raw, error)
        except STORAGE_ERRORS:
            return web.Response(status=503)
        return web.Response(status=200)
