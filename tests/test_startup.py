"""Start-up on the command line: --version, a Telegram that cannot be reached or refuses the token, and a
database that cannot be migrated, each ending in one clear line (no traceback, no token) and an exit."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.testing.fakes.telegram_server import FakeTelegram
from tests.test_contrib import clean_env, run
from tests.test_health import free_port

TOKEN = "123456:placeholder-token-for-tests"


async def test_version_prints_the_version() -> None:
    code, said = await run([sys.executable, "-m", "bot", "--version"], clean_env())
    assert (code, said) == (0, f"microfilm-bot {__version__}\n")


async def start_with(tmp_path: Path, base_url: str, token: str) -> tuple[int, str]:
    config = tmp_path / "bot.toml"
    config.write_text(f'[telegram]\nbase_url = "{base_url}"\nbase_file_url = "{base_url}"\n', encoding="utf-8")
    env = clean_env() | {"MICROFILM_TELEGRAM_TOKEN": token}
    return await run([sys.executable, "-m", "bot", "run", "--config", str(config), "--db", str(tmp_path / "b.sqlite3")],
                     env)


async def test_telegram_unreachable_ends_in_one_line_and_exit_1(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there: the connection is refused
    code, said = await asyncio.wait_for(start_with(tmp_path, url, TOKEN), 60)
    assert code == 1, said
    (line,) = said.splitlines()
    assert line.startswith(f"microfilm-bot: cannot reach Telegram at {url}") and line.endswith("base_url right?")
    assert "placeholder-token" not in said


async def test_a_refused_token_ends_in_one_line_and_exit_2(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:  # it knows its own token only: ours is refused
        code, said = await start_with(tmp_path, fake.base_url, TOKEN)
    assert code == 2, said
    assert said.splitlines() == ["microfilm-bot: Telegram refused the token in MICROFILM_TELEGRAM_TOKEN; copy it "
                                 "again from @BotFather (/token)"]


@pytest.mark.parametrize("with_platform", [False, True], ids=["console", "telegram"])
async def test_a_database_of_another_program_ends_the_process_instead_of_hanging(
        tmp_path: Path, with_platform: bool) -> None:
    """A migration that cannot apply (the file is someone else's database) is said in one line and the
    process exits: a database left open would keep its threads and the process alive, and a supervisor
    would wait for ever on a bot that does nothing."""
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE communities (owner TEXT)")
        conn.execute("INSERT INTO communities VALUES ('someone else')")
    env = clean_env() | ({"MICROFILM_TELEGRAM_TOKEN": TOKEN} if with_platform else {})
    code, said = await asyncio.wait_for(
        run([sys.executable, "-m", "bot", "run", "--db", str(foreign)], env), 30)
    assert code == 2, said
    assert "microfilm-bot: migration core/0001_core.sql failed: table communities already exists" in said
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("SELECT owner FROM communities").fetchall() == [("someone else",)]


async def test_a_cog_refusing_its_settings_ends_in_one_line_with_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text('[bot]\ncogs = ["films"]\n[films]\ngenre_names = { horror = ["恐怖片"] }\n', encoding="utf-8")
    code, said = await asyncio.wait_for(run([sys.executable, "-m", "bot", "run", "--config", str(config),
                                             "--db", str(tmp_path / "b.sqlite3")], clean_env()), 30)
    assert code == 2, said
    assert "cog 'films' failed to load: films.genre_names names 'horror', which is not one of films.genres" in said
    assert "Traceback" not in said
