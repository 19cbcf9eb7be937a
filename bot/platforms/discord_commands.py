"""The registry's commands as Discord application commands, built at start from the declarations.

Each command gets one callback taking the interaction and the options as keyword arguments; its
parameters are set from the registry's Options (discord.py's own decorators need static signatures).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands.transformers import CommandParameter

from bot.commands import Command, Option
from bot.i18n import TRADITIONAL
from bot.models import IncomingFile
from bot.platforms.discord_render import cut

if TYPE_CHECKING:
    from bot.app import App

DESCRIPTION_LIMIT = 100
CHOICES_LIMIT = 25
OnCommand = Callable[[discord.Interaction, Command, dict[str, Any]], Awaitable[None]]
OnComplete = Callable[[discord.Interaction, Option, str], Awaitable[list[app_commands.Choice[Any]]]]
_TYPES: dict[type, discord.AppCommandOptionType] = {
    str: discord.AppCommandOptionType.string, int: discord.AppCommandOptionType.integer,
    float: discord.AppCommandOptionType.number, bool: discord.AppCommandOptionType.boolean,
    IncomingFile: discord.AppCommandOptionType.attachment,
}


class CommandBuilder:
    def __init__(self, app: App, on_command: OnCommand, on_complete: OnComplete) -> None:
        self.app = app
        self.on_command = on_command
        self.on_complete = on_complete
        self.t = app.translator("en")  # Discord shows one description; localized names are not used
        self.known = app.catalog.keys("en")

    def build(self) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
        """Top-level commands and groups (a command named "a b" is subcommand b of group a)."""
        out: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []
        groups: dict[str, app_commands.Group] = {}
        for cmd in sorted(self.app.registry.commands.values(), key=lambda item: item.name):
            if cmd.hidden:
                continue  # e.g. /start, Telegram's deep-link entry
            if cmd.group is None:
                out.append(self.command(cmd, cmd.name))
                continue
            if cmd.group not in groups:
                description = self._group_text(cmd.group)
                groups[cmd.group] = app_commands.Group(name=cmd.group, description=description)
                out.append(groups[cmd.group])
            groups[cmd.group].add_command(self.command(cmd, cmd.sub or cmd.name))
        return out

    def command(self, cmd: Command, name: str) -> app_commands.Command[Any, ..., Any]:
        on_command = self.on_command

        async def callback(interaction: discord.Interaction, **options: Any) -> None:
            await on_command(interaction, cmd, options)

        # discord.py reads parameters from the signature; ours come from the registry instead.
        callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
        built: app_commands.Command[Any, ..., Any] = app_commands.Command(
            name=name, description=self._text(cmd.catalog_key + ".description"), callback=callback)
        params = [self.parameter(cmd, option) for option in cmd.options]
        # Discord wants required options first.
        built._params = {param.name: param for param in sorted(params, key=lambda p: not p.required)}
        return built

    def parameter(self, cmd: Command, option: Option) -> CommandParameter:
        kind = _TYPES.get(option.kind, discord.AppCommandOptionType.string)
        # Options a form can ask for are optional here: leaving them all out is how the form is asked for.
        required = option.required and option.name not in cmd.form
        param = CommandParameter(name=option.name, description=self._text(f"{cmd.catalog_key}.{option.name}"),
                                 required=required, default=None, type=kind)
        if option.choices:
            param.choices = [app_commands.Choice(name=choice, value=_typed(option, choice))
                             for choice in option.choices[:CHOICES_LIMIT]]
        if kind in (discord.AppCommandOptionType.integer, discord.AppCommandOptionType.number):
            param.min_value = _typed(option, option.min_value) if option.min_value is not None else None
            param.max_value = _typed(option, option.max_value) if option.max_value is not None else None
        elif kind is discord.AppCommandOptionType.string and option.max_length is not None:
            param.max_value = option.max_length  # sent as max_length for strings
        if option.autocomplete and not option.choices and kind is not discord.AppCommandOptionType.attachment:
            on_complete = self.on_complete

            async def complete(interaction: discord.Interaction,
                               current: str) -> list[app_commands.Choice[Any]]:
                return await on_complete(interaction, option, str(current))

            param.autocomplete = complete
        return param

    def _text(self, key: str, **values: str) -> app_commands.locale_str:
        """An English description that carries its catalog key, so CatalogTranslator can localise it."""
        text = self.t(key, **values).plain() if key in self.known else "…"
        return app_commands.locale_str(fit(text) or "…", key=key, values=values)

    def _group_text(self, group: str) -> app_commands.locale_str:
        key = f"commands.{group}.description"
        if key in self.known:
            return self._text(key)
        members = self.app.registry.group_members(group)
        return self._text("discord.group_description", group=group,
                          subs=", ".join(sorted(cmd.sub or "" for cmd in members)))


def fit(text: str) -> str:
    return cut(text, DESCRIPTION_LIMIT)


class CatalogTranslator(app_commands.Translator):
    """Descriptions in Chinese for Discord clients set to Chinese, from the same catalogs: Simplified
    characters for zh-CN, Traditional (converted from the Simplified catalog) for zh-TW."""

    LOCALES = {discord.Locale.chinese: "zh-Hans", discord.Locale.taiwan_chinese: TRADITIONAL}

    def __init__(self, app: App) -> None:
        self.app = app

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        lang = self.LOCALES.get(locale)
        key = string.extras.get("key")
        if lang is None or not key or not self.app.catalog.has(lang, key):
            return None  # Discord then shows the English text
        if context.location is not app_commands.TranslationContextLocation.other and "description" not in \
                context.location.name:
            return None  # names stay as declared: one grammar in every language
        return fit(self.app.translator(lang)(key, **string.extras.get("values", {})).plain())


def _typed(option: Option, value: Any) -> Any:
    """A choice or bound in the option's Discord type (integer options need ints)."""
    if option.kind is int:
        return int(value)
    if option.kind is float:
        return float(value)
    return str(value)


def choice_for(option: Option, label: str, value: str) -> app_commands.Choice[Any] | None:
    """A completion as a Discord choice, or None when the value does not fit the option's type."""
    try:
        typed = _typed(option, value)
    except (TypeError, ValueError):
        return None
    return app_commands.Choice(name=label[:DESCRIPTION_LIMIT] or str(value), value=typed)
