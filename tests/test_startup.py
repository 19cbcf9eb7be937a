"""Start-up on the command line: --version, and a Telegram that cannot be reached or refuses the token
ending in one clear line (no traceback, no token)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

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
