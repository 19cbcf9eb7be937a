"""Configuration: defaults, errors that name the key, the documented example file."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from bot.app import App, cog_module
from bot.config import ConfigError, build_config, load_config
from bot.storage import DatabaseError
from bot.testing.harness import Harness

ROOT = Path(__file__).resolve().parents[1]


def test_no_file_gives_safe_defaults() -> None:
    config = load_config(None, environ={})
    assert config.bot.language == "en" and config.bot.zone == "UTC"
    assert config.console.admins == ("you",)
    assert config.discord_token is None and config.telegram_token is None


def test_tokens_come_from_the_environment() -> None:
    config = load_config(None, environ={"MICROFILM_DISCORD_TOKEN": "placeholder-token"})
    assert config.discord_token == "placeholder-token"


def test_a_file_with_only_console_admins_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[console]\nadmins = ["ann"]\n')
    assert load_config(path, environ={}).console.admins == ("ann",)


@pytest.mark.parametrize(("raw", "named"), [
    ({"bot": {"database": ["x"]}}, "bot.database must be text"),
    ({"bot": {"zone": "Mars/Olympus"}}, "bot.zone = 'Mars/Olympus' is not an IANA time zone"),
    ({"bot": {"language": "fr"}}, "bot.language = 'fr' is not a supported language"),
    ({"bot": {"colour": "red"}}, "unknown key bot.colour"),
    ({"console": {"admins": "ann"}}, "console.admins must be a list"),
    ({"discord": {"threads": "yes"}}, "discord.threads must be true or false"),
    ({"communities": [{"name": "x"}]}, "communities[0].key is required"),
    ({"communities": [{"key": "a", "chats": [{"platform": "irc", "id": "1"}]}]}, "communities[0].chats[0].platform"),
])
def test_bad_values_name_the_key(raw: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        build_config(raw, "(test)", {})


def test_invalid_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[bot\nzone = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, environ={})


async def test_unknown_section_and_bad_cog_setting_stop_start_up(tmp_path: Path) -> None:
    for raw, message in (({"flims": {"genres": []}}, r"unknown section \[flims\]"),
                         ({"films": {"page_size": "ten"}}, "films.page_size must be a whole number")):
        app = App(build_config(raw, "(test)", {}), db_path=str(tmp_path / "x.sqlite3"))
        with pytest.raises(ConfigError, match=message):
            await app.start()


@pytest.mark.sqlite_only("a database file in a folder that is missing or read-only")
async def test_unwritable_database_path_stops_start_up(tmp_path: Path) -> None:
    app = App(build_config({}, "(test)", {}), db_path=str(tmp_path / "missing" / "bot.sqlite3"))
    with pytest.raises(DatabaseError, match="does not exist"):
        await app.start()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        app = App(build_config({}, "(test)", {}), db_path=str(locked / "bot.sqlite3"))
        if not __import__("os").access(locked, __import__("os").W_OK):  # root can write anyway
            with pytest.raises(DatabaseError, match="not writable"):
                await app.start()
    finally:
        locked.chmod(0o700)


def test_example_config_is_valid_and_documents_every_key() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", "config.example.toml"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "config OK" in result.stdout
    example = (ROOT / "config.example.toml").read_text()
    readme = (ROOT / "README.md").read_text()
    config = load_config(ROOT / "config.example.toml", environ={})
    sections: list[tuple[str, object]] = [("bot", config.bot), ("console", config.console),
                                          ("discord", config.discord), ("telegram", config.telegram)]
    for cog_name in config.bot.cogs:
        cog_type = cog_module(cog_name).COG
        if cog_type.settings_type is not None:
            sections.append((cog_type.name, config.section(cog_type.name, cog_type.settings_type)))
    assert len(sections) == 4 + 5
    tables, blocks = readme_tables(readme), example_sections(example)
    for section, settings in sections:
        for section_name, name in settings_keys(section, settings):
            assert name in blocks.get(section_name, set()), \
                f"[{section_name}] {name} missing from its section of config.example.toml"
            assert name in tables.get(section_name, set()), f"[{section_name}] {name} not in its README table row"


def readme_tables(readme: str) -> dict[str, set[str]]:
    """Keys per section from the README's settings rows: "| `[discord] a`, `b` | ..." gives discord: a, b."""
    found: dict[str, set[str]] = {}
    for line in readme.splitlines():
        match = re.match(r"^\| `\[([\w.]+)\] (\w+)`((?:, `\w+`)*) \|", line)
        if match:
            names = {match[2], *re.findall(r"`(\w+)`", match[3])}
            found.setdefault(match[1], set()).update(names)
    return found


def example_sections(example: str) -> dict[str, set[str]]:
    """Keys per [section] of config.example.toml, commented-out ones included (`# api_base = ...`)."""
    found: dict[str, set[str]] = {}
    section = ""
    for line in example.splitlines():
        header = re.match(r"^\[([\w.]+)\]", line)
        if header:
            section = header[1]
            continue
        key = re.match(r"^#?\s*(\w+)\s*=", line)
        if key and section:
            found.setdefault(section, set()).add(key[1])
    return found


def settings_keys(section: str, settings: object) -> list[tuple[str, str]]:
    """(section, key) pairs of a settings dataclass, nested tables included."""
    keys = []
    for item in fields(settings):  # type: ignore[arg-type]
        value = getattr(settings, item.name)
        if is_dataclass(value):
            keys.extend(settings_keys(f"{section}.{item.name}", value))
        else:
            keys.append((section, item.name))
    return keys


def test_check_config_reports_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[bot]\nzone = "Nowhere/Land"\n')
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "bot.zone" in result.stderr


def test_check_config_names_every_problem_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli_checks import check_config

    path = tmp_path / "bad.toml"
    path.write_text('[bot]\nlog_level = "LOUD"\nhealth_port = 70000\n'
                    '[discord]\nguild_ready_timeout = 99999\nguilds = ["my server"]\n'
                    '[telegram]\npoll_timeout = -1\n[telegram.webhook]\nport = 0\n'
                    '[films]\npage_size = 0\n[challenges]\nvote_emoji = ""\n', encoding="utf-8")
    assert check_config(str(path), str(tmp_path / "missing" / "bot.sqlite3")) == 2
    said = capsys.readouterr().err
    for named in ("bot.log_level", "bot.health_port", "discord.guild_ready_timeout", "telegram.poll_timeout",
                  "telegram.webhook.port", "films.page_size", "challenges.vote_emoji", "is not a numeric id",
                  f"folder {tmp_path / 'missing'} does not exist"):
        assert named in said, (named, said)
    assert said.startswith("microfilm-bot: 9 problems in")


async def test_readme_documents_every_command(bot: Harness) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for cmd in bot.app.registry.visible():
        written = f"`/{cmd.group} " if cmd.default and cmd.group else f"`/{cmd.name}"
        assert written in readme, f"/{cmd.name} is not in README.md"
