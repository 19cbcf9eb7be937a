"""The migration to (site, video id) and the Chinese-reading index, on a database made by release 0.1:
every film is kept as it was, each learns its video, search finds Chinese runs, and the films that turn
out to be one video are reported by `microfilm-bot check-data`, not deleted."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.testing.harness import Harness, make_config

pytestmark = pytest.mark.sqlite_only("it upgrades a release-0.1 SQLite file")

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "tests" / "fixtures" / "links" / "release-0.1-films.sqlite3.gz"
COLUMNS = "id, community_id, person_id, title, link, runtime_seconds, genre, tags, logline, created_at"


def release_database(folder: Path) -> Path:
    path = folder / "release.sqlite3"
    with gzip.open(RELEASE, "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(row) for row in conn.execute(sql)]


async def test_every_film_is_kept_and_learns_its_video(tmp_path: Path) -> None:
    path = release_database(tmp_path)
    before = rows(path, f"SELECT {COLUMNS} FROM films ORDER BY id")
    entries = rows(path, "SELECT * FROM challenge_entries")
    assert len(before) == 24 and entries
    async with Harness(path, make_config()) as bot:
        newest = max(int(path.name[:4]) for path in (ROOT / "cogs" / "films" / "migrations").glob("0*.sql"))
        assert await bot.app.db.fetchval("SELECT MAX(version) FROM schema_migrations WHERE owner = 'films'") == newest
        assert "夜班公交" in await bot.text("carol: /search 公交")
        assert "Night Bus" in await bot.text("carol: /search night")
    assert rows(path, f"SELECT {COLUMNS} FROM films ORDER BY id") == before
    assert rows(path, "SELECT * FROM challenge_entries") == entries
    videos = dict(rows(path, "SELECT id, site || ':' || video_id FROM films"))
    assert videos[1] == videos[2] == videos[3] == "vimeo:76979871"
    assert videos[4] == videos[5] == videos[6] == "bilibili:BV13x41117TL"
    assert videos[7] == "bilibili:BV1ms411Q7vw_p4" != videos[8] == videos[9] == "bilibili:BV1ms411Q7vw"
    assert videos[14] == "twitter:1600649710662213632_m2" != videos[12]
    assert videos[23] == "web:https://b23.tv/AbCd123" and videos[24] == "web:https://example.com/films/rain"


def test_check_data_reports_the_films_that_are_one_video(tmp_path: Path) -> None:
    path = release_database(tmp_path)
    result = subprocess.run([sys.executable, "-m", "bot", "check-data", "--db", str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    groups = [line.split(" films ")[1].split(" are ")[0] for line in lines if line.startswith("films:")]
    assert groups == ["#1, #2, #3", "#4, #5, #6", "#8, #9", "#10, #11", "#12, #13", "#15, #16", "#17, #18",
                      "#20, #21"]
    assert "(vimeo:76979871)" in lines[0] and "8 finding(s)" in lines[-1]
    assert len(rows(path, "SELECT id FROM films")) == 24  # reported, never deleted


def test_check_data_on_sound_data_says_so(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "check-data", "--db", str(tmp_path / "new.sqlite3")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "no problems found" in result.stdout
