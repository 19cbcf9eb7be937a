"""Pure rules of the films cog: link normalisation, runtimes, tags, field limits."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.errors import UserError
from bot.links import LinkRefused, safe_link

MAX_TITLE = 200
MAX_LOGLINE = 500
MAX_TAGS = 10
MAX_TAG = 30
MAX_RUNTIME = 10 * 3600
TRACKING = {"fbclid", "gclid", "dclid", "igshid", "igsh", "mc_cid", "mc_eid", "si", "feature", "ref_src",
            "_ga", "yclid", "msclkid", "spm", "share_source", "share_medium", "vd_source"}
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_LINK_ERRORS = {"hidden": "films.errors.link_spaces", "invalid": "films.errors.link_invalid",
                "scheme": "films.errors.link_scheme", "host": "films.errors.link_host"}
_RUNTIME_UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def normalize_link(raw: str) -> str:
    """A canonical form of a film link, so the same film shared twice is recognised. Raises UserError."""
    try:
        parts = urlsplit(safe_link(raw))  # no hidden characters, no user@ part, the host in punycode
    except LinkRefused as exc:
        raise UserError(_LINK_ERRORS[exc.reason], link=raw[:200], scheme=exc.scheme) from None
    scheme, host, port = parts.scheme, parts.hostname or "", parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING]
    path = parts.path.rstrip("/") or ""
    youtube = _youtube(host, path, query)
    if youtube:
        return youtube
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _youtube(host: str, path: str, query: list[tuple[str, str]]) -> str | None:
    video: str | None = None
    if host in ("youtu.be", "www.youtu.be"):
        video = path.strip("/").split("/")[0] or None
    elif host in YOUTUBE_HOSTS:
        if path == "/watch":
            video = dict(query).get("v")
        elif path.startswith(("/shorts/", "/embed/", "/live/")):
            video = path.split("/")[2] or None
    return f"https://www.youtube.com/watch?v={video}" if video else None


def parse_runtime(raw: str) -> int:
    """`4:30`, `4m30s`, `270s`, `1:02:03`, `3m` -> seconds. Raises UserError on anything else."""
    text = raw.strip().lower().replace(" ", "")
    seconds: int | None = None
    if re.fullmatch(r"\d{1,3}:\d{2}(:\d{2})?", text):
        numbers = [int(part) for part in text.split(":")]
        if all(n < 60 for n in numbers[1:]):
            seconds = numbers[-1] + 60 * numbers[-2] + (3600 * numbers[0] if len(numbers) == 3 else 0)
    elif text and (match := _RUNTIME_UNITS.fullmatch(text)):
        hours, minutes, secs = (int(group or 0) for group in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds is None or not 0 < seconds <= MAX_RUNTIME:
        raise UserError("films.errors.runtime", value=raw)
    return seconds


def format_runtime(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_tags(raw: str) -> tuple[str, ...]:
    tags: list[str] = []
    for part in re.split(r"[,，]", raw):
        tag = part.strip().lstrip("#").lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise UserError("films.errors.tag_long", tag=tag[:40], limit=MAX_TAG)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise UserError("films.errors.too_many_tags", limit=MAX_TAGS)
    return tuple(tags)


def check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise UserError("films.errors.title_empty")
    if len(title) > MAX_TITLE:
        raise UserError("films.errors.title_long", limit=MAX_TITLE, length=len(title))
    return title


def check_logline(logline: str) -> str:
    logline = logline.strip()
    if len(logline) > MAX_LOGLINE:
        raise UserError("films.errors.logline_long", limit=MAX_LOGLINE, length=len(logline))
    return logline


def check_genre(genre: str, genres: tuple[str, ...]) -> str:
    wanted = genre.strip().lower()
    if wanted not in genres:
        raise UserError("films.errors.genre", genre=genre, genres=", ".join(genres))
    return wanted


def search_terms(words: str) -> list[str]:
    """User words -> the terms a search looks for (each the start of a word); empty when nothing is
    searchable. The storage layer turns them into its own query, so no syntax in them means anything."""
    return [word for word in re.findall(r"\w+", words.lower()) if word][:12]
