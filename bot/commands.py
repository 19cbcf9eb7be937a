"""Command declarations, the registry, and the one text grammar for typed commands.

Grammar: `/name [sub] positional... key=value...`; double quotes (straight or curly) group words;
a `key=value` token whose key is a known option of the command binds that option.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import UserError
from bot.models import IncomingFile

MAX_INPUT_CHARS = 6000  # above any platform's own message limit, so field limits speak first
MAX_ID = 2**63 - 1  # SQLite's largest integer: every number a command takes stays within it
_KEY = re.compile(r"^([a-z_][a-z0-9_]*)=(.*)$", re.DOTALL)
_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»"}


class UsageError(UserError):
    """A mistake in how a command was typed: answered like any UserError, with the usage line added."""


@dataclass(frozen=True)
class Option:
    name: str
    kind: type = str               # str, int, float, bool, or bot.models.IncomingFile (an attached file)
    required: bool = False
    positional: bool = False
    greedy: bool = False          # a last positional that takes the rest of the words
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None  # name of a cog-provided completer ("films")
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Command:
    """One declaration that every platform renders: slash command, /command, console command."""

    name: str                      # "share", or "challenge new" for a sub-action
    options: tuple[Option, ...] = ()
    admin: bool = False
    default: bool = False          # the group's action when no sub-action word is given
    handler: Callable[..., Any] | None = None
    cog: str = ""
    hidden: bool = False
    form: tuple[str, ...] = ()     # options a platform may ask for in a form (a Discord modal); () = no form
    private: bool = False          # refusals go to the speaker alone (the command is about them: a juror's score)

    @property
    def group(self) -> str | None:
        return self.name.split(" ")[0] if " " in self.name else None

    @property
    def sub(self) -> str | None:
        return self.name.split(" ", 1)[1] if " " in self.name else None

    @property
    def catalog_key(self) -> str:
        return "commands." + self.name.replace(" ", "_")

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for option in self.options:
            if option.positional:
                label = f"<{option.name}>" if option.required else f"[{option.name}]"
                parts.append(label + ("..." if option.greedy else ""))
        for option in self.options:
            if not option.positional:
                hint = "|".join(option.choices) if option.choices else ""
                parts.append(f"{option.name}={hint}" if option.required else f"[{option.name}={hint}]")
        return " ".join(parts)


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)

    def add(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command /{command.name} is declared twice")
        if command.group and command.group in self.commands and not self.commands[command.group].group:
            raise ValueError(f"/{command.group} is both a command and a group")
        self.commands[command.name] = command

    def remove_cog(self, cog: str) -> None:
        self.commands = {name: cmd for name, cmd in self.commands.items() if cmd.cog != cog}

    def top_level(self) -> list[str]:
        return sorted({cmd.group or cmd.name for cmd in self.commands.values()})

    def group_members(self, group: str) -> list[Command]:
        return [cmd for cmd in self.commands.values() if cmd.group == group]

    def visible(self) -> list[Command]:
        return sorted((cmd for cmd in self.commands.values() if not cmd.hidden), key=lambda cmd: cmd.name)

    def resolve(self, words: list[str]) -> tuple[Command, list[str]]:
        """Pick the command for tokens after the leading /name; returns it and the remaining tokens."""
        if not words:
            raise UsageError("errors.empty_command")
        head = words[0].lower()
        if head in self.commands:
            return self.commands[head], words[1:]
        members = self.group_members(head)
        if not members:
            raise UsageError("errors.unknown_command", command=head, suggestion=self.suggest(head))
        if len(words) > 1 and f"{head} {words[1].lower()}" in self.commands:
            return self.commands[f"{head} {words[1].lower()}"], words[2:]
        default = next((cmd for cmd in members if cmd.default), None)
        if default is None:
            subs = ", ".join(sorted(cmd.sub or "" for cmd in members))
            raise UsageError("errors.unknown_sub", command=head, subs=subs)
        return default, words[1:]

    def suggest(self, word: str) -> str:
        names = list(self.commands) + self.top_level()
        close = difflib.get_close_matches(word, names, n=1, cutoff=0.5)
        return f"/{close[0]}" if close else "/help"


def split_command(text: str) -> tuple[str, list[str]] | None:
    """`/share@bot a "b c"` -> ("share", ["a", "b c"]) and the @bot part dropped; None if not a command."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    if len(text) > MAX_INPUT_CHARS:
        raise UsageError("errors.too_long", limit=MAX_INPUT_CHARS)
    tokens = tokenize(text[1:])
    if not tokens or not tokens[0]:
        raise UsageError("errors.empty_command")
    return tokens[0].split("@", 1)[0].lower(), tokens[1:]


