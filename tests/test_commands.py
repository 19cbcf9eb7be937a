"""The text grammar and the registry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import Command, Option, Registry, UsageError, bind, split_command, tokenize

SHARE = Command("share", (Option("link", required=True, positional=True),
                          Option("title", required=True, positional=True, greedy=True),
                          Option("runtime"), Option("count", int, min_value=1, max_value=5),
                          Option("public", bool)))


def test_quotes_group_words_and_options_follow() -> None:
    name, tokens = split_command('/share https://x.org/a "Night Bus" runtime=4:30') or ("", [])
    assert name == "share"
    assert bind(SHARE, tokens) == {"link": "https://x.org/a", "title": "Night Bus", "runtime": "4:30",
                                   "count": None, "public": None}


def test_curly_quotes_from_phones_group_too() -> None:
    assert tokenize("a “b c” d") == ["a", "b c", "d"]


def test_apostrophes_do_not_open_quotes() -> None:
    assert tokenize("it's raining") == ["it's", "raining"]


def test_greedy_title_takes_the_rest_and_urls_with_equals_stay_positional() -> None:
    values = bind(SHARE, ["https://youtube.com/watch?v=abc", "Night", "Bus", "count=2"])
    assert values["title"] == "Night Bus" and values["count"] == 2
    assert values["link"] == "https://youtube.com/watch?v=abc"


def test_bot_suffix_is_dropped() -> None:
    assert split_command("/share@microfilm_bot x y") == ("share", ["x", "y"])


@pytest.mark.parametrize(("tokens", "key"), [
    (["x"], "errors.missing_option"),
    (["x", "t", "count=zero"], "errors.not_a_number"),
    (["x", "t", "count=9"], "errors.out_of_range"),
    (["x", "t", "public=maybe"], "errors.not_yes_no"),
    (["x", "t", "colour=red"], "errors.unknown_option"),
    (["x", "t", "runtime=1", "runtime=2"], "errors.option_twice"),
])
def test_mistakes_name_the_problem(tokens: list[str], key: str) -> None:
    with pytest.raises(UsageError) as caught:
        bind(SHARE, tokens)
    assert caught.value.key == key


def test_unclosed_quote() -> None:
    with pytest.raises(UsageError, match="unclosed_quote"):
        tokenize('a "b')


def test_usage_line() -> None:
    assert SHARE.usage() == "/share <link> <title>... [runtime=] [count=] [public=]"


def test_groups_resolve_sub_actions_and_defaults() -> None:
    registry = Registry()
    registry.add(Command("festival show", (Option("name", positional=True),), default=True))
    registry.add(Command("festival add", (Option("name", positional=True),)))
    assert registry.resolve(["festival", "add", "x"])[0].name == "festival add"
    assert registry.resolve(["festival", "Cannes"]) == (registry.commands["festival show"], ["Cannes"])
    with pytest.raises(UsageError) as caught:
        registry.resolve(["festivl"])
    assert caught.value.values["suggestion"] == "/festival"


@given(st.text(max_size=200))
def test_tokenizer_never_crashes(text: str) -> None:
    try:
        tokens = tokenize(text)
    except UsageError:
        return
    assert all(isinstance(token, str) for token in tokens)
