"""A loopback stand-in for the sites films live on: pages with oEmbed discovery or OpenGraph tags, an oEmbed
endpoint, pictures, and the ways a site goes wrong (slow, huge, malformed, missing), on 127.0.0.1.

Pictures: `/shows-<picture>` is a film page whose og:image is `/<picture>`. `red.png`, `green.png` and
`blue.jpg` are square pictures of that colour with dark bands at the top and bottom (a 16:9 centre crop
leaves only the colour); `moved.png` redirects to `green.png`; `bomb.png` is a PNG of 8000x8000 pixels
in a few kilobytes; `truncated.png` stops halfway; `not-a-picture.png` is a web page; `huge.png` streams
megabytes; `slow.png` never answers until the site closes; anything else is a 404."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from functools import cache

from aiohttp import web
from PIL import Image

PAGE = ('<html><head><title>{title}</title>{head}</head><body><p>{body}</p></body></html>')
COLOURS = {"red": (200, 30, 30), "green": (30, 170, 60), "blue": (40, 70, 210)}
BAND = (10, 10, 10)  # the bands a 16:9 crop of the square pictures cuts off
HUGE = 3_000_000  # bytes of the huge picture


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
        if name.startswith("shows-"):
            meta = f'<meta property="og:image" content="/{name.removeprefix("shows-")}">'
            return _html(PAGE.format(title=name, head=meta, body="a film"))
        return await self._picture(request, name)

    async def _picture(self, request: web.Request, name: str) -> web.StreamResponse:
        stem, _, kind = name.partition(".")
        if stem in COLOURS:
            return web.Response(body=banded(COLOURS[stem], "JPEG" if kind == "jpg" else "PNG"),
                                content_type=f"image/{'jpeg' if kind == 'jpg' else 'png'}")
        if name == "moved.png":
            raise web.HTTPFound(self.url("/green.png"))
        if name == "bomb.png":
            return web.Response(body=bomb(), content_type="image/png")
        if name == "truncated.png":
            whole = noise_png()
            return web.Response(body=whole[: len(whole) // 2], content_type="image/png")
        if name == "not-a-picture.png":
            return web.Response(text=PAGE.format(title="Not here", head="", body="a web page"),
                                content_type="image/png")
        if name == "huge.png":  # streamed, no Content-Length: the reader must count for itself
            response = web.StreamResponse(headers={"Content-Type": "image/png"})
            await response.prepare(request)
            await response.write(noise_png())
            for _ in range(HUGE // 65536):
                await response.write(b"\0" * 65536)
            await response.write_eof()
            return response
        if name == "slow.png":
            await self._closing.wait()
            return web.Response(body=banded(COLOURS["red"], "PNG"), content_type="image/png")
        return web.Response(status=404, text="Not Found")


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html")


@cache
def banded(colour: tuple[int, int, int], fmt: str) -> bytes:
    """A 360x360 picture of `colour` with 40 px bands of BAND at its top and bottom."""
    image = Image.new("RGB", (360, 360), colour)
    image.paste(BAND, (0, 0, 360, 40))
    image.paste(BAND, (0, 320, 360, 360))
    out = io.BytesIO()
    image.save(out, format=fmt, quality=95)
    return out.getvalue()


@cache
def noise_png() -> bytes:
    """A 320x180 PNG that does not compress much (so half of it is a picture cut short)."""
    out = io.BytesIO()
    Image.frombytes("L", (320, 180), bytes((x * 7919) % 251 for x in range(320 * 180))).save(out, format="PNG")
    return out.getvalue()


@cache
def bomb(side: int = 8000) -> bytes:
    """A valid 1-bit PNG of side x side pixels, all black: a few kilobytes that decode to 64 million pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = (b"\0" + b"\0" * (side // 8)) * side  # each row: filter byte 0, then its bits
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))
