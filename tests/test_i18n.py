"""The catalogs as readers meet them: every key in English and Chinese, plural forms right in both, dates,
durations and fees in the reader's language, and Traditional characters for Discord clients set to zh-TW."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import SOURCE_LANGUAGES, Catalog, traditional
from bot.testing.fakes.discord_server import FakeDiscord, Guild
from bot.testing.harness import Harness, make_config
from tests.discord_support import COGS, discord_config, make_guild, running_app, user

ROOT = Path(__file__).parent.parent
CATALOG_DIRS = [ROOT / "bot" / "i18n", *sorted((ROOT / "cogs").glob("*/locales")), ROOT / "tests" / "discord_locales"]


def po_files(lang: str) -> list[Path]:
    return sorted(path for folder in CATALOG_DIRS for path in folder.rglob("*.po")
                  if lang in (path.stem, path.parent.name))


def entries(lang: str) -> dict[str, tuple[object, object]]:
    """key -> (msgid, msgstr) over every catalog of a language."""
    found: dict[str, tuple[object, object]] = {}
    for path in po_files(lang):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        assert catalog.num_plurals == {"en": 2, "zh-Hans": 1}[lang], path
        for message in catalog:
            if message.context:
                assert message.context not in found, f"{message.context} twice"
                found[message.context] = (message.id, message.string)
    return found


def test_every_key_is_in_both_languages_with_its_placeholders_and_no_toml_is_left() -> None:
    assert not [path for folder in CATALOG_DIRS for path in folder.rglob("*.toml")]  # run the converter
    english, chinese = entries("en"), entries("zh-Hans")
    assert len(english) > 500 and set(english) == set(chinese)
    for key, (msgid, text) in chinese.items():
        assert text, f"{key} has no Chinese text"
        assert msgid == english[key][0], f"{key}: the Chinese entry translates an older English text"
        plural = isinstance(msgid, tuple)
        assert plural == isinstance(english[key][1], tuple)
        if plural:
            assert len(english[key][1]) == 2 and len(text) == 1, key  # type: ignore[arg-type]


def test_plural_forms_in_english_and_none_in_chinese() -> None:
    catalog = Catalog()
    catalog.load_dir(ROOT / "cogs" / "festivals" / "locales")
    en, zh = catalog.translator("en"), catalog.translator("zh-Hans")
    assert en.s("festivals.fit.header", count=1, title="Moth").startswith("1 festival fits “Moth”")
    assert en.s("festivals.fit.header", count=2, title="Moth").startswith("2 festivals fit “Moth”")
    assert en.plural("festivals.fit.header", 0, title="Moth").plain().startswith("0 festivals fit")
    assert en.s("festivals.ics.ready", count=1).startswith("Here is the festival calendar (1 deadline)")
    for count in (1, 2, 11):
        assert zh.s("festivals.fit.header", count=count, title="Moth").startswith(f"{count} 个电影节适合")


async def test_chinese_readers_see_chinese_dates_durations_and_fees(tmp_path: Path) -> None:
    config = make_config({"bot": {"language": "zh-Hans", "zone": "Asia/Shanghai"}})
    async with Harness(tmp_path / "zh.sqlite3", config) as bot:
        await bot.run('ann: /festival_admin add "海边短片节" url=https://sea.example.org zone=Asia/Shanghai '
                      'currency=CNY',
                      "ann: /festival_admin deadline 1 early 2026-12-06 18:00 fee=120")
        out = await bot.text("alice: /festivals within=180d")
        assert "180天内" in out and "未来" not in out and "180d" not in out
        assert "12月6日 周日 18:00（UTC+8） — 海边短片节（#1）· 早鸟 · 报名费 ¥120.00 · 还剩 5天1小时" in out
        assert "（每个截止日期前 30天、7天、1天）" in await bot.text("alice: /remind festivals")


async def test_english_readers_see_the_same_in_english(bot: Harness) -> None:
    await bot.run('ann: /festival_admin add "Sea" url=https://sea.example.org zone=Asia/Shanghai currency=EUR',
                  "ann: /festival_admin deadline 1 early 2026-12-06 18:00 fee=10.5", "alice: /timezone Asia/Shanghai")
    out = await bot.text("alice: /festivals within=180d")
    assert "(next 180 days)" in out
    assert "Sun 6 Dec, 18:00 (UTC+8) — Sea (#1) · Early · fee €10.50 · in 5 days 1 hour" in out
    assert "(30 days, 7 days, 1 day before each deadline)" in await bot.text("alice: /remind festivals")


@pytest.fixture
async def zh_guild(discord_fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Guild]:
    """A Discord server whose community speaks Chinese, the bot running in it."""
    guild = make_guild(discord_fake)
    config = discord_config(discord_fake, sections={"bot": {"cogs": COGS, "language": "zh-Hans"}})
    async with running_app(discord_fake, tmp_path / "bot.sqlite3", config):
        yield guild


@pytest.mark.timeout(20)
async def test_a_zh_tw_discord_client_reads_traditional_characters(discord_fake: FakeDiscord,
                                                                    zh_guild: Guild) -> None:
    guild = zh_guild
    share = next(command for command in discord_fake.commands() if command["name"] == "share")
    assert share["description_localizations"]["zh-CN"] == "向社区分享一部影片"
    assert share["description_localizations"]["zh-TW"] == "向社群分享一部影片"  # Taiwanese usage: 社群

    async def reply(locale: str, link: str) -> str:
        interaction = await discord_fake.slash(guild, "general", user(discord_fake, guild, "ana"), "share",
                                               {"link": link, "title": "夜班公交"}, locale=locale)
        return str((await interaction.wait_callback())["data"]["content"])

    taiwan = await reply("zh-TW", "https://vimeo.com/76979871")  # the receipt links to the public card
    assert taiwan.startswith("影片 #1《夜班公交》已分享：[檢視卡片](https://discord.com/channels/")
    assert taiwan.endswith("。謝謝！")
    mainland = await reply("zh-CN", "https://vimeo.com/1084537")
    assert mainland.startswith("影片 #2《夜班公交》已分享：[查看卡片](") and mainland.endswith("。谢谢！")
    pressed = await discord_fake.press_button(guild, "general", user(discord_fake, guild, "ana"), "1",
                                              "nosuch:1", locale="zh-TW")
    assert "這個按鈕已經失效" in str(await pressed.wait_callback())


def test_every_source_language_has_catalogs() -> None:
    for lang in SOURCE_LANGUAGES:
        assert len(po_files(lang)) == len(po_files("en")) >= 9


@pytest.mark.parametrize(("typed", "stored"), [("紀錄片", "documentary"), ("動畫", "animation")])
async def test_a_genre_typed_in_traditional_characters_is_understood(bot: Harness, typed: str, stored: str) -> None:
    assert "is shared" in await bot.text(f'alice: /share https://example.com/1 "夜班公車" genre={typed}')
    assert await bot.app.db.fetchval("SELECT genre FROM films") == stored


def _entries_of(data: bytes) -> dict[str, object]:
    return {message.context: message.string for message in read_po(io.BytesIO(data)) if message.context}


@pytest.mark.parametrize(("source", "twin"), list(traditional.sources(ROOT, [ROOT / "tests" / "discord_locales"])),
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_every_traditional_catalog_is_made_from_its_simplified_source_today(source: Path, twin: Path) -> None:
    assert twin.exists(), f"{twin.relative_to(ROOT)} is missing: run make catalogs"
    made = _entries_of(traditional.twin(source, traditional.converter()))
    assert _entries_of(twin.read_bytes()) == made, f"{twin.relative_to(ROOT)} is out of date: run make catalogs"
    assert made and all(made.values())


def test_the_running_bot_never_loads_the_converter() -> None:
    """OpenCC's dictionaries would cost every bot process about 43 MB; the twins are made ahead."""
    probe = ("import pathlib, sys, bot.app, cogs.challenges, cogs.festivals, cogs.films\n"
             "from bot.i18n import Catalog\n"
             "catalog = Catalog()\n"
             "catalog.load_dir(pathlib.Path('cogs/films/locales'))\n"
             "t = catalog.translator('zh-Hant')\n"
             "assert t.s('errors.stale_button') == '這個按鈕已經失效。'\n"
             "assert t.s('films.shared', id=1, title='夜班公交') == '影片 #1《夜班公交》已分享，謝謝！'\n"
             "print('opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
