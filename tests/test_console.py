"""The console contract: script lines, transcript format, errors, and the CLI commands around it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.platforms.console_script import Advance, MoveTo, Press, React, Say, ScriptError, parse_line
from bot.testing.harness import Harness

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environment = {key: value for key, value in os.environ.items() if not key.startswith("MICROFILM_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120, env=environment)


def test_script_line_forms() -> None:
    assert parse_line('alice: /share x "Night Bus"', 1) == Say("alice", None, False, '/share x "Night Bus"')
    assert parse_line("alice@dm: /profile", 1) == Say("alice", None, True, "/profile")
    assert parse_line("bob +⭐ 3", 1) == React("bob", "⭐", True, 3)
    assert parse_line('bob -⭐ "Night Bus"', 1) == React("bob", "⭐", False, "Night Bus")
    assert parse_line('bob [Vote] "Night Bus"', 1) == Press("bob", "Vote", "Night Bus")
    assert isinstance(parse_line("~ +2d3h", 1), Advance)
    assert isinstance(parse_line("~ 2026-12-07T09:00Z", 1), MoveTo)
    assert parse_line("# a comment", 1) is None and parse_line("   ", 1) is None


@pytest.mark.parametrize("line", ["just words", "~ +soon", "~ 2026-12-07T09:00", "bob +⭐ three"])
def test_malformed_lines_are_named(line: str) -> None:
    with pytest.raises(ScriptError, match="line 7"):
        parse_line(line, 7)


def test_a_malformed_script_stops_with_its_line_number_and_a_non_zero_exit(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("alice: /help\n\nthis is not a line\n")
    result = cli("console", "--script", str(script), "--db", str(tmp_path / "db.sqlite3"))
    assert result.returncode != 0
    assert "line 3" in result.stderr
    assert result.stdout == ""  # nothing ran


def test_script_from_stdin_prints_the_transcript(tmp_path: Path) -> None:
    script = ("~ 2026-12-01T09:00Z\nalice: /share https://example.com/f \"Night Bus\"\n"
              "bob: /film 1\n")
    result = cli("console", "--script", "-", "--db", str(tmp_path / "db.sqlite3"), stdin=script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[1] #general: 🎬 New film by alice\n  Night Bus — https://example.com/f")
    assert "[3] #general: Night Bus — https://example.com/f" in result.stdout


def test_run_without_tokens_falls_back_to_the_console_and_says_so(tmp_path: Path) -> None:
    result = cli("run", "--db", str(tmp_path / "db.sqlite3"), stdin="/help\n")
    assert result.returncode == 0, result.stderr
    assert "safe defaults" in result.stderr and "starting the console" in result.stderr
    assert "/share — Share a film with the community" in result.stdout


def test_demo_prints_a_transcript() -> None:
    result = cli("demo")
    assert result.returncode == 0, result.stderr
    assert "[1] #general:" in result.stdout and "New film by alice" in result.stdout


def test_export_json_has_the_documented_shape(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    cli("console", "--script", "-", "--db", db, stdin='alice: /share https://example.com/f "Night Bus"\n')
    result = cli("export", "--format", "json", "--db", db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "microfilm-bot" and data["version"] == 1
    assert data["people"][0]["accounts"] == [{"platform": "console", "user_id": "alice"}]
    films = data["communities"][0]["films"]
    assert films[0]["title"] == "Night Bus" and films[0]["maker"] == "alice"
    public = json.loads(cli("export", "--public", "--db", db).stdout)
    assert "accounts" not in public["people"][0]
    out = tmp_path / "csv"
    assert cli("export", "--format", "csv", "--out", str(out), "--db", db).returncode == 0
    assert "Night Bus" in (out / "console_console-films.csv").read_text()


async def test_buttons_and_reactions_by_quoted_text(bot: Harness) -> None:
    await bot.run('alice: /share https://example.com/f "Night Bus"')
    with pytest.raises(ScriptError, match="no bot message"):
        await bot.run('bob +⭐ "No Such Film"')
    with pytest.raises(ScriptError, match="has no button"):
        await bot.run('bob [Vote] "Night Bus"')


@pytest.mark.parametrize(("line", "said"), [
    ("~ +99999999999d", "line 2: the clock moves at most 36600d in one line"),
    ("~ +9999999999999999999999999999999999w", "line 2: the clock moves at most 36600d in one line"),
    ("~ 9999-12-31T23:59Z", "line 2: the clock cannot go past 9000-01-01"),
    ("~ 9999-12-31T23:59-05:00", "line 2: the clock cannot go past 9000-01-01"),
])
def test_a_clock_line_beyond_the_calendar_stops_with_its_line_number(tmp_path: Path, line: str, said: str) -> None:
    result = cli("console", "--script", "-", "--db", str(tmp_path / "db.sqlite3"), stdin=f"alice: /help\n{line}\n")
    assert result.returncode == 3
    assert said in result.stderr and "Traceback" not in result.stderr


async def test_the_clock_stepping_past_the_limit_stops_with_its_line_number(bot: Harness) -> None:
    await bot.run("~ 8999-12-01T00:00Z")
    with pytest.raises(ScriptError, match="line 2: the clock cannot go past 9000-01-01"):
        await bot.run("alice: /help", "~ +60d")
