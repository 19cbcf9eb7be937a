"""Errors a handler raises to answer the person with a catalog message (the transaction rolls back), and
what the one error hook (App.on_error) is told of every other failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class UserError(Exception):
    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Refused(RuntimeError):
    """A command-line action refused with a message already phrased for the person (exit status 2)."""


@dataclass(frozen=True)
class Failure:
    """Where an exception came from, for the one error hook (App.on_error)."""

    kind: str                       # command | button | listener | job | delivery | update | completion
    name: str                       # the command, the button's action, the listener's cog, the job's kind...
    platform: str | None = None
    chat: str | None = None         # the chat or user a delivery went to
    community_id: int | None = None
    attempts: int | None = None
    for_good: bool = False          # no retry follows (or it keeps failing): the admins are told
    subject: str = ""               # what could not be done, for the admins: "telegram chat 42", a job's key
    expected: bool = False          # a platform's refusal or outage: logged without a traceback


ErrorHook = Callable[[BaseException, Failure], Awaitable[None]]
