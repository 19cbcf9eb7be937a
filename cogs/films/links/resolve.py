"""Short links (b23.tv, v.douyin.com, vm.tiktok.com, ...) carry no video id: their redirect does.

A short link is followed with one request per hop (at most three), each with a short timeout, reading at
most a capped number of bytes, only over http(s), and never to a private, loopback or link-local address:
the addresses a name resolves to are checked before connecting, so a link cannot point the bot at the
machine it runs on or at its network. Success means the redirect named a known video; anything else
(a timeout, a loop, a page that is not a video) leaves the link as typed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections import OrderedDict
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.errors import UserError
from cogs.films.links.normalize import WEB, Link, parse_link

log = logging.getLogger(__name__)
MAX_HOPS = 3
CACHE_SIZE = 512
REDIRECTS = {301, 302, 303, 307, 308}
# A short-link page answered with 200 names its target in a canonical link or an og:url.
_CANONICAL = re.compile(rb"""<(?:link[^>]+rel=["']canonical["'][^>]+href"""
                        rb"""|meta[^>]+property=["']og:url["'][^>]+content)=["']([^"']+)["']""", re.IGNORECASE)


class Refused(OSError):
    """An address the resolver will not connect to."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class GuardedResolver(AbstractResolver):
    """Resolves names as usual and refuses any that leads to an address that is not public.

    `hosts` pins names to addresses without asking DNS, and only those pinned addresses may be private:
    a test-only allowance (the loopback stand-in), never set from the config."""

    def __init__(self, hosts: Mapping[str, str] | None = None) -> None:
        self.hosts = dict(hosts or {})
        self.inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        pinned = self.hosts.get(host.lower())
        if pinned is not None:
            return [ResolveResult(hostname=host, host=pinned, port=port, family=socket.AF_INET, proto=0,
                                  flags=socket.AI_NUMERICHOST)]
        found = await self.inner.resolve(host, port, family)
        if not found or any(not is_public(item["host"]) for item in found):
            raise Refused(f"{host} resolves to an address that is not public")
        return found

    async def close(self) -> None:
        await self.inner.close()


class ShortLinks:
    """Follows short links to the video they name; None when that cannot be found out."""

    def __init__(self, *, timeout: float, max_bytes: int, hosts: Mapping[str, str] | None = None) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.resolver = GuardedResolver(hosts)
        self.session: aiohttp.ClientSession | None = None
        self.cache: OrderedDict[str, Link] = OrderedDict()

    async def resolve(self, link: Link) -> Link | None:
        cached = self.cache.get(link.url)
        if cached is not None:
            return cached
        try:
            found = await asyncio.wait_for(self._follow(link), self.timeout)
        except (TimeoutError, aiohttp.ClientError, OSError, UserError, ValueError) as exc:
            log.info("short link %s not resolved: %s", link.url, exc)
            return None
        if found is not None:
            self.cache[link.url] = found
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        return found

    async def _follow(self, link: Link) -> Link | None:
        seen = {link.url}
        current = link
        for _ in range(MAX_HOPS):
            target = await self._hop(current.url)
            if target is None:
                return None
            current = parse_link(target)
            if current.identity.site != WEB:
                return current
            if current.url in seen or not current.is_short:
                return None  # a loop, or a page that is not a video (a login wall, the site's front page)
            seen.add(current.url)
        return None

    async def _hop(self, url: str) -> str | None:
        host = urlsplit(url).hostname or ""
        try:
            if not is_public(host):
                raise Refused(f"{host} is not a public address")
        except ValueError:
            pass  # a name, not an address: the resolver checks what it resolves to
        session = self._session()
        async with session.get(url, allow_redirects=False) as response:
            if response.status in REDIRECTS:
                location = response.headers.get("Location")
                return urljoin(url, location) if location else None
            if response.status != 200:
                return None
            body = await response.content.read(self.max_bytes)
        found = _CANONICAL.search(body)
        return urljoin(url, found.group(1).decode("utf-8", "replace")) if found else None

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None or self.session.closed:
            connector = aiohttp.TCPConnector(resolver=self.resolver, limit=8, use_dns_cache=False)
            self.session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": "Mozilla/5.0 (compatible; microfilm-bot link check)"},
                max_line_size=8190, max_field_size=8190)
        return self.session

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
        await self.resolver.close()
