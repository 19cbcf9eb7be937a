"""FakeShortLinks: a loopback stand-in for short-link services (b23.tv, v.douyin.com, vm.tiktok.com).

    async with FakeShortLinks() as fake:
        fake.redirect("/AbCd", "https://www.bilibili.com/video/BV13x41117TL?share_source=copy")
        link = fake.url("b23.tv", "/AbCd")   # http://b23.tv:PORT/AbCd, pinned to 127.0.0.1 by fake.hosts

It listens on 127.0.0.1 only and never fetches anything. Each path answers as told: a redirect, a slow
answer, a page of a given size (optionally naming a canonical address), or an error; `requests` lists
the paths asked for, so a test can tell that a refused address was never reached.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

SHORT_HOSTS = ("b23.tv", "v.douyin.com", "vm.tiktok.com", "xhslink.com")


@dataclass(frozen=True)
class Answer:
    status: int = 200
    location: str | None = None
    delay: float = 0.0
    body: bytes = b""


class FakeShortLinks:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[str] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def hosts(self) -> dict[str, str]:
        """The short-link hosts pinned to this stand-in (the resolver's test-only allowance)."""
        return dict.fromkeys(SHORT_HOSTS, "127.0.0.1")

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.answers[path] = Answer(status=status, location=location)

    def slow(self, path: str, seconds: float) -> None:
        self.answers[path] = Answer(status=302, location="https://www.douyin.com/video/6961737553342991651",
                                    delay=seconds)

    def page(self, path: str, size: int, canonical: str | None = None) -> None:
        """A 200 page of `size` bytes, naming `canonical` at its very end."""
        tail = f'<link rel="canonical" href="{canonical}">'.encode() if canonical else b""
        self.answers[path] = Answer(body=b"<html>" + b" " * max(0, size - len(tail) - 6) + tail)

    def fail(self, path: str, status: int = 404) -> None:
        self.answers[path] = Answer(status=status)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        answer = self.answers.get(request.path, Answer(status=404))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        headers = {"Location": answer.location} if answer.location else {}
        return web.Response(status=answer.status, body=answer.body, headers=headers)

    async def __aenter__(self) -> FakeShortLinks:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
