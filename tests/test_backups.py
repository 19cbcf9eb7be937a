"""Backups while the bot runs, scheduled ones kept to a number, one before migrations, and checked restores."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot import cli_data
from bot.app import App
from bot.errors import Refused
from bot.models import Account, MessageRef, ReactionEvent
from bot.storage.backup import backup_file, backups_folder
from bot.testing.harness import Harness, make_config
from cogs.challenges.testing import voting_challenge

pytestmark = pytest.mark.sqlite_only("backup and restore copy a SQLite file (PostgreSQL's are pg_dump's)")


def count(path: Path, sql: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_a_backup_during_a_vote_storm_is_consistent_and_opens(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    app = App(make_config(), db_path=str(database))
    await app.open_storage()
    await app.load_cogs(["films", "challenges"])
    try:
        cog = app.cog("challenges")
        community, entries = await voting_challenge(app, 4)
        at = app.clock.now() + timedelta(hours=1)

        async def vote(voter: int) -> None:
            person = await app.directory.person_for(Account("console", f"v{voter}"), f"v{voter}")
            entry = entries[voter % len(entries)]
            event = ReactionEvent(MessageRef("console", "#general", str(entry.id)), Account("console", f"v{voter}"),
                                  f"v{voter}", "⭐", True, at)
            await (await cog.voting.on_reaction(event, f"challenges.entry:{entry.id}", person,  # type: ignore[attr-defined]
                                                community))

        async def waves() -> None:  # bursts of 100 at once, with a breath between them, so copies fall inside
            for start in range(0, 1500, 100):
                await asyncio.gather(*(vote(n) for n in range(start, start + 100)))
                await asyncio.sleep(0.02)

        storm = asyncio.ensure_future(waves())
        copies: list[Path] = []
        while not storm.done():  # copies one after another, for as long as the storm lasts
            copies.append(await asyncio.to_thread(backup_file, database, tmp_path / f"copy{len(copies)}.sqlite3"))
            await asyncio.sleep(0.01)
        await storm
    finally:
        await app.stop()
    stored = count(database, "SELECT COUNT(*) FROM challenge_votes")
    assert stored == 1500
    taken = [count(copy, "SELECT COUNT(*) FROM challenge_votes") for copy in copies]
    assert taken == sorted(taken) and taken[-1] <= stored  # each copy a moment of the storm, in order
    during = [copy for copy, votes in zip(copies, taken, strict=True) if 0 < votes < stored]
    assert during  # some were taken in the middle of it
    for copy in [*during, copies[-1]]:
        assert count(copy, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'") == 0
        # every vote in a copy has its voter and its entry: no half-written transaction
        assert count(copy, "SELECT COUNT(*) FROM challenge_votes v LEFT JOIN people p ON p.id = v.person_id "
                           "WHERE p.id IS NULL") == 0
    async with Harness(copies[-1], make_config()) as reopened:  # the copy is a database the bot opens
        assert "Storm" in await reopened.text("ann: /challenge show")


async def test_scheduled_backups_keep_the_newest_ones(tmp_path: Path) -> None:
    config = make_config({"bot": {"backup_every": "1d", "backup_keep": 2}})
    async with Harness(tmp_path / "bot.sqlite3", config) as bot:
        await bot.run('alice: /share https://vimeo.com/1 "One"', "~ +1d", "~ +1d", "~ +1d1h")
        copies = sorted(backups_folder(bot.db_path).glob("scheduled-*.sqlite3"))
        assert [path.name for path in copies] == ["scheduled-20261203T090000Z.sqlite3",
                                                  "scheduled-20261204T090000Z.sqlite3"]
        await bot.restart(down_until=bot.clock.now() + timedelta(days=5))  # down across several: one, at once
        await bot.run("~ +1m")
        newest = sorted(backups_folder(bot.db_path).glob("scheduled-*.sqlite3"))
        assert len(newest) == 2 and newest[-1].name == "scheduled-20261209T100000Z.sqlite3"
        assert count(newest[-1], "SELECT COUNT(*) FROM films") == 1


async def test_migrating_an_existing_database_makes_a_backup_first(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with Harness(database, make_config({"bot": {"cogs": ["films"]}})) as bot:
        await bot.run('alice: /share https://vimeo.com/1 "One"')
    assert list(backups_folder(database).glob("pre-migration-*")) == []  # a new file needs no backup
    async with Harness(database, make_config()):  # every cog: their migrations run on a file with data
        pass
    (before,) = backups_folder(database).glob("pre-migration-*.sqlite3")
    assert count(before, "SELECT COUNT(*) FROM films") == 1
    assert count(before, "SELECT COUNT(*) FROM schema_migrations WHERE owner = 'challenges'") == 0


async def restore(backup: Path, database: Path) -> str:
    """`microfilm-bot restore BACKUP --db DATABASE`: what it prints, or the refusal it exits with."""
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            await cli_data.restore(argparse.Namespace(path=str(backup), db=str(database)), make_config())
    except Refused as exc:
        return f"refused: {exc}"
    return output.getvalue()


async def test_restore_refuses_while_the_bot_runs_and_refuses_bad_files(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    good = tmp_path / "good.sqlite3"
    async with Harness(database, make_config()) as bot:
        await bot.run('alice: /share https://vimeo.com/1 "One"')
        backup_file(database, good)
        said = await restore(good, database)
        assert said.startswith("refused:") and "the bot is running on it; stop it first" in said
    (tmp_path / "text.sqlite3").write_text("not a database")
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(good.read_bytes()[:4096] + b"\x00" * 4096)
    newer = tmp_path / "newer.sqlite3"
    backup_file(good, newer)
    with contextlib.closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("INSERT INTO schema_migrations (owner, version, name, applied_at) "
                     "VALUES ('films', 99, 'future', '2030-01-01')")
    for path, reason in ((tmp_path / "missing.sqlite3", "there is no file"),
                         (tmp_path / "text.sqlite3", "not an SQLite database"),
                         (damaged, "damaged"), (newer, "written by a newer release (films schema 99")):
        said = await restore(path, database)
        assert said.startswith("refused:") and reason in said and "was not restored" in said, said
    assert count(database, "SELECT COUNT(*) FROM films") == 1  # untouched by the refusals


async def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_file(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    good = tmp_path / "good.sqlite3"
    async with Harness(database, make_config()) as bot:
        await bot.run('alice: /share https://vimeo.com/1 "One"')
        backup_file(database, good)
        await bot.run('alice: /share https://vimeo.com/2 "Two"')
    said = await restore(good, database)
    assert said.startswith("restored") and "kept as" in said
    (aside,) = backups_folder(database).glob("replaced-*.sqlite3")
    assert count(aside, "SELECT COUNT(*) FROM films") == 2
    async with Harness(database, make_config()) as bot:
        films = await bot.text("bob: /films")
        assert "One" in films and "Two" not in films


async def test_backup_writes_a_dated_copy_into_a_folder_and_never_overwrites(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"

    async def backup(path: Path) -> None:
        await cli_data.backup(argparse.Namespace(path=str(path), db=str(database)), make_config())

    with pytest.raises(Refused, match="there is no database"):
        await backup(tmp_path)
    with contextlib.closing(sqlite3.connect(database)) as conn, conn:
        conn.execute("CREATE TABLE t (x)")
    folder = tmp_path / "copies"
    folder.mkdir()
    await backup(folder)
    (copy,) = folder.glob("microfilm-*.sqlite3")
    assert count(copy, "SELECT COUNT(*) FROM t") == 0
    with pytest.raises(Refused, match="exists already"):
        await backup(copy)
