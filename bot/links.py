"""Links people type, made safe to store and show: no invisible or control characters, no `user@host`
disguise, and hosts with letters of other alphabets written in punycode so a look-alike stands out."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit, urlunsplit

from bot.i18n import Translator
from bot.models import Text

# Control, format (right-to-left overrides, zero-width joiners) and line or paragraph separators:
# invisible in a chat, they make a link read differently from where it leads.
_HIDDEN = {"Cc", "Cf", "Zl", "Zp"}


class LinkRefused(ValueError):
    """Why a link cannot be taken: `hidden`, `invalid`, `scheme` or `host` (each cog says it its way)."""

    def __init__(self, reason: str, scheme: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.scheme = scheme


def has_hidden(text: str) -> bool:
    """Whether `text` holds a character that is invisible in a chat (a right-to-left override, a NUL)."""
    return any(unicodedata.category(char) in _HIDDEN and not char.isspace() for char in text)


def safe_link(raw: str) -> str:
    """An http(s) link with any `user:password@` part dropped and its host lower-cased and in punycode.
    Raises LinkRefused for hidden characters or spaces, no host, another scheme, a bad port."""
    if any(char.isspace() for char in raw) or has_hidden(raw):
        raise LinkRefused("hidden")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise LinkRefused("invalid") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise LinkRefused("scheme", scheme or "?")
    host = (parts.hostname or "").rstrip(".")
    if not host or "." not in host and host != "localhost":
        raise LinkRefused("host")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise LinkRefused("invalid") from None
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def lookalike_host(url: str) -> str | None:
    """The host of a link made safe by `safe_link` when it was written with letters of other alphabets
    (now punycode, `xn--`), so the reply can warn that it may imitate another site; else None."""
    host = urlsplit(url).hostname or ""
    return host if any(label.startswith("xn--") for label in host.split(".")) else None


def lookalike_warning(t: Translator, link: str) -> list[Text]:
    """The warning for a reply, when a link's host was written with letters of other alphabets."""
    host = lookalike_host(link) if link else None
    return [t("links.lookalike", host=shown_host(host), punycode=host)] if host else []


def shown_host(host: str) -> str:
    """The punycode host as it was typed, for the warning (`xn--exmple-4nf.com` -> `exаmple.com`)."""
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host
