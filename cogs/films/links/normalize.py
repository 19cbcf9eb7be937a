"""A link as stored (scheme and host case, tracking parameters gone) and the video it names."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.errors import UserError
from bot.links import LinkRefused, safe_link
from cogs.films.links.sites import Identity, Query, is_short_link, video_of

# Parameters that say who shared a link or from where, never which page it is, on any site. Names that
# other sites use for content (`s`, `p`, `from`) are left alone: a known video site's id ignores them anyway.
TRACKING = {"fbclid", "gclid", "dclid", "igshid", "igsh", "mc_cid", "mc_eid", "si", "feature", "ref_src",
            "_ga", "yclid", "msclkid", "spm", "spm_id_from", "from_spmid", "share_source", "share_medium",
            "share_plat", "share_session_id", "vd_source", "is_from_webapp", "sender_device", "xsec_source",
            "mibextid"}
WEB = "web"


@dataclass(frozen=True)
class Link:
    url: str  # as stored and shown
    host: str
    path: str
    query: Query

    @property
    def identity(self) -> Identity:
        """(site, video id); a link of no known video site is known by its normalised address."""
        return video_of(self.host, self.path, self.query) or Identity(WEB, self.url)

    @property
    def is_short(self) -> bool:
        """A short link whose video is known only once its redirect is followed."""
        return video_of(self.host, self.path, self.query) is None and is_short_link(self.host, self.path)


_LINK_ERRORS = {"hidden": "films.errors.link_spaces", "invalid": "films.errors.link_invalid",
                "scheme": "films.errors.link_scheme", "host": "films.errors.link_host"}


def parse_link(raw: str) -> Link:
    """Check and normalise one link (scheme, host, tracking parameters). Raises UserError."""
    try:
        parts = urlsplit(safe_link(raw))  # no hidden characters, no user@ part, the host in punycode
    except LinkRefused as exc:
        raise UserError(_LINK_ERRORS[exc.reason], link=raw[:200], scheme=exc.scheme) from None
    scheme, host, port = parts.scheme, parts.hostname or "", parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    # A link copied out of a web page's source keeps its "&amp;" (even twice over): the "&" it stands for.
    text_query = parts.query
    while "&amp;" in text_query:
        text_query = text_query.replace("&amp;", "&")
    query = [(key, value) for key, value in parse_qsl(text_query, keep_blank_values=True)
             if not key.lower().startswith("utm_") and key.lower() not in TRACKING]
    path = parts.path.rstrip("/") or ""
    identity = video_of(host, path or "/", query)
    if identity is not None and identity.site == "youtube":
        url = f"https://www.youtube.com/watch?v={identity.video}"  # one address whatever form was pasted
    else:
        url = urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))
    return Link(url, host, path or "/", query)


def normalize_link(raw: str) -> str:
    """A canonical form of a film link, as stored. Raises UserError."""
    return parse_link(raw).url
