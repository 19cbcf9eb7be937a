"""Forms (Discord modals) for commands that declare `form=(...)`.

When a form-capable slash command arrives with every form option left out, the adapter answers with a
modal asking for them. The modal's custom id carries the command and the options already given
(`form:feedback give:film=3`), so its submission needs no memory of the first step and still works after
a restart; the submission then runs the command like any other, through the dispatcher.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import discord

from bot.commands import Command, Option
from bot.i18n import Translator
from bot.models import IncomingFile
from bot.platforms.discord_render import cut

PREFIX = "form:"
CUSTOM_ID_LIMIT = 100
TITLE_LIMIT = 45
LABEL_LIMIT = 45
PARAGRAPH_LIMIT = 4000  # Discord's most for one text input
FIELDS_LIMIT = 5  # text inputs a modal can hold


def wants_form(cmd: Command, values: dict[str, Any]) -> bool:
    """A form is asked for when the command has one and none of its options were given."""
    if not cmd.form or len(cmd.form) > FIELDS_LIMIT:
        return False
    return all(values.get(name) in (None, "") for name in cmd.form)


def form_id(cmd: Command, values: dict[str, Any]) -> str | None:
    """The modal's custom id carrying the options already given; None when they cannot travel in it
    (a file, or more than Discord's 100 characters): the command then runs as typed."""
    carried: list[tuple[str, str]] = []
    for option in cmd.options:
        value = values.get(option.name)
        if value is None or option.name in cmd.form:
            continue
        if option.kind is IncomingFile or not isinstance(value, str | int | float | bool):
            return None
        carried.append((option.name, ("yes" if value else "no") if isinstance(value, bool) else str(value)))
    custom_id = f"{PREFIX}{cmd.name}:{urlencode(carried)}"
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def parse_form_id(custom_id: str) -> tuple[str, dict[str, str]] | None:
    """`form:feedback give:film=3` -> ("feedback give", {"film": "3"}); None for other custom ids."""
    if not custom_id.startswith(PREFIX):
        return None
    name, _, carried = custom_id[len(PREFIX):].partition(":")
    return name, dict(parse_qsl(carried, keep_blank_values=False))


def submitted_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """Text input values by custom id, from action rows (type 1) or labels (type 18) alike."""
    found: dict[str, str] = {}
    for component in components:
        inner = component.get("components") or ([component["component"]] if "component" in component else [])
        if inner:
            found.update(submitted_values(inner))
        elif "custom_id" in component and component.get("value") not in (None, ""):
            found[str(component["custom_id"])] = str(component["value"]).strip()
    return found


class RenderOnlyModal(discord.ui.Modal):
    """A modal drawn for the user; its submission reaches the adapter's one handler for every form."""


def build_modal(cmd: Command, custom_id: str, carried: dict[str, Any], t: Translator,
                filled: dict[str, str] | None = None) -> discord.ui.Modal:
    """The command's form; `filled` gives fields a starting value (a link found in a message)."""
    title_key = f"{cmd.catalog_key}.form_title"
    # English holds every key; a translation falls back to it.
    has_title = t.catalog.has("en", title_key)
    title = t.s(title_key, **carried) if has_title else t.s(f"{cmd.catalog_key}.description")
    modal = RenderOnlyModal(title=cut(title, TITLE_LIMIT), custom_id=custom_id, timeout=None)
    by_name = {option.name: option for option in cmd.options}
    for name in cmd.form:
        field = _text_input(cmd, by_name[name], t)
        if filled and filled.get(name):
            field.default = filled[name][: field.max_length or PARAGRAPH_LIMIT]
        modal.add_item(field)
    modal.stop()  # not kept in discord.py's modal store: submissions go to the adapter's own handler
    return modal


def _text_input(cmd: Command, option: Option, t: Translator) -> discord.ui.TextInput[Any]:
    label = cut(t.s(f"{cmd.catalog_key}.{option.name}"), LABEL_LIMIT) or option.name
    if option.kind in (int, float):
        longest = max(len(str(_whole(bound))) for bound in (option.min_value, option.max_value)
                      if bound is not None) if option.max_value is not None else None
        placeholder = (f"{_whole(option.min_value)}–{_whole(option.max_value)}"
                       if option.min_value is not None and option.max_value is not None else None)
        return discord.ui.TextInput(label=label, custom_id=option.name, style=discord.TextStyle.short,
                                    required=option.required, max_length=longest, placeholder=placeholder)
    limit = min(option.max_length or PARAGRAPH_LIMIT, PARAGRAPH_LIMIT)
    return discord.ui.TextInput(label=label, custom_id=option.name, style=discord.TextStyle.paragraph,
                                required=option.required, max_length=limit)


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and float(value).is_integer() else value

