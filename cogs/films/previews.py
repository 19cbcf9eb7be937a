"""A shared film's picture from its site, fetched once in the background: the site's oEmbed answer (YouTube
and Vimeo by their endpoints, any page by its `<link rel="alternate" type="application/json+oembed">`), else
the page's OpenGraph `og:image`. A fetch has a time limit and a size cap, follows few redirects, never
reaches private addresses unless told to, and never holds up the share: what it finds is stored and the
film's posted cards are edited to show it. The picture itself is downloaded on demand within the same limits
(the podium of a challenge's results), its whole body or nothing."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TypeVar
from urllib.parse import quote, urljoin, urlsplit

import aiohttp

from cogs.films.links.resolve import GuardedResolver
from cogs.films.settings import FilmSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_REDIRECTS = 3
MAX_URL = 2048
KNOWN_OEMBED = {  # sites whose oEmbed endpoint is known, so their page need not be read
    "www.youtube.com": "https://www.youtube.com/oembed?format=json&url={url}",
    "vimeo.com": "https://vimeo.com/api/oembed.json?url={url}",
}


class PreviewError(Exception):
    """The page could not be read within the limits (slow, too big, refused, gone, not allowed)."""


@dataclass(frozen=True)
class Page:
    """What a page says about itself in its head."""

    oembed: str | None = None
    image: str | None = None


class _HeadParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.oembed: str | None = None
        self.image: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key.lower(): value or "" for key, value in attrs}
        if tag == "link" and found.get("type") == "application/json+oembed" and self.oembed is None:
            self.oembed = urljoin(self.base, found.get("href", ""))
        elif tag == "meta" and found.get("property", found.get("name")) in ("og:image", "og:image:url") \
                and self.image is None and found.get("content"):
            self.image = urljoin(self.base, found["content"])


def read_page(html: str, base: str) -> Page:
    parser = _HeadParser(base)
    try:
        parser.feed(html)
    except Exception:  # a broken page says nothing usable, whatever HTMLParser makes of it
        return Page()
    return Page(parser.oembed, parser.image)


def _web_url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_URL or urlsplit(value).scheme not in ("http", "https"):
        return None
    return value


async def _whole_body(response: aiohttp.ClientResponse, cap: int, url: str) -> bytes:
    """All of a body, refused as soon as it passes `cap` bytes (whatever its Content-Length claimed)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65536):
        size += len(chunk)
        if size > cap:
            raise PreviewError(f"{url} is larger than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class PreviewFetcher:
    def __init__(self, settings: FilmSettings) -> None:
        self.settings = settings

    async def thumbnail(self, link: str) -> str | None:
        """The picture for a film link, or None (also when the site is slow, huge, broken or gone)."""
        return await self._limited(lambda session: self._find(session, link), f"no picture for {link}")

    async def picture(self, url: str) -> bytes | None:
        """The body a picture's address answers (redirects followed and checked), or None when it is not an
        http(s) address, or the answer is slow, larger than preview_max_bytes, refused or gone."""
        return await self._limited(lambda session: self._get(session, url, whole=True),
                                   f"picture {url[:200]} not downloaded")

    async def _limited(self, work: Callable[[aiohttp.ClientSession], Awaitable[T]], failed: str) -> T | None:
        """`work` within preview_timeout in all; any way a site can fail is logged as `failed` and is None."""
        timeout = aiohttp.ClientTimeout(total=self.settings.preview_timeout)
        # _check_host refuses a private address before asking; the guarded resolver checks again where the
        # connection is made, so a name that answers differently the second time is refused too.
        connector = (None if self.settings.preview_private_hosts
                     else aiohttp.TCPConnector(resolver=GuardedResolver(), use_dns_cache=False))
        try:
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                return await asyncio.wait_for(work(session), self.settings.preview_timeout)
        except (PreviewError, aiohttp.ClientError, TimeoutError, ValueError, UnicodeError) as exc:
            log.info("films: %s: %s", failed, exc or type(exc).__name__)
            return None

    async def _find(self, session: aiohttp.ClientSession, link: str) -> str | None:
        endpoint = KNOWN_OEMBED.get(urlsplit(link).hostname or "")
        if endpoint is not None:
            return await self._oembed(session, endpoint.format(url=quote(link, safe="")))
        page = read_page((await self._get(session, link)).decode("utf-8", "replace"), link)
        if page.oembed is not None:
            found = await self._oembed(session, page.oembed)
            if found is not None:
                return found
        return _web_url(page.image)

    async def _oembed(self, session: aiohttp.ClientSession, url: str) -> str | None:
        try:
            data = json.loads(await self._get(session, url))
        except json.JSONDecodeError as exc:
            raise PreviewError(f"malformed oEmbed answer from {url}") from exc
        return _web_url(data.get("thumbnail_url")) if isinstance(data, dict) else None

    async def _get(self, session: aiohttp.ClientSession, url: str, *, whole: bool = False) -> bytes:
        """The body, at most preview_max_bytes of it (a page's head is at its top; `whole`: a longer body is
        refused, as a cut picture is a broken one); every redirect checked like the address itself."""
        cap = self.settings.preview_max_bytes
        for _ in range(MAX_REDIRECTS + 1):
            if _web_url(url) is None:
                raise PreviewError(f"{url[:80]} is not an http(s) address")
            await self._check_host(url)
            async with session.get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status != 200:
                    raise PreviewError(f"{url} answered {response.status}")
                if not whole:
                    return await response.content.read(cap)
                if (response.content_length or 0) > cap:
                    raise PreviewError(f"{url} is larger than {cap} bytes")
                return await _whole_body(response, cap, url)
        raise PreviewError(f"too many redirects from {url}")

    async def _check_host(self, url: str) -> None:
        if self.settings.preview_private_hosts:
            return
        host = urlsplit(url).hostname or ""
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise PreviewError(f"{host} is a private address")


class Previews:
    """Fetches run as background tasks, one per film at a time; `settle()` waits for those running."""

    def __init__(self, fetcher: PreviewFetcher, store: Callable[[int, str, str], Awaitable[None]]) -> None:
        self.fetcher = fetcher
        self.store = store  # (film id, link, thumbnail): keep it and show it on the film's posted cards
        self.tasks: set[asyncio.Task[None]] = set()

    def fetch(self, film_id: int, link: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(film_id, link), name=f"film-preview-{film_id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, film_id: int, link: str) -> None:
        try:
            thumbnail = await self.fetcher.thumbnail(link)
            if thumbnail is not None:
                await self.store(film_id, link, thumbnail)
        except Exception:  # a picture is a nicety: its failure is logged and costs nothing else
            log.exception("films: storing the picture of film %s failed", film_id)

    async def settle(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*list(self.tasks), return_exceptions=True)
