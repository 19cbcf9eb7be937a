"""Telegram's HTML parse mode, re-implemented for the fake Bot API server.

The rules follow Telegram's own parser (tdlib's ``parse_html``), because a fake that is more lenient
than Telegram lets formatting bugs through to production:

- only Telegram's tags are allowed; anything else is "Unsupported start tag";
- tags must nest properly, and every start tag needs its end tag;
- ``&lt; &gt; &amp; &quot;`` and numeric references are decoded, the ``;`` being optional;
- a ``&`` that starts no known entity is kept as a literal ``&`` (Telegram does not reject it).
  ``strict_ampersand=True`` rejects it anyway, to catch user text that was not escaped.

Offsets and lengths of the resulting entities are in UTF-16 code units, as in the Bot API.
Error descriptions match Telegram's text after "Bad Request: can't parse entities: ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Tag name -> entity type. "span" and "a" get their type from attributes (see _entity_for).
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span", "tg-emoji", "tg-time"})

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([a-zA-Z]+));?")
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.\-]*")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's description."""


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    utf16_offset: int
    text_start: int  # index into the plain text, to use the inner text as a link's URL
    byte_offset: int


@dataclass
class _Parser:
    source: str
    strict_ampersand: bool = False
    pos: int = 0
    out: list[str] = field(default_factory=list)
    utf16_len: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    # -- helpers -------------------------------------------------------------------------------

    def byte_offset(self, index: int) -> int:
        # Telegram reports positions as UTF-8 byte offsets into the original text.
        return len(self.source[:index].encode("utf-8"))

    def peek(self) -> str:
        return self.source[self.pos] if self.pos < len(self.source) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16_len += utf16_len(text)

    def skip_spaces(self) -> None:
        while self.peek().isspace():
            self.pos += 1

    # -- main loop -----------------------------------------------------------------------------

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "&":
                self.ampersand()
            elif char == "<":
                if self.source.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only "pre" entities carry a language
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def ampersand(self) -> None:
        decoded, end = decode_entity(self.source, self.pos)
        if decoded is None:
            if self.strict_ampersand:
                raise HtmlParseError(
                    f"Unescaped \"&\" at byte offset {self.byte_offset(self.pos)} "
                    "(fake's strict_ampersand check; real Telegram keeps it as text)"
                )
            decoded, end = "&", self.pos + 1
        self.emit(decoded)
        self.pos = end

    def start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        while self.pos < len(self.source) and not self.peek().isspace() and self.peek() != ">":
            self.pos += 1
        if self.pos >= len(self.source):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.source[begin + 1 : self.pos].lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        attributes = self.attributes(name, begin)
        self.pos += 1  # the ">"
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, attributes, self.utf16_len, len("".join(self.out)),
                                   self.byte_offset(begin)))

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        found: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= len(self.source):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if self.peek() == ">":
                return found
            name_start = self.pos
            while self.pos < len(self.source) and not self.peek().isspace() and self.peek() not in "=>":
                self.pos += 1
            name = self.source[name_start : self.pos].lower()
            self.skip_spaces()
            if self.peek() != "=":
                # Valueless attributes exist only as <blockquote expandable>.
                if tag == "blockquote" and name == "expandable":
                    found[name] = ""
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            self.pos += 1
            self.skip_spaces()
            found[name] = self.attribute_value(tag, begin)

    def attribute_value(self, tag: str, begin: int) -> str:
        if self.pos >= len(self.source):
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        quote = self.peek()
        if quote not in "'\"":
            # An unquoted value is an HTML name token, case-insensitive.
            match = _NAME_TOKEN_RE.match(self.source, self.pos)
            assert match is not None  # the pattern also matches the empty string
            self.pos = match.end()
            if self.pos < len(self.source) and not self.peek().isspace() and self.peek() != ">":
                offset = self.byte_offset(match.start())
                raise HtmlParseError(f"Unexpected end of name token at byte offset {offset}")
            return match.group().lower()
        self.pos += 1
        value: list[str] = []
        while self.pos < len(self.source) and self.peek() != quote:
            decoded, end = decode_entity(self.source, self.pos) if self.peek() == "&" else (None, 0)
            if decoded is None:
                decoded, end = self.peek(), self.pos + 1
            value.append(decoded)
            self.pos = end
        if self.pos >= len(self.source):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 2
        name_start = self.pos
        while self.pos < len(self.source) and not self.peek().isspace() and self.peek() != ">":
            self.pos += 1
        name = self.source[name_start : self.pos].lower()
        self.skip_spaces()
        if self.peek() != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        open_tag = self.stack[-1]
        if name and name != open_tag.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, '
                f'expected "</{open_tag.name}>", found "</{name}>"'
            )
        self.stack.pop()
        length = self.utf16_len - open_tag.utf16_offset
        if length > 0:  # Telegram silently drops empty entities such as <b></b>
            entity = self.entity_for(open_tag, "".join(self.out)[open_tag.text_start :])
            if entity is not None:
                self.add_entity({**entity, "offset": open_tag.utf16_offset, "length": length})

    def entity_for(self, tag: _OpenTag, inner_text: str) -> dict[str, Any] | None:
        attrs = tag.attributes
        if tag.name == "a":
            url = attrs.get("href") or inner_text
            user = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if user:
                return {"type": "text_mention", "user": {"id": int(user.group(1)), "is_bot": False,
                                                         "first_name": ""}}
            return {"type": "text_link", "url": url}
        if tag.name == "span":
            return {"type": "spoiler"}
        if tag.name == "tg-emoji":
            if "emoji-id" not in attrs:
                return None
            return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
        if tag.name == "tg-time":
            return self.time_entity(attrs)
        if tag.name == "code" and attrs.get("class", "").startswith("language-"):
            return {"type": "code", "language": attrs["class"][len("language-") :]}
        if tag.name == "blockquote" and "expandable" in attrs:
            return {"type": "expandable_blockquote"}
        return {"type": _SIMPLE_TAGS[tag.name]}

    @staticmethod
    def time_entity(attrs: dict[str, str]) -> dict[str, Any] | None:
        if not attrs.get("unix", "").isdigit():
            return None
        entity: dict[str, Any] = {"type": "date_time", "unix_time": int(attrs["unix"])}
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
        return entity

    def add_entity(self, entity: dict[str, Any]) -> None:
        # <pre><code class="language-x"> is one "pre" entity carrying the language, as in Telegram.
        previous = self.entities[-1] if self.entities else None
        if (
            entity["type"] == "pre"
            and previous is not None
            and previous["type"] == "code"
            and "language" in previous
            and (previous["offset"], previous["length"]) == (entity["offset"], entity["length"])
        ):
            previous["type"] = "pre"
            return
        self.entities.append(entity)


def decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode the HTML entity starting at ``text[pos]`` ("&"); (None, pos) when it is none."""
    match = _ENTITY_RE.match(text, pos)
    if not match:
        return None, pos
    hex_digits, dec_digits, name = match.groups()
    if name is not None:
        decoded = _NAMED_ENTITIES.get(name)
        return (decoded, match.end()) if decoded else (None, pos)
    # Telegram ignores references that are too long, zero or outside Unicode.
    if match.end() - pos > 10:
        return None, pos
    code_point = int(hex_digits, 16) if hex_digits is not None else int(dec_digits)
    if code_point == 0 or code_point >= 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None, pos
    return chr(code_point), match.end()


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) for Telegram HTML, or raise HtmlParseError."""
    return _Parser(text, strict_ampersand=strict_ampersand).run()
