"""Reading TOML tables into frozen settings dataclasses, collecting every problem instead of the first.

A settings field may carry limits (`setting(10, low=1)`, `nonempty`, a check of each item), and a class
may add its own checks in a `problems()` method. Each problem names the key and says what would be right,
so `check-config` can list all of them at once and start-up can refuse with the whole list.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import MISSING, field, fields, is_dataclass, replace
from typing import Any, TypeVar

T = TypeVar("T")
ItemCheck = Callable[[Any], str | None]  # a problem with one value (phrased after "key = value "), or None


class ConfigError(ValueError):
    """Problems with the configuration, phrased for the person who edits the file (one or many)."""

    def __init__(self, message: str = "", problems: Sequence[str] = ()) -> None:
        self.problems = list(problems) or [message]
        if len(self.problems) > 1:
            message = f"{len(self.problems)} problems in the configuration:\n" + "\n".join(
                f"  - {problem}" for problem in self.problems)
        super().__init__(message or self.problems[0])


class Problems(list[str]):
    """Problems found so far; `raise_if_any()` turns them into one ConfigError."""

    def raise_if_any(self) -> None:
        if self:
            raise ConfigError(problems=self)


def setting(default: Any, *, low: float | None = None, high: float | None = None, nonempty: bool = False,
            each: ItemCheck | None = None, check: ItemCheck | None = None) -> Any:
    """A settings field with its limits, checked when the file is read."""
    return field(default=default, metadata={"low": low, "high": high, "nonempty": nonempty, "each": each,
                                            "check": check})


def digits(value: Any) -> str | None:
    """An id platforms give as a number (a Discord guild, a Telegram user)."""
    text = str(value).strip()
    return None if text.lstrip("-").isdigit() else "is not a numeric id"


def parse_section(kind: type[T], raw: Any, where: str, problems: Problems | None = None) -> T:
    """Build dataclass `kind` from a TOML table. Every problem is added to `problems` (and the default kept
    for that key); without a list, they are raised together as one ConfigError."""
    own = Problems() if problems is None else problems
    built = _build(kind, raw, where, own)
    if problems is None:
        own.raise_if_any()
    return built


def _build(kind: type[T], raw: Any, where: str, problems: Problems) -> T:
    assert is_dataclass(kind)
    if not isinstance(raw, dict):
        problems.append(f"[{where}] must be a table of settings")
        raw = {}
    known = {item.name: item for item in fields(kind)}
    for name in sorted(set(raw) - set(known)):
        problems.append(f"unknown key {where}.{name}; known keys of [{where}]: {', '.join(known)}")
    hints = typing.get_type_hints(kind)
    values: dict[str, Any] = {}
    for name, item in known.items():
        key = f"{where}.{name}"
        if name not in raw:
            if item.default is MISSING and item.default_factory is MISSING:
                problems.append(f"{key} is required")
            continue
        before = len(problems)
        value = _coerce(hints[name], raw[name], key, problems)
        if len(problems) == before and _limits_hold(value, item.metadata, key, problems):
            values[name] = value
    for name, item in known.items():
        if name not in values and item.default is MISSING and item.default_factory is MISSING:
            values[name] = ""  # required settings are text; its problem is noted and stops start-up
    built = kind(**values)
    check = getattr(built, "problems", None)
    if callable(check):
        problems.extend(check())
    return built


def check_value(settings: Any, name: str, raw: Any) -> tuple[Any, list[str]]:
    """One field's value read from `raw` (as a TOML file would hold it) and checked by the field's limits
    and the class's own checks with the other fields as in `settings`: (the value, the problems)."""
    item = next(item for item in fields(settings) if item.name == name)
    problems = Problems()
    value = _coerce(typing.get_type_hints(type(settings))[name], raw, name, problems)
    if not problems and _limits_hold(value, item.metadata, name, problems):
        check = getattr(replace(settings, **{name: value}), "problems", None)
        if callable(check):
            problems.extend(check())
    return value, list(problems)


def _limits_hold(value: Any, meta: Any, key: str, problems: Problems) -> bool:
    before = len(problems)
    low, high = meta.get("low"), meta.get("high")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and (low is not None and value < low or high is not None and value > high):
        problems.append(f"{key} = {value!r} is out of range; use {_range(low, high)}")
    if meta.get("nonempty") and (value == "" or value == () or (isinstance(value, str) and not value.strip())):
        problems.append(f"{key} must not be empty")
    each = meta.get("each")
    if each is not None and isinstance(value, tuple):
        for index, item in enumerate(value):
            found = each(item)
            if found:
                problems.append(f"{key}[{index}] = {item!r} {found}")
    check = meta.get("check")
    if check is not None and (found := check(value)):
        problems.append(f"{key} = {value!r} {found}")
    return len(problems) == before


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"a value from {low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _coerce(hint: Any, value: Any, key: str, problems: Problems) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _coerce(options[0], value, key, problems)
    if origin is dict:
        value_type = typing.get_args(hint)[1]
        if not isinstance(value, dict):
            problems.append(f"{key} must be a table, like {{ name = [\"a\", \"b\"] }} (got {value!r})")
            return {}
        return {str(name): _coerce(value_type, item, f"{key}.{name}", problems) for name, item in value.items()}
    if origin is tuple:
        item_type = typing.get_args(hint)[0]
        if not isinstance(value, list):
            problems.append(f"{key} must be a list, like [\"a\", \"b\"] (got {value!r})")
            return ()
        return tuple(_coerce(item_type, item, f"{key}[{i}]", problems) for i, item in enumerate(value))
    if is_dataclass(hint):
        return _build(hint, value, key, problems)  # type: ignore[arg-type]
    problem = _scalar_problem(hint, value, key)
    if problem:
        problems.append(problem)
        return None
    if hint is float:
        return float(value)
    return str(value) if hint is str else value


def _scalar_problem(hint: Any, value: Any, key: str) -> str | None:
    if hint is bool:
        return None if isinstance(value, bool) else f"{key} must be true or false (got {value!r})"
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"{key} must be a whole number (got {value!r})"
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"{key} must be a number (got {value!r})"
    if hint is str:
        # Ids are often typed as bare numbers, so a whole number is taken as its text.
        ok = isinstance(value, str) or isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"{key} must be text in quotes (got {value!r})"
    return f"{key}: unsupported setting type {hint!r}"
