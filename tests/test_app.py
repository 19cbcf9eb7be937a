"""The App's lifecycle: all-or-nothing cog loading, recorded migrations, i18n completeness."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import App, CogLoadError
from bot.i18n import LANGUAGES, Catalog
from bot.testing.harness import Harness, make_config

ROOT = Path(__file__).resolve().parents[1]


async def test_a_cog_that_fails_to_load_is_named_and_nothing_stays_loaded(tmp_path: Path) -> None:
    config = make_config({"bot": {"cogs": ["films", "tests.cogs_for_tests.broken"]}})
    app = App(config, db_path=str(tmp_path / "b.sqlite3"))
    with pytest.raises(CogLoadError, match="cog 'tests.cogs_for_tests.broken' failed to load: the broken cog"):
        await app.start()
    assert app.cogs == {}
    assert "share" not in app.registry.commands and "broken" not in app.registry.commands


@pytest.mark.parametrize("cog", ["challenges", "feedback", "festivals"])
async def test_a_cog_listed_before_the_cog_it_needs_is_refused_in_one_way(tmp_path: Path, cog: str) -> None:
    app = App(make_config({"bot": {"cogs": [cog, "films"]}}), db_path=str(tmp_path / "b.sqlite3"))
    with pytest.raises(CogLoadError, match=f'the {cog} cog needs the films cog: list "films" before "{cog}"'):
        await app.start()
    assert app.cogs == {}


async def test_migrations_are_recorded_and_applied_once(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config({"bot": {"cogs": ["films"]}})) as bot:
        rows = await bot.app.db.fetchall("SELECT owner, version, name FROM schema_migrations "
                                         "ORDER BY owner, version")
        assert [(row[0], row[1]) for row in rows] == [*[("core", n) for n in range(1, 8)],
                                                      *[("films", n) for n in range(1, 5)]]
        await bot.restart()
        assert await bot.app.db.fetchval("SELECT COUNT(*) FROM schema_migrations") == len(rows)


@pytest.mark.sqlite_only("its WAL journal and foreign-key pragmas")
async def test_database_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config()) as bot:
        assert await bot.app.db.fetchval("PRAGMA journal_mode") == "wal"
        assert await bot.app.db.fetchval("PRAGMA foreign_keys") == 1


def all_catalog_dirs() -> list[Path]:
    return sorted(path.parent for path in ROOT.glob("cogs/*/locales/en.po"))


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    catalog = Catalog()
    for directory in all_catalog_dirs():
        catalog.load_dir(directory)
    english = catalog.keys("en")
    for lang in LANGUAGES:
        assert catalog.keys(lang) == english, f"{lang} differs: {sorted(catalog.keys(lang) ^ english)[:10]}"
        for key in english:
            placeholders = set(re.findall(r"\{([a-z_0-9]+)\}", catalog.template(lang, key)))
            assert placeholders == set(re.findall(r"\{([a-z_0-9]+)\}", catalog.template("en", key))), (lang, key)


async def test_every_command_and_option_has_a_description(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config()) as bot:
        for lang in LANGUAGES:
            keys = bot.app.catalog.keys(lang)
            for command in bot.app.registry.commands.values():
                assert command.catalog_key + ".description" in keys, (lang, command.name)
                for option in command.options:
                    assert f"{command.catalog_key}.{option.name}" in keys, (lang, command.name, option.name)


async def test_a_community_in_chinese_answers_in_chinese(tmp_path: Path) -> None:
    async with Harness(tmp_path / "b.sqlite3", make_config({"bot": {"language": "zh-Hans"}})) as bot:
        out = await bot.text("alice: /share javascript:x 标题")
        assert "只能分享 http 或 https 链接" in out
