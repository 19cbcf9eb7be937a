"""Is the bot well? `ready` or `degraded` (a platform disconnected, a delivery backlog, timed jobs left
behind), and `down` when no running bot answers, so a supervisor knows when to restart it.

The running bot writes its report beside the database every few seconds (`<database>.health.json`);
`microfilm-bot health` reads it, and a report older than a few heartbeats means the bot is down or stuck.
An optional HTTP endpoint (`[bot] health_port`, off by default) answers the same report live: 200 when
ready, 503 otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.storage.base import POSTGRES_SCHEMES

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 30.0      # a report older than this: the bot is down, or its loop is stuck
LATE = timedelta(minutes=1)  # a delivery or a timed job this much overdue is a backlog, not a moment's wait


@dataclass(frozen=True)
class Report:
    state: str                                   # ready | degraded | down
    reasons: list[str] = field(default_factory=list)
    platforms: dict[str, str] = field(default_factory=dict)  # name -> "connected" or "disconnected since ..."

    def line(self) -> str:
        return self.state + (": " + "; ".join(self.reasons) if self.reasons else "")


def status_path(database: str | Path) -> Path:
    """Beside a SQLite file; for a PostgreSQL URL (no file to sit beside), in the temporary folder, one per
    database: several processes on one host each answer on their own `health_port` instead."""
    text = str(database)
    if text.startswith(POSTGRES_SCHEMES):
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"microfilm-bot-{digest}.health.json"
    path = Path(database)
    return path.with_name(path.name + ".health.json")


async def report(app: App) -> Report:
    """The bot's state now, from what the platforms, the outbox and the scheduler say."""
    now = app.clock.now()
    reasons: list[str] = []
    platforms: dict[str, str] = {}
    for name, platform in app.platforms.items():
        since = platform.disconnected_since()
        platforms[name] = "connected" if since is None else f"disconnected since {since.isoformat()}"
        if since is not None:
            reasons.append(f"{name} {platforms[name]}")
    backlog = await app.outbox.overdue(now - LATE)
    if backlog:
        reasons.append(f"{backlog} messages wait more than {int(LATE.total_seconds())} s to be delivered")
    due = await app.scheduler.next_due()
    if due is not None and due < now - LATE:
        reasons.append(f"timed jobs are behind (one was due at {due.isoformat()})")
    return Report("degraded" if reasons else "ready", reasons, platforms)


def read_report(database: str | Path, now: float | None = None) -> Report:
    """What `microfilm-bot health` says: the running bot's last report, or down."""
    path = status_path(database)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Report("down", [f"no running bot reports on {database}"])
    except (OSError, ValueError) as exc:
        return Report("down", [f"cannot read {path} ({exc})"])
    age = (now or time.time()) - float(data.get("at", 0))
    if age > STALE_SECONDS:
        return Report("down", [f"the bot's last report is {age:.0f} s old (stopped, or stuck)"])
    return Report(data.get("state", "down"), list(data.get("reasons", [])), dict(data.get("platforms", {})))


class HealthMonitor:
    """Writes the report every few seconds while the bot runs, and serves it over HTTP when configured."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.path = status_path(app.db_path)
        self._task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        await self.write()
        self._task = asyncio.create_task(self._beat(), name="health-heartbeat")
        settings = self.app.config.bot
        if settings.health_port:
            server = web.Application()
            server.router.add_get("/health", self._serve)
            self._runner = web.AppRunner(server, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, settings.health_listen, settings.health_port).start()
            log.info("health endpoint on http://%s:%d/health", settings.health_listen, settings.health_port)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._runner is not None:
            await self._runner.cleanup()
        self.path.unlink(missing_ok=True)  # a stopped bot is down, not ready as of its last report

    async def write(self) -> Report:
        found = await report(self.app)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps({**asdict(found), "at": time.time(), "pid": os.getpid()}), encoding="utf-8")
        os.replace(partial, self.path)
        return found

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.write()
            except Exception:
                log.exception("could not write the health report to %s", self.path)

    async def _serve(self, request: web.Request) -> web.Response:
        found = await report(self.app)
        body: dict[str, Any] = asdict(found)
        return web.json_response(body, status=200 if found.state == "ready" else 503)
