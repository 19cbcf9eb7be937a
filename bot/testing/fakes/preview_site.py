"""A loopback stand-in for the sites films live on: pages with oEmbed discovery or OpenGraph tags, an oEmbed
endpoint, and the ways a site goes wrong (slow, huge, malformed, missing), on 127.0.0.1."""

from __future__ import annotations

import asyncio

from aiohttp import web

PAGE = ('<html><head><title>{title}</title>{head}</head><body><p>{body}</p></body></html>')


class PreviewSite:
    """`async with PreviewSite() as site:` then share `site.url("/oembed-page")` and so on."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self._closing = asyncio.Event()  # the slow page answers only when the site closes
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> PreviewSite:
        app = web.Application()
        app.router.add_get("/{name}", self._serve)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits.append(name)
        if name == "oembed-page":  # discovery: the page names its oEmbed answer
            link = f'<link rel="alternate" type="application/json+oembed" href="{self.url("/oembed.json")}">'
            return _html(PAGE.format(title="Night Bus", head=link, body="a film"))
        if name == "oembed.json":
            return web.json_response({"type": "video", "title": "Night Bus", "thumbnail_url": self.url("/bus.jpg")})
        if name == "og-page":
            meta = '<meta property="og:image" content="/moon.jpg"><meta property="og:title" content="Moon">'
            return _html(PAGE.format(title="Moon", head=meta, body="a film"))
        if name == "slow":
            await self._closing.wait()
            return _html(PAGE.format(title="late", head="", body=""))
        if name == "huge":  # megabytes of body before the tag a reader would never reach
            meta = f'<meta property="og:image" content="{self.url("/late.jpg")}">'
            return _html(PAGE.format(title="huge", head="", body="x" * 3_000_000 + meta))
        if name == "malformed":
            link = f'<link rel="alternate" type="application/json+oembed" href="{self.url("/broken.json")}">'
            return _html("<html><head>" + link + "<meta property=og:image content=javascript:alert(1)>")
        if name == "broken.json":
            return web.Response(text="{not json", content_type="application/json")
        return web.Response(status=404, text="Not Found")


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html")
