"""The Cog base: commands, listeners, buttons, completers and timed jobs collected once, at class creation.

A cog package's `setup(app)` adds its cog; loading is all-or-nothing (see App.load_cogs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from bot.commands import Command, Option

if TYPE_CHECKING:
    from bot.app import App
    from bot.context import Context
    from bot.storage import Tx

F = TypeVar("F", bound=Callable[..., Any])


def command(name: str, *options: Option, admin: bool = False, default: bool = False, hidden: bool = False,
            form: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Declare a command; the method is called as `handler(ctx, **options)`. `form` names the options a
    platform with forms (Discord's modals) asks for in one form when they are all left out."""

    known = {option.name for option in options}
    if set(form) - known:
        raise ValueError(f"/{name}: form names unknown options {sorted(set(form) - known)}")

    def mark(func: F) -> F:
        func.__mf_command__ = Command(name, tuple(options), admin=admin, default=default,  # type: ignore[attr-defined]
                                      hidden=hidden, form=tuple(form))
        return func

    return mark


def listener(event: str) -> Callable[[F], F]:
    """Listen to a neutral event: "reaction" (a reaction on a tagged bot message) or "gap" (a platform's
    connection was lost and events may be missing: `handler(platform, since)` recovers what it can and
    returns a line saying what it did, or None)."""

    def mark(func: F) -> F:
        func.__mf_listener__ = event  # type: ignore[attr-defined]
        return func

    return mark


def button(action: str, *, tags: str | None = None) -> Callable[[F], F]:
    """Handle presses of buttons whose action is `action`; called as `handler(ctx, arg)`.

    `tags` names the tag of the messages that carry this button: a message with the button `action:arg`
    is `tags:arg`, so a reaction on such a message is understood even if its send was never recorded."""

    def mark(func: F) -> F:
        func.__mf_button__ = (action, tags)  # type: ignore[attr-defined]
        return func

    return mark


def completer(name: str) -> Callable[[F], F]:
    """Offer completions for options declared with `autocomplete=name`: `handler(community_id, prefix)`."""

    def mark(func: F) -> F:
        func.__mf_completer__ = name  # type: ignore[attr-defined]
        return func

    return mark


def at(kind: str) -> Callable[[F], F]:
    """Handle due rows of `kind`: `handler(job, tx)`; its effect commits with the row's done marker."""

    def mark(func: F) -> F:
        func.__mf_job__ = kind  # type: ignore[attr-defined]
        return func

    return mark


class CogMeta(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> CogMeta:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        found: dict[str, dict[str, Any]] = {"commands": {}, "listeners": {}, "buttons": {}, "completers": {},
                                            "jobs": {}}
        for base in reversed(cls.__mro__):
            for attr, value in vars(base).items():
                for marker, bucket in (("__mf_command__", "commands"), ("__mf_listener__", "listeners"),
                                       ("__mf_button__", "buttons"), ("__mf_completer__", "completers"),
                                       ("__mf_job__", "jobs")):
                    if hasattr(value, marker):
                        found[bucket][attr] = getattr(value, marker)
        cls.__mf_collected__ = found  # type: ignore[attr-defined]
        return cls


class Cog(metaclass=CogMeta):
    """Subclass, set `name`, and declare commands with @command. Storage is declared up front:
    `migrations` and `locales` folders next to the cog module, `settings` a dataclass for its config section.
    """

    name: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()  # cogs that must be loaded first (checked by the loader)
    settings_type: ClassVar[type | None] = None
    migrations: ClassVar[Path | None] = None
    locales: ClassVar[Path | None] = None

    def __init__(self, app: App) -> None:
        self.app = app
        self.settings: Any = app.config.section(self.name, self.settings_type) if self.settings_type else None

    async def cog_load(self) -> None:
        """Called after migrations, before any command reaches the cog."""

    async def cog_unload(self) -> None:
        """Called when the cog is removed (also when a later cog fails to load)."""

    async def cog_check(self, ctx: Context, name: str) -> None:
        """Runs before every command and button of this cog (`name` is the command's name or the
        button's action); raise UserError to refuse it."""

    async def export(self, community_id: int, *, public: bool) -> dict[str, Any]:
        """This cog's data of one community for `microfilm-bot export` (public hides private details)."""
        return {}

    async def person_has_data(self, person_id: int) -> bool:
        """Whether this cog holds anything of the person (asked before two people are merged)."""
        return False

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        """Move the source person's rows to the target inside `tx`, without duplicating any."""

    @classmethod
    def collected(cls) -> dict[str, dict[str, Any]]:
        return cls.__mf_collected__  # type: ignore[attr-defined]
