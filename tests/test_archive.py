"""The JSON export and its way back in (import-json), and the public export that names no voter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.archive import import_document
from bot.errors import Refused
from bot.export import collect
from bot.testing.harness import Harness, make_config
from tests.test_forget import LONG_NOTES

# A community with something in every table the export has: films, a closed round with categories, a jury
# and results, an open one with votes, critiques (one anonymous), a festival with a subscription.
COMMUNITY = [
    'ann: /challenge new "Night walks" max_runtime=3m categories=fiction,documentary',
    "judy: /timezone Asia/Tokyo",
    "ann: /challenge jury add judy",
    'alice: /submit https://vimeo.com/200001 title="Lamp Post" runtime=2:10 category=fiction',
    'bob: /submit https://vimeo.com/200002 title="Rain" runtime=2:10 category=documentary',
    "~ +5d",
    'carol +⭐ "Entry #1 ·"',
    'dave [Vote] "Entry #2 ·"',
    "judy: /score 1 8",
    "judy: /score 2 6",
    "~ +2d",
    'ann: /challenge new "Rooftops"',
    'mei: /share https://vimeo.com/300001 "Tea at Dawn" runtime=3:20',
    "mei: /feedback request https://vimeo.com/300001",
    "tom: /feedback next",
    f'tom: /feedback give 3 story=3 image=4 sound=4 edit=3 notes="{LONG_NOTES}" anonymous=yes',
    "ines: /feedback next",
    f'ines: /feedback give 3 story=4 image=4 sound=4 edit=4 notes="{LONG_NOTES}"',
    "ann: /festival import cogs/festivals/sample/festivals-sample.ics",
    "alice: /remind festivals",
]


def without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "exported_at"}


async def test_export_then_import_then_export_gives_the_same_document(bot: Harness, tmp_path: Path) -> None:
    transcript = await bot.text(*COMMUNITY)
    for refusal in ("I don't know", "Only the", "Usage", "No challenge"):
        assert refusal not in transcript, transcript
    first = await collect(bot.app)
    community = first["communities"][0]
    assert community["challenge_scores"] and community["challenge_jurors"] and community["critiques"]
    assert any(entry["category_place"] == 1 for entry in community["challenge_entries"])
    async with Harness(tmp_path / "moved.sqlite3", make_config(), start=bot.clock.now()) as moved:
        said = await import_document(moved.app, json.loads(json.dumps(first)))
        assert said.startswith("imported 9 people and 1 community")
        again = await collect(moved.app)
        assert without_time(again) == without_time(first)
        # the moved community goes on: people keep their films, the open round still closes on time
        assert "Tea at Dawn" in await moved.text("mei: /profile")
        assert "Challenge #2 “Rooftops” closed without entries" in await moved.text("~ +8d")
        with pytest.raises(Refused, match="fills an empty database"):
            await import_document(moved.app, first)


async def test_a_public_export_shows_counts_but_no_voter_scorer_or_anonymous_reviewer(bot: Harness) -> None:
    await bot.run(*COMMUNITY)
    public = await collect(bot.app, public=True)
    community = public["communities"][0]
    for private in ("challenge_votes", "challenge_scores", "challenge_jurors", "festival_subscriptions",
                    "festival_submissions", "feedback_credits"):
        assert private not in community, private
    assert sorted(entry["votes"] for entry in community["challenge_entries"] if entry["place"]) == [1, 1]
    names = {person["display_name"] for person in public["people"]}
    assert names == {"alice", "bob", "mei", "ines"}  # makers and a signed reviewer; no voter, juror or tom
    assert all("accounts" not in person and "zone" not in person for person in public["people"])
    anonymous = [c for c in community["critiques"] if c["anonymous"]]
    assert anonymous and all(c["reviewer"] is None and c["reviewer_person_id"] is None for c in anonymous)
    with pytest.raises(Refused, match="public export"):
        await import_document(bot.app, public)


def test_the_command_line_moves_a_community_to_a_new_host(tmp_path: Path) -> None:
    from tests.test_console import cli

    old, new = str(tmp_path / "old.sqlite3"), str(tmp_path / "new.sqlite3")
    script = '~ 2026-12-01T09:00Z\nalice: /share https://vimeo.com/1 "Night Bus"\nbob: /timezone Asia/Tokyo\n'
    assert cli("console", "--script", "-", "--db", old, stdin=script).returncode == 0
    exported = cli("export", "--format", "json", "--db", old, "--out", str(tmp_path / "export.json"))
    assert exported.returncode == 0, exported.stderr
    moved = cli("import-json", str(tmp_path / "export.json"), "--db", new)
    assert moved.returncode == 0 and moved.stdout.startswith("imported 2 people and 1 community"), moved.stderr
    again = cli("import-json", str(tmp_path / "export.json"), "--db", new)
    assert again.returncode == 2 and "fills an empty database" in again.stderr
    first = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    second = json.loads(cli("export", "--format", "json", "--db", new).stdout)
    assert without_time(second) == without_time(first)
    missing = cli("import-json", str(tmp_path / "nothing.json"), "--db", str(tmp_path / "third.sqlite3"))
    assert missing.returncode == 2 and "there is no file" in missing.stderr
