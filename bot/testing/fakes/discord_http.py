"""HTTP plumbing for the Discord fake: routing, request log, JSON replies, rate-limit headers and 429s.

Kept apart from the route handlers (discord_rest.py) so those read as plain "what Discord answers".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = dict[str, Any]


@dataclass
class RecordedRequest:
    """One REST call as the fake saw it. ``path`` is relative to ``/api/v10`` (e.g. ``/users/@me``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[JSON] = field(default_factory=list)
    status: int | None = None  # filled in once answered
    response: Any = None
    route: str | None = None  # the matched template, None for unknown routes

    def matches(self, method: str, path_regex: str) -> bool:
        return self.method == method.upper() and re.search(path_regex, self.path) is not None


@dataclass
class Reply:
    status: int
    body: Any = None  # None: no body (204)
    # The message this request created, if any: FakeDiscord.after_accept sees it before the answer goes out.
    accepted: JSON | None = None


def error(status: int, message: str, code: int = 0, **extra: Any) -> Reply:
    return Reply(status, {"message": message, "code": code, **extra})


def form_error(field_name: str, code: str, message: str) -> Reply:
    """Discord's 50035 "Invalid Form Body" with one field error."""
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return error(400, "Invalid Form Body", 50035, errors=errors)


def truthy(value: str | None) -> bool:
    """Query flags as discord.py sends them (``wait=1``, ``with_response=1``)."""
    return (value or "").lower() in ("1", "true")


NONCE_MAX_LENGTH = 25


def check_nonce(nonce: Any) -> Reply | None:
    """Discord takes a message nonce as an integer or a string of at most 25 characters."""
    if nonce is None:
        return None
    if isinstance(nonce, bool) or not isinstance(nonce, int | str):
        return form_error("nonce", "NONCE_TYPE_INVALID", "Nonce must be an integer or a string.")
    if len(str(nonce)) > NONCE_MAX_LENGTH:
        return form_error("nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_MAX_LENGTH} or fewer in length.")
    return None


def check_message_body(body: JSON, has_files: bool) -> Reply | None:
    """Discord's limits on a message body; None when it would be accepted."""
    content = body.get("content") or ""
    if len(content) > 2000:
        return form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        return form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for embed in embeds:
        fields = embed.get("fields", [])
        if len(str(embed.get("title", ""))) > 256 or len(str(embed.get("description", ""))) > 4096 \
                or len(fields) > 25:
            return form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Embed field too long.")
        total += len(str(embed.get("title", ""))) + len(str(embed.get("description", "")))
        total += sum(len(str(f.get("name", ""))) + len(str(f.get("value", ""))) for f in fields)
    if total > 6000:
        return form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    if not (content or embeds or has_files or body.get("components") or body.get("sticker_ids")
            or body.get("poll")):
        return error(400, "Cannot send an empty message", 50006)
    return None


def json_response(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    """A response with ``Content-Type: application/json`` *exactly*.

    discord.py compares the header verbatim; aiohttp's json_response appends ``; charset=utf-8`` and the
    library then treats the body as text and crashes on it.
    """
    if body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(status=status, body=json.dumps(body).encode(),
                        headers={**headers, "Content-Type": "application/json"})


Handler = Callable[..., Awaitable[Reply]]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool
    regex: re.Pattern[str]


class Router:
    """Matches ``/channels/{channel_id}/messages``-style templates; captured names become kwargs."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append(Route(method, template, handler, auth, re.compile(f"^{pattern}$")))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, params, path_known): path_known tells 404 from 405."""
        path_known = False
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                path_known = True
                if route.method == method:
                    return route, found.groupdict(), True
        return None, {}, path_known


class RequestLog:
    """Recorded requests plus waiters, so tests await a request instead of sleeping."""

    def __init__(self) -> None:
        self.items: list[RecordedRequest] = []
        self._waiters: list[tuple[Callable[[RecordedRequest], bool], asyncio.Future[RecordedRequest]]] = []

    def add(self, request: RecordedRequest) -> None:
        self.items.append(request)

    def answered(self, request: RecordedRequest) -> None:
        """Wake waiters once the request has its status and the fake's state is updated."""
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(request):
                future.set_result(request)
        self._waiters = [(p, f) for p, f in self._waiters if not f.done()]

    async def wait_for(self, predicate: Callable[[RecordedRequest], bool], timeout: float,
                       since: int = 0) -> RecordedRequest:
        for request in self.items[since:]:
            if request.status is not None and predicate(request):
                return request
        future: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return await asyncio.wait_for(future, timeout)


@dataclass
class RateLimitRule:
    method: str
    path_regex: str
    retry_after: float
    global_: bool


class RateLimits:
    """``X-RateLimit-*`` headers from a per-bucket window, plus injected 429s.

    The window makes discord.py pace itself the way it does against Discord: when Remaining hits 0 it
    sleeps until Reset-After before the next call on that bucket. Nothing here refuses a request over the
    window; that is discord_limits.DiscordLimits (``FakeDiscord(real_limits=True)``).
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._buckets: dict[str, tuple[float, int]] = {}  # key -> (window start, used)
        self._rules: list[RateLimitRule] = []
        self.injected = 0

    def inject(self, method: str, path_regex: str, retry_after: float, global_: bool) -> None:
        self._rules.append(RateLimitRule(method.upper(), path_regex, retry_after, global_))

    def take_rule(self, request: RecordedRequest) -> RateLimitRule | None:
        for rule in self._rules:
            if request.matches(rule.method, rule.path_regex):
                self._rules.remove(rule)
                self.injected += 1
                return rule
        return None

    def headers(self, method: str, template: str, major: str) -> dict[str, str]:
        now = time.time()
        key = f"{method} {template} {major}"
        start, used = self._buckets.get(key, (now, 0))
        if now - start >= self.window:
            start, used = now, 0
        used += 1
        self._buckets[key] = (start, used)
        reset = start + self.window
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - used, 0)),
            "X-RateLimit-Reset": f"{reset:.3f}",
            "X-RateLimit-Reset-After": f"{max(reset - now, 0.001):.3f}",
            "X-RateLimit-Bucket": bucket_hash(method, template),
        }

    @staticmethod
    def too_many(rule: RateLimitRule) -> web.Response:
        """A 429 shaped like Discord's (body of fixtures/discord/ratelimit_429*.json)."""
        if rule.global_:
            return too_many(rule.retry_after, global_=True)
        reset = time.time() + rule.retry_after
        return too_many(rule.retry_after, global_=False, extra_headers={
            "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": f"{reset:.3f}",
            "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}", "X-RateLimit-Bucket": "fake-429",
            "X-RateLimit-Scope": "user",
        })


def too_many(retry_after: float, global_: bool, extra_headers: dict[str, str] | None = None) -> web.Response:
    return json_response(429, *rate_limited(retry_after, global_, extra_headers))


def rate_limited(retry_after: float, global_: bool,
                 extra_headers: dict[str, str] | None = None) -> tuple[JSON, dict[str, str]]:
    """Body and headers of Discord's 429: ``retry_after`` in seconds (a float) and ``global`` in the JSON;
    ``Via``, ``Retry-After`` in whole seconds and, for the global limit, ``X-RateLimit-Global`` and
    ``X-RateLimit-Scope: global`` in the headers; ``extra_headers`` carry a bucket's.

    ``Via`` matters: discord.py reads a 429 without it as a Cloudflare ban and raises instead of waiting.
    """
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": global_}
    headers = {"Via": "1.1 google", "Retry-After": str(max(1, math.ceil(retry_after)))}
    if global_:
        headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
    headers.update(extra_headers or {})
    return body, headers


def bucket_hash(method: str, template: str) -> str:
    """An opaque bucket id per route, stable so discord.py never sees a route change buckets (also when
    FakeDiscord's real limits answer a message create instead of this class)."""
    return hashlib.md5(f"{method} {template}".encode()).hexdigest()[:16]


def major_parameter(params: dict[str, str]) -> str:
    """Discord buckets per channel, guild or webhook: the same "major parameters" discord.py uses."""
    for name in ("channel_id", "guild_id", "webhook_id", "interaction_id"):
        if name in params:
            return params[name]
    return ""


@dataclass
class Outage:
    """Requests matching (method, path) are served normally `after` times, then answered `status` (503:
    Discord's "service unavailable", which discord.py raises at once, without retrying)."""

    method: str
    path_regex: str
    after: int
    status: int = 503
    refused: int = 0

    def refuses(self, request: RecordedRequest) -> bool:
        if not request.matches(self.method, self.path_regex):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        self.refused += 1
        return True
