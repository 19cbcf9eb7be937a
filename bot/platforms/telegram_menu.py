"""The bot menu: setMyCommands from the command registry, in English (default) and Simplified Chinese.

Members get their commands in every chat (the default scope); chat administrators get the admin commands
too (BotCommandScopeAllChatAdministrators), so a member's menu never offers what they may not use."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from telegram import Bot, BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeDefault

from bot.commands import Registry
from bot.i18n import Translator

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
NAME = re.compile(r"^[a-z0-9_]{1,32}$")  # what Telegram accepts as a command name
DESCRIPTION_LIMIT = 256
MAX_COMMANDS = 100
# (catalog language, Telegram language_code); "" is the default for every other user language.
MENU_LANGUAGES = (("en", ""), ("zh-Hans", "zh"))


def menu(registry: Registry, t: Translator, *, admins: bool = False) -> list[BotCommand]:
    """One entry per top-level command; a group (`/challenge_admin new`, ...) appears once by its group
    name. Without `admins`, commands and groups only admins may use are left out."""
    entries: list[BotCommand] = []
    for name in registry.top_level():
        if not admins and _admins_only(registry, name):
            continue
        description = _description(registry, t, name)
        if description is None:
            continue
        if not NAME.match(name):
            log.warning("command /%s cannot be in Telegram's menu (names are a-z, 0-9 and _)", name)
            continue
        entries.append(BotCommand(name, description[:DESCRIPTION_LIMIT]))
    return entries[:MAX_COMMANDS]


def _admins_only(registry: Registry, name: str) -> bool:
    command = registry.commands.get(name)
    if command is not None:
        return command.admin
    return all(member.admin for member in registry.group_members(name))


def _description(registry: Registry, t: Translator, name: str) -> str | None:
    command = registry.commands.get(name)
    if command is not None:
        return None if command.hidden else t.s(command.catalog_key + ".description")
    members = [cmd for cmd in registry.group_members(name) if not cmd.hidden]
    if not members:
        return None
    if t.catalog.has("en", f"commands.{name}.description"):
        return t.s(f"commands.{name}.description")
    chosen = next((cmd for cmd in members if cmd.default), members[0])
    return t.s(chosen.catalog_key + ".description")


async def publish(app: App, bot: Bot) -> None:
    for language, code in MENU_LANGUAGES:
        t = app.translator(language)
        await bot.set_my_commands(menu(app.registry, t), scope=BotCommandScopeDefault(), language_code=code or None)
        await bot.set_my_commands(menu(app.registry, t, admins=True), scope=BotCommandScopeAllChatAdministrators(),
                                  language_code=code or None)
