"""Film links: the link in what was typed, its stored form, and the (site, video id) that identifies a film."""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.links import has_hidden
from cogs.films.links.normalize import WEB, Link, normalize_link, parse_link
from cogs.films.links.sites import Identity
from cogs.films.links.text import find_link, is_bare_link, other_scheme

__all__ = ["WEB", "Identity", "Link", "link_and_rest", "normalize_link", "parse_link", "read_link"]

# After a link, a space and then more of what looks like an address ("https://vimeo.com/1 23"): a link
# broken by a space, which must not be taken for the shorter link before it.
_BROKEN = re.compile(r"^\s+[0-9/?&=#%]")


def read_link(raw: str) -> Link:
    """The one link in a `link` argument, found inside any text around it. Raises UserError."""
    if has_hidden(raw):  # a link is never cut short at an invisible character: it is refused
        raise UserError("films.errors.link_spaces")
    found = find_link(raw)
    if found is None:
        scheme = other_scheme(raw)
        if scheme:
            raise UserError("films.errors.link_scheme", scheme=scheme)
        if is_bare_link(raw):
            return parse_link("https://" + raw.strip())  # `example.com/film` typed on its own
        return parse_link(raw.strip())
    url, _, end = found
    if _BROKEN.match(raw[end:]):
        raise UserError("films.errors.link_spaces")
    return parse_link(url)


def link_and_rest(first: str, rest: str) -> tuple[Link, str]:
    """The link and the title from `/share <link> <title>`, also when the link came inside the title's
    text (`/share 看看我的片子 https://…，很短`): the title is then what is left around it."""
    if find_link(first) is not None or find_link(rest) is None:
        return read_link(first), rest
    found = find_link(rest)
    assert found is not None
    url, start, end = found
    left = f"{first} {rest[:start]}".strip() + " " + rest[end:].lstrip("，。,.;；:： ")
    return parse_link(url), left.strip(" ，。,;；:：")
