"""Neutral messages as Telegram HTML: escaping, times, cards, buttons and clean splitting."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Button, Card, CardField, Link, Message, Moment, Strong, Text
from bot.platforms.telegram_render import keyboard, render_chunks, split_lines, text_lines, utf16_len
from bot.testing.fakes.telegram_html import parse_html

WHEN = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def shown(html_text: str) -> str:
    return parse_html(html_text, strict_ampersand=True)[0]


def test_user_text_is_escaped_and_markup_is_ours() -> None:
    text = Text.of("<b>x</b> & @channel ", Strong("A&B"), " ", Link("docs <1>", 'https://e.com/?a=1&b="2"'))
    [chunk] = render_chunks(Message(text), "UTC")
    assert chunk == ('&lt;b&gt;x&lt;/b&gt; &amp; @channel <b>A&amp;B</b> '
                     '<a href="https://e.com/?a=1&amp;b=&quot;2&quot;">docs &lt;1&gt;</a>')
    assert shown(chunk) == "<b>x</b> & @channel A&B docs <1>"


def test_moments_show_local_time_in_the_zone() -> None:
    text = Text.of("due ", Moment(WHEN), " / ", Moment(WHEN, "D"))
    [chunk] = render_chunks(Message(text), "Asia/Shanghai")
    assert chunk == "due Mon 7 Dec, 17:30 (UTC+8) / Mon 7 Dec 2026"


def test_a_card_is_a_block_with_linked_bold_title_fields_and_footer() -> None:
    card = Card("Dawn & Dusk", "https://e.com/f", Text.of("A <short> film"),
                (CardField("Maker", Text.of("Ann")), CardField("Due", Text.of(Moment(WHEN, "D")))),
                footer="#3")
    [chunk] = render_chunks(Message(Text.of("New"), card=card), "UTC")
    assert chunk.splitlines() == ["New", "", '<b><a href="https://e.com/f">Dawn &amp; Dusk</a></b>',
                                  "A &lt;short&gt; film", "<b>Maker: </b>Ann", "<b>Due: </b>Mon 7 Dec 2026",
                                  "<i>#3</i>"]


def test_a_chinese_card_reads_in_chinese_labels_colons_and_dates() -> None:
    card = Card("夜班公交", None, Text(), (CardField("片长", Text.of("4:30")),
                                         CardField("截止", Text.of(Moment(WHEN, "F", "zh-Hans")))))
    [chunk] = render_chunks(Message(card=card), "Asia/Shanghai")
    assert chunk.splitlines()[1:] == ["<b>片长：</b>4:30", "<b>截止：</b>12月7日 周一 17:30（UTC+8）"]


def test_buttons_become_an_inline_keyboard() -> None:
    buttons = tuple(Button(f"B{n}", "vote", str(n)) for n in range(4))
    markup = keyboard(buttons, lambda custom_id: custom_id)
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["vote:0", "vote:1", "vote:2"], ["vote:3"]]
    assert keyboard((), str) is None


def test_bold_text_over_several_lines_stays_balanced_when_split() -> None:
    text = Text.of(Strong("\n".join(["🎬" * 1000] * 5)))
    chunks = render_chunks(Message(text), "UTC")
    assert len(chunks) == 3  # 2000 UTF-16 units a line: two lines fit in 4096
    for chunk in chunks:
        assert utf16_len(shown(chunk)) <= 4096 and chunk.count("<b>") == chunk.count("</b>")
    assert "\n".join(shown(chunk) for chunk in chunks) == "\n".join(["🎬" * 1000] * 5)


def test_a_single_line_longer_than_a_message_is_cut_without_losing_text() -> None:
    chunks = render_chunks(Message(Text.of("&" * 5000)), "UTC")
    assert [len(shown(chunk)) for chunk in chunks] == [4096, 904]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=900), max_size=12),
       st.integers(min_value=50, max_value=4096))
def test_splitting_keeps_every_character_and_every_limit(parts: list[str], limit: int) -> None:
    text = Text.of(*[Strong(part) if index % 2 else part for index, part in enumerate(parts)])
    chunks = split_lines(text_lines(text, "UTC"), limit)
    for chunk in chunks:
        assert utf16_len(shown(chunk)) <= limit
    # Only whitespace may go: a chunk of nothing but blanks is not sent (Telegram refuses empty messages).
    joined = "".join(shown(chunk) for chunk in chunks)
    assert "".join(joined.split()) == "".join(text.plain().split())


def test_a_single_overlong_line_breaks_between_words() -> None:
    from bot.models import Message, Text
    from bot.platforms.telegram_render import render_chunks, utf16_len

    words = " ".join(f"word{index}" for index in range(1500))  # one line of about 10,000 characters
    chunks = render_chunks(Message(Text.of(words)), "UTC")
    assert len(chunks) >= 3 and all(utf16_len(chunk) <= 4096 for chunk in chunks)
    assert " ".join(chunks).split() == words.split()  # no word was cut or lost
