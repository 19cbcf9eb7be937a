"""Finding the link in what a person pasted: `看看我的片子 https://b23.tv/x，很短`, or a bare
`www.youtube.com/watch?v=…` without its scheme."""

from __future__ import annotations

import re

from cogs.films.links.sites import SHORT_HOSTS, SITES

# The characters a URL is made of (RFC 3986). Anything else ends it: a space, a Chinese character, and
# full-width punctuation glued to the link (，。！）」】) are never part of it.
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
# A host may be written with letters of any alphabet (`еxample.com`, made punycode later, with a warning);
# the path keeps to URL characters, so Chinese text glued after it is not taken in.
_SCHEMED = re.compile(rf"https?://[\w\-.~%!$&'()*+,;=:@\[\]]*(?:[/?#]{_URL_CHARS}*)?", re.IGNORECASE)
_BARE = re.compile(rf"(?<![A-Za-z0-9.\-@/])((?:[A-Za-z0-9\-]+\.)+[A-Za-z]{{2,}})((?:[/?#]{_URL_CHARS}*)?)")
_OTHER_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):(?!\d)")
# Sentence punctuation that ends a link written inside ASCII text: "see https://vimeo.com/1." or "(… /1)".
_TRAILING = ".,;:!?'\""
_KNOWN_HOSTS = tuple(SITES) + tuple(SHORT_HOSTS)


def _trim(url: str) -> str:
    while url and (url[-1] in _TRAILING or url[-1] == ")" and url.count("(") < url.count(")")
                   or url[-1] == "]" and url.count("[") < url.count("]")):
        url = url[:-1]
    return url


def _known(host: str) -> bool:
    host = host.lower()
    return host.startswith("www.") or any(host == name or host.endswith("." + name) for name in _KNOWN_HOSTS)


def find_link(text: str) -> tuple[str, int, int] | None:
    """The first link in `text` as (link, start, end); a bare `www.` or video-site host gets https://."""
    schemed = _SCHEMED.search(text)
    bare = next((found for found in _BARE.finditer(text) if _known(found.group(1))), None)
    if schemed and (bare is None or schemed.start() <= bare.start()):
        url = _trim(schemed.group(0))
        return url, schemed.start(), schemed.start() + len(url)
    if bare is not None:
        url = _trim(bare.group(0))
        return "https://" + url, bare.start(), bare.start() + len(url)
    return None


def is_bare_link(text: str) -> bool:
    """`example.com/film` on its own: a link without its scheme, whatever the site."""
    return _BARE.fullmatch(text.strip()) is not None


def other_scheme(text: str) -> str | None:
    """The scheme of a link that is not a web link (`javascript:`, `ftp:`), to name it in the refusal."""
    found = _OTHER_SCHEME.match(text)
    return found.group(1) if found and found.group(1).lower() not in ("http", "https") else None
