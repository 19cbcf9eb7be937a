"""Logging for an operator: one handler on the root logger, secrets masked wherever they appear, the HTTP
libraries kept quiet, and one line per handled command with the fields that say what happened.

Tokens travel in request URLs (Telegram puts the bot token in every path), in library reprs and in
exception messages, so masking happens on the root handler, after the message and any traceback are
formatted: whatever path a secret takes into a record, the line written has `***` in its place.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

MASK = "***"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log each request (httpx logs every Telegram URL, token included, at INFO), each frame, or
# each statement with its parameters (aiosqlite at DEBUG: people's names and messages).
QUIET = ("httpx", "httpcore", "hpack", "aiohttp.access", "websockets", "apscheduler", "aiosqlite",
         "discord.gateway", "discord.http", "telegram.ext.ExtBot", "telegram.Bot")
# Libraries whose DEBUG lines carry what people wrote (PTB prints each update) or a credential of the moment
# (discord.py's webhook URLs hold each interaction's token): their INFO lines stay.
NO_DEBUG = ("telegram.ext.Application", "discord.webhook.async_")
MIN_SECRET = 6  # shorter values would mask ordinary words; no real token is that short


class RedactingFilter(logging.Filter):
    """Replaces every configured secret (and its URL-quoted form) in a record's message and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET:
                forms.update({secret, quote(secret, safe=""), quote(secret)})
        self.forms = sorted(forms, key=len, reverse=True)  # the longest first: a quoted form contains parts

    def redact(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.forms:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(level: str, secrets: Iterable[str] = (), stream: TextIO | None = None) -> logging.Handler:
    """Send every record to `stream` (stderr) through one handler that masks `secrets`; returns it."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET:
        # At DEBUG an operator still sees their warnings; their per-request chatter stays out.
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in NO_DEBUG:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    return handler


def fields(**values: object) -> str:
    """`key=value` pairs for a log line, in the order given; values without spaces stay unquoted."""
    parts = []
    for key, value in values.items():
        text = str(value)
        parts.append(f"{key}={text!r}" if not text or any(ch.isspace() for ch in text) else f"{key}={text}")
    return " ".join(parts)
