"""Community rules: the settings a cog lets each community's admins change in chat (`/setup rule`).

A cog names them in `community_rules` (fields of its settings dataclass: points, genres, costs...). The
config's value is every community's default; a value chosen with /setup is stored per community (in
community_settings, as JSON under `rule:<cog>.<name>`) and wins for that community. Cogs read their
settings for a community through `Cog.rules(community_id)`, which is a dictionary lookup once cached.

Values are typed as text in chat (`3,2,1`, `on`, `纪录片、剧情`); they are read by the field's type and
checked by the same limits as the config file, each mistake answered in the reader's language.
"""

from __future__ import annotations

import json
import logging
import math
import re
import typing
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from bot.community_settings import CommunitySettings
from bot.errors import UserError
from bot.settings import check_value

if TYPE_CHECKING:
    from bot.cog import Cog

log = logging.getLogger(__name__)
PREFIX = "rule:"
_LIST_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
_TRUE = {"on", "yes", "true", "1", "开", "開", "是"}
_FALSE = {"off", "no", "false", "0", "关", "關", "否"}
EMPTY = "-"  # typed for an empty list


def rule_key(cog: str, name: str) -> str:
    return f"{PREFIX}{cog}.{name}"


class Rules:
    """Each cog's settings as one community has them: the config's, with that community's choices."""

    def __init__(self, settings: CommunitySettings) -> None:
        self.settings = settings
        # (cog, community) -> (the stored choices it was made from, the merged settings): rebuilt only when
        # those choices change (CommunitySettings drops its copy on every change, here or in another process)
        self._merged: dict[tuple[str, int], tuple[dict[str, str], Any]] = {}

    async def of(self, cog: Cog, community_id: int) -> Any:
        chosen = await self.settings.of(community_id)
        cached = self._merged.get((cog.name, community_id))
        if cached is not None and cached[0] is chosen:
            return cached[1]
        merged = _merge(cog, chosen)
        self._merged[(cog.name, community_id)] = (chosen, merged)
        return merged

    async def chosen(self, cog: Cog, community_id: int) -> set[str]:
        """The names of the cog's rules this community has set in chat."""
        prefix = rule_key(cog.name, "")
        return {key.removeprefix(prefix) for key in await self.settings.of(community_id) if key.startswith(prefix)}

    async def choose(self, cog: Cog, community_id: int, name: str, typed: str) -> Any:
        """Read and check `typed` for rule `name`, store it, and return the value taken."""
        value = await cog.check_rule(community_id, name, parse(cog, name, typed))
        stored = list(value) if isinstance(value, tuple) else value
        await self.settings.choose(community_id, rule_key(cog.name, name), json.dumps(stored, ensure_ascii=False))
        return value


def _merge(cog: Cog, chosen: dict[str, str]) -> Any:
    prefix = rule_key(cog.name, "")
    overrides: dict[str, Any] = {}
    for key, raw in chosen.items():
        name = key.removeprefix(prefix)
        if not key.startswith(prefix) or name not in cog.community_rules:
            continue
        value, problems = check_value(cog.settings, name, json.loads(raw))
        if problems:  # stored by an older version with other limits: the config's value stands
            log.warning("community rule %s ignored: %s", key, "; ".join(problems))
            continue
        overrides[name] = value
    return replace(cog.settings, **overrides) if overrides else cog.settings


def parse(cog: Cog, name: str, typed: str) -> Any:
    """The value `typed` means for rule `name`, checked; a UserError saying how to fix it otherwise."""
    hint = typing.get_type_hints(type(cog.settings))[name]
    raw = _read(hint, typed.strip(), name)
    meta = next(item.metadata for item in fields(cog.settings) if item.name == name)
    _check_limits(raw, meta, name)
    value, problems = check_value(cog.settings, name, raw)
    if problems:
        raise UserError("core.rules.refused", rule=name, problem="; ".join(problems))
    return value


def _read(hint: Any, typed: str, name: str) -> Any:
    """Typed text as the JSON-like value a TOML file would hold for this type."""
    if typing.get_origin(hint) is tuple:
        item_type = typing.get_args(hint)[0]
        if typed == EMPTY:
            return []
        return [_read(item_type, item, name) for item in _LIST_SEPARATORS.split(typed) if item]
    if hint is bool:
        word = typed.casefold()
        if word not in _TRUE | _FALSE:
            raise UserError("core.rules.not_on_off", rule=name, value=typed[:40])
        return word in _TRUE
    if hint in (int, float):
        try:
            number = int(typed) if hint is int else float(typed)
        except ValueError:
            raise UserError("core.rules.not_a_number" if hint is float else "core.rules.not_whole",
                            rule=name, value=typed[:40]) from None
        if isinstance(number, float) and not math.isfinite(number):
            raise UserError("core.rules.not_a_number", rule=name, value=typed[:40])
        return number
    return "" if typed == EMPTY else typed


def _check_limits(raw: Any, meta: Any, name: str) -> None:
    """The config's limits, said in the reader's language (the rest are checked by check_value)."""
    if meta.get("nonempty") and (raw == [] or (isinstance(raw, str) and not raw)):
        raise UserError("core.rules.empty", rule=name)
    low, high = meta.get("low"), meta.get("high")
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if number and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise UserError("core.rules.out_of_range", rule=name, value=raw, low=_limit(low), high=_limit(high))


def _limit(bound: float | None) -> str:
    return "…" if bound is None else f"{bound:g}"


def shown(value: Any) -> str:
    """A rule's value as an admin would type it."""
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value) or EMPTY
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) if value != "" else EMPTY
