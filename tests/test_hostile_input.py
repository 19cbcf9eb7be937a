"""Hostile input gets a refusal that says what to type, never an internal error: the cases found by
fuzzing, one by one, and a property test driving every declared command with generated arguments."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import Command, Option
from bot.testing.harness import Harness, make_config

INTERNAL = "Something went wrong on my side"
HOSTILE = ["9223372036854775808", "99999999999999999999999", "0", "-1", "1e309", "nan", "y" * 300,
           "99999999999999999999d", "999999999999999d", "+99999999999d", "9999-12-31", "25:61", "\u202e", "a\x00b",
           "https://user@example.com/x", "https://еxample.com/f", "https://vimeo.com/1\u202e", "javascript:alert(1)",
           "#1", "@ann", "<b>", "&amp;", "'", "=", "Europe/" + "x" * 200, "../../etc", "🎬", "yes", "no", "1:00",
           "2026-12-07T09:00Z", "fiction,documentary", "list", "add", "on", "off", "open", "voting", "1", "2"]
SETUP = [
    'ann: /challenge new "Night walks" categories=fiction,documentary',
    'alice: /submit https://vimeo.com/200001 title="Lamp Post" runtime=2:10 category=fiction',
    'bob: /share https://vimeo.com/300002 "Concrete Birds" runtime=3:20',
    "bob: /feedback request 2",
    'ann: /festival add "Big Fest" url=https://example.com zone=Europe/Paris',
    "carol: /theme suggest Rooftops",
]


@pytest.mark.parametrize(("line", "told"), [
    ("bob: /film 9223372036854775808", "id must be at most 9223372036854775807"),
    ("bob: /film 0", "id must be 1 or more"),
    ("bob: /film 99999999999999999999999999", "id must be at most"),
    ("bob: /feedback show 9223372036854775808", "must be at most"),
    ("bob: /submit 9223372036854775808 category=fiction", "There is no film #9223372036854775808"),
    ("ann: /challenge show 9223372036854775808", "must be at most"),
    ("bob: /timezone " + "y" * 300, "Use an IANA name like Europe/Berlin"),
    ("ann: /challenge new Rain submit_until=99999999999999999999d", "must lie within 366d"),
    ("bob: /festivals within=999999999999999d", "at most"),
    ("ann: /festival add Fest url=https://example.com zone=" + "y" * 300, "zone"),
    ("bob: /share https://vimeo.com/1\u202e \"Sneaky\"", "link"),
    ("bob: /share https://vimeo.com/1\x00 \"Sneaky\"", "link"),
])
async def test_each_case_found_by_fuzzing_gets_a_refusal_saying_what_to_type(bot: Harness, line: str,
                                                                            told: str) -> None:
    await bot.run(*SETUP)
    said = await bot.text(line)
    assert INTERNAL not in said and "None" not in said and "Traceback" not in said, said
    assert told.lower() in said.lower(), said


async def test_the_user_at_host_trick_is_stripped_from_links(bot: Harness) -> None:
    await bot.run("ann: /festival add Fest url=https://user@example.com/x zone=Europe/Paris",
                  'bob: /share https://user:pw@vimeo.com/5 "Five"')
    shown = await bot.text("bob: /festival show Fest", "bob: /film 1")
    assert "https://example.com/x" in shown and "https://vimeo.com/5" in shown and "user" not in shown, shown


async def test_a_look_alike_host_is_stored_in_punycode_with_a_warning(bot: Harness) -> None:
    said = await bot.text('bob: /share https://еxample.com/f "Look"')
    assert "xn--xample-2of.com" in said and "letters of other alphabets" in said, said


# -- the property test ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.AbstractEventLoop, Harness]]:
    """One bot for every example (starting one per example would cost more than the examples), on a loop
    of its own, with a film, a challenge, a request, a festival and a theme to aim at."""
    loop = asyncio.new_event_loop()
    bot = Harness(tmp_path_factory.mktemp("fuzz") / "bot.sqlite3", make_config())
    loop.run_until_complete(bot.__aenter__())
    loop.run_until_complete(bot.run(*SETUP))
    try:
        yield loop, bot
    finally:
        loop.run_until_complete(bot.__aexit__(None, None, None))
        loop.close()


def commands() -> list[Command]:
    """Every declared command, from a bot's registry (the same list /help and the platforms read)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_declared())
    finally:
        loop.close()


async def _declared() -> list[Command]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        async with Harness(Path(folder) / "bot.sqlite3", make_config()) as bot:
            return [cmd for cmd in bot.app.registry.commands.values() if cmd.name != "festival import"]


def quoted(value: str) -> str:
    return '"' + value.replace('"', "") + '"' if (" " in value or not value) else value


def value(option: Option) -> st.SearchStrategy[str]:
    typed = st.integers(min_value=-(2**70), max_value=2**70).map(str) if option.kind is int else st.nothing()
    return st.one_of(st.sampled_from(HOSTILE), typed, st.text(min_size=0, max_size=40))


@st.composite
def invocation(draw: st.DrawFn, declared: list[Command]) -> str:
    cmd = draw(st.sampled_from(declared))
    words = [f"/{cmd.name}"]
    for option in cmd.options:
        if not draw(st.booleans()):
            continue
        text = quoted(draw(value(option)).replace("\n", " "))
        words.append(text if option.positional else f"{option.name}={text}")
    who = draw(st.sampled_from(["ann", "bob", "ann@dm", "bob@dm"]))
    return f"{who}: {' '.join(words)}"


DECLARED = commands()


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@settings(max_examples=1000, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(invocation(DECLARED), min_size=1, max_size=4))
def test_every_command_with_generated_arguments_gets_an_answer_never_an_internal_error(
        session: tuple[asyncio.AbstractEventLoop, Harness], lines: list[str]) -> None:
    loop, bot = session
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        for line in lines:
            said = loop.run_until_complete(asyncio.wait_for(bot.text(line), 10))
            assert INTERNAL not in said, (line, said)
            assert "Traceback" not in said and "sqlite" not in said.lower(), (line, said)
    finally:
        logging.getLogger().removeHandler(errors)
    assert errors.records == [], [record.getMessage() for record in errors.records]
