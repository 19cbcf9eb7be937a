"""The Cog base: commands, listeners, buttons, completers and timed jobs collected once, at class creation.

A cog package's `setup(app)` adds its cog; loading is all-or-nothing (see App.load_cogs).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from bot.commands import Command, Option

if TYPE_CHECKING:
    from bot.app import App
    from bot.context import Context
    from bot.i18n import Translator
    from bot.models import Text
    from bot.storage import Tx

F = TypeVar("F", bound=Callable[..., Any])


def command(name: str, *options: Option, admin: bool = False, default: bool = False, hidden: bool = False,
            form: tuple[str, ...] = (), private: bool = False, quiet: bool = False,
            was: str | None = None) -> Callable[[F], F]:
    """Declare a command; the method is called as `handler(ctx, **options)`. `form` names the options a
    platform with forms (Discord's modals) asks for in one form when they are all left out; `private`
    sends its refusals to the speaker alone; `quiet` makes every answer one for the speaker alone where
    the platform can show it so in place (a receipt, a balance: Discord's ephemeral reply); `was` is the
    name it had before a rename, still understood where commands are typed (with a note of the new one)."""

    known = {option.name for option in options}
    if set(form) - known:
        raise ValueError(f"/{name}: form names unknown options {sorted(set(form) - known)}")

    def mark(func: F) -> F:
        func.__mf_command__ = Command(name, tuple(options), admin=admin, default=default,  # type: ignore[attr-defined]
                                      hidden=hidden, form=tuple(form), private=private,
                                                     quiet=quiet or admin, was=was)  # admin receipts are quiet
        return func

    return mark


def listener(event: str) -> Callable[[F], F]:
    """Listen to a neutral event: "reaction" (a reaction on a tagged bot message), "reply" (a message
    answering another, `handler(event)`: the listener decides whether the parent is one of its own) or
    "gap" (a platform's connection was lost and events may be missing: `handler(platform, since)`
    recovers what it can and returns a line saying what it did, or None)."""

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


EVENTS = ("reaction", "reply", "gap")  # the neutral events a listener may take
_MARKERS = (("__mf_command__", "commands"), ("__mf_listener__", "listeners"), ("__mf_button__", "buttons"),
            ("__mf_completer__", "completers"), ("__mf_job__", "jobs"), ("__mf_prepare__", "preparers"))


def before(kind: str) -> Callable[[F], F]:
    """Gather what due rows of `kind` need before their transaction opens: `handler(job)`; the result
    reaches the @at handler as `job.prepared` (a recount's requests, kept out of the closing transaction)."""

    def mark(func: F) -> F:
        func.__mf_prepare__ = kind  # type: ignore[attr-defined]
        return func

    return mark


class CogMeta(type):
    """Collects the declarations of a cog (or a room) once, at class creation, and checks them there: a
    mistake fails at import, naming the class and the handler, instead of at the first use."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> CogMeta:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        found: dict[str, dict[str, Any]] = {bucket: {} for _, bucket in _MARKERS}
        for base in reversed(cls.__mro__):
            for attr, value in vars(base).items():
                for marker, bucket in _MARKERS:
                    if hasattr(value, marker):
                        found[bucket][attr] = getattr(value, marker)
        _check_declarations(name, cls, found)
        cls.__mf_collected__ = found  # type: ignore[attr-defined]
        return cls


def _check_declarations(cls_name: str, cls: type, found: dict[str, dict[str, Any]]) -> None:
    paths: dict[str, str] = {}
    for attr, declared in found["commands"].items():
        where = f"{cls_name}.{attr} (/{declared.name})"
        if declared.name in paths:
            raise TypeError(f"{where}: the command is declared twice (also {cls_name}.{paths[declared.name]})")
        paths[declared.name] = attr
        _check_options(where, getattr(cls, attr), declared.options)
    for attr, event in found["listeners"].items():
        if event not in EVENTS:
            raise TypeError(f"{cls_name}.{attr} listens to unknown event {event!r}; events: {', '.join(EVENTS)}")


def _check_options(where: str, handler: Callable[..., Any], options: tuple[Option, ...]) -> None:
    parameters = list(inspect.signature(handler).parameters.values())[2:]  # after self and ctx
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    names = {p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD}
    for option in options:
        if option.name not in names and not takes_any:
            raise TypeError(f"{where}: option {option.name!r} matches no parameter of the handler")
    declared = {option.name for option in options}
    for parameter in parameters:
        if parameter.kind is not inspect.Parameter.VAR_KEYWORD and parameter.name not in declared:
            raise TypeError(f"{where}: parameter {parameter.name!r} is no declared option")
    seen_optional = None
    for option in (option for option in options if option.positional):
        if option.required and seen_optional is not None:
            raise TypeError(f"{where}: the required option {option.name!r} comes after the optional "
                            f"{seen_optional!r}; put required positional options first")
        if not option.required:
            seen_optional = option.name


class Room(metaclass=CogMeta):
    """A part of a cog with its own collaborators, passed in: its commands, buttons, listeners and jobs
    belong to the cog that lists it in `rooms`, so a reader sees where each piece of state lives."""

    @classmethod
    def collected(cls) -> dict[str, dict[str, Any]]:
        return cls.__mf_collected__  # type: ignore[attr-defined]


class Cog(metaclass=CogMeta):
    """Subclass, set `name`, and declare commands with @command. Storage is declared up front:
    `migrations` and `locales` folders next to the cog module, `settings` a dataclass for its config section.
    """

    name: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()  # cogs that must be loaded first (checked by the loader)
    settings_type: ClassVar[type | None] = None
    migrations: ClassVar[Path | None] = None
    locales: ClassVar[Path | None] = None
    # One-argument SQL functions that this cog's migrations and triggers call, registered before them.
    sql_functions: ClassVar[Mapping[str, Callable[[Any], Any]]] = MappingProxyType({})
    # Fields of `settings` each community's admins may set in chat (/setup rule): see bot/rules.py.
    community_rules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, app: App) -> None:
        self.app = app
        self.settings: Any = app.config.section(self.name, self.settings_type) if self.settings_type else None
        self.rooms: list[Room] = []  # parts whose declarations belong to this cog (see Room)

    async def rules(self, community_id: int) -> Any:
        """`settings` as this community has them: the config's values with its admins' /setup rules."""
        return await self.app.rules.of(self, community_id)

    async def check_rule(self, community_id: int, name: str, value: Any) -> Any:
        """A rule's new value, already read and within its limits: return it (tidied, if need be) or raise
        UserError to refuse it (a change that cannot take effect now)."""
        return value

    def parts(self) -> list[Cog | Room]:
        """The cog and its rooms: every object whose declarations the App registers for this cog."""
        return [self, *self.rooms]

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

    async def import_data(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        """Store this cog's part of one community of an export (what `export` wrote), with its ids,
        inside `tx` (import-json, into an empty database)."""

    async def check_data(self) -> list[str]:
        """Problems in this cog's stored data, one line each, for `microfilm-bot check-data` (which only
        reports: nothing is changed)."""
        return []

    async def person_has_data(self, person_id: int) -> bool:
        """Whether this cog holds anything of the person (asked before two people are merged)."""
        return False

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        """Move the source person's rows to the target inside `tx`, without duplicating any."""

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        """Remove (or anonymise, where others rely on it) everything this cog holds of the person, inside
        `tx`, and say so in lines for the summary ([] when it holds nothing of people). Every cog must
        implement it: the loader refuses a cog that does not (see App.add_cog)."""
        raise NotImplementedError

    @classmethod
    def collected(cls) -> dict[str, dict[str, Any]]:
        return cls.__mf_collected__  # type: ignore[attr-defined]
