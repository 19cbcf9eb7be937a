"""discord.py's process-wide settings, set in one place and put back on stop.

The library reads a few class attributes instead of per-client options: the REST base
(`Route.BASE`), the gateway address (`DiscordWebSocket.DEFAULT_GATEWAY`), and the warnings a
`VoiceClient` logs about voice libraries that are not installed. The bot points the first two at
`[discord] api_base` and `gateway_url` (a proxy, or the test suite's stand-in) and silences the voice
warnings (it never joins voice). Whoever set them before gets their values back when the platform
stops, so a test process that runs one bot after another never leaks one's settings into the next.
"""

from __future__ import annotations

from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import DiscordSettings


class LibrarySettings:
    """Set by `apply`, put back by `restore` (or by leaving its `with`, or by calling it)."""

    def __init__(self, api_base: str, gateway_url: str) -> None:
        self.api_base = api_base.rstrip("/")
        self.gateway = yarl.URL(gateway_url)
        self._saved: tuple[Any, ...] | None = None

    @classmethod
    def of(cls, settings: DiscordSettings) -> LibrarySettings:
        return cls(settings.api_base, settings.gateway_url)

    def apply(self) -> None:
        if self._saved is None:
            self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, discord.VoiceClient.warn_nacl,
                           discord.VoiceClient.warn_dave)
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = self.gateway
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False

    def restore(self) -> None:
        if self._saved is not None:
            (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, discord.VoiceClient.warn_nacl,
             discord.VoiceClient.warn_dave) = self._saved
            self._saved = None

    def __call__(self) -> None:
        self.restore()

    def __enter__(self) -> LibrarySettings:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()