def command_target(text: str) -> str | None:
    """The bot a command is addressed to (`/share@otherbot`), if any."""
    first = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    return first.split("@", 1)[1] if "@" in first else None


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    current: list[str] = []
    closing: str | None = None
    started = False
    for char in text:
        if closing is not None:
            if char == closing:
                closing = None
            else:
                current.append(char)
        elif char in _QUOTES:
            closing = _QUOTES[char]
            started = True
        elif char.isspace():
            if started or current:
                tokens.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
    if closing is not None:
        raise UsageError("errors.unclosed_quote")
    if started or current:
        tokens.append("".join(current))
    return tokens


def bind(command: Command, tokens: list[str]) -> dict[str, Any]:
    """Match tokens to the command's options, converting types; raises UsageError naming the problem."""
    by_name = {option.name: option for option in command.options}
    raw: dict[str, str] = {}
    positional: list[str] = []
    for token in tokens:
        match = _KEY.match(token)
        if match and match.group(1) in by_name:
            if match.group(1) in raw:
                raise UsageError("errors.option_twice", option=match.group(1))
            raw[match.group(1)] = match.group(2)
        elif match:  # a mistyped option name must not slip silently into a title
            raise UsageError("errors.unknown_option", option=match.group(1), known=", ".join(by_name) or "-")
        else:
            positional.append(token)
    _bind_positionals(command, positional, raw)
    return convert_options(command, raw)


def _bind_positionals(command: Command, words: list[str], raw: dict[str, str]) -> None:
    slots = [option for option in command.options if option.positional]
    for index, option in enumerate(slots):
        if index >= len(words):
            break
        if option.name in raw:
            raise UsageError("errors.option_twice", option=option.name)
        raw[option.name] = " ".join(words[index:]) if option.greedy else words[index]
    if len(words) > len(slots) and not (slots and slots[-1].greedy):
        raise UsageError("errors.too_many_words", extra=" ".join(words[len(slots):]))


def convert_options(command: Command, raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for option in command.options:
        value = raw.get(option.name)
        if value is None or value == "":
            if option.required and option.kind is not IncomingFile:  # the attached file is bound later
                raise UsageError("errors.missing_option", option=option.name)
            values[option.name] = None
            continue
        values[option.name] = _convert(option, value)
    return values


def _convert(option: Option, value: Any) -> Any:
    if option.kind is not str and isinstance(value, option.kind):
        return value  # already typed (Discord options, attached files)
    if option.kind is bool:
        return _to_bool(option, value)
    if option.kind in (int, float):
        return _number(option, value)
    text = str(value)
    if option.choices and text.lower() not in option.choices:
        raise UsageError("errors.bad_choice", option=option.name, value=text, choices=", ".join(option.choices))
    if option.max_length is not None and len(text) > option.max_length:
        raise UsageError("errors.option_too_long", option=option.name, limit=option.max_length)
    return text.lower() if option.choices else text


def _number(option: Option, value: Any) -> int | float:
    try:
        number = option.kind(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError("errors.not_a_number", option=option.name, value=str(value)[:40]) from None
    if not math.isfinite(number):
        raise UsageError("errors.not_a_number", option=option.name, value=str(value)[:40])
    low = option.min_value if option.min_value is not None else -MAX_ID
    high = option.max_value if option.max_value is not None else MAX_ID
    if low <= number <= high:
        return number
    if option.min_value is None or option.max_value is None:  # one bound given: say only that one
        key, values = ("errors.at_least", {"low": _shown(low)}) if number < low else \
            ("errors.at_most", {"high": _shown(high)})
        raise UsageError(key, option=option.name, **values)
    raise UsageError("errors.out_of_range", option=option.name, low=_shown(low), high=_shown(high))


def _shown(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def parse_id(text: str) -> int | None:
    """`12` or `#12` -> 12: a number that can name a row; None for anything else (a link, a name, a
    number beyond SQLite's integers, which no row can have)."""
    digits = text.strip().removeprefix("#")
    if not digits.isdigit() or len(digits) > 19:
        return None
    number = int(digits)
    return number if 0 < number <= MAX_ID else None


def _to_bool(option: Option, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).lower()
    if lowered in ("yes", "y", "true", "on", "1", "是"):
        return True
    if lowered in ("no", "n", "false", "off", "0", "否"):
        return False
    raise UsageError("errors.not_yes_no", option=option.name, value=value)
