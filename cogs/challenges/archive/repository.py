"""All SQL of challenges arriving from an export (import-json, into an empty database)."""

from __future__ import annotations

from typing import Any

from bot.storage import Tx
from cogs.challenges.logic import normalize_theme


class ChallengeArchive:
    async def import_community(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        """Challenges, entries with their results, and votes, with their ids. A vote's reaction source is
        exported as its kind alone, so each gets a source of its own here (one voter may have reacted on
        several copies of a card)."""
        challenges = data.get("challenges", [])
        await tx.executemany(
            "INSERT INTO challenges (id, community_id, theme, theme_norm, brief, max_runtime, opens_at, submit_until, "
            "vote_until, state, weekly, created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(c["id"], community_id, c["theme"], normalize_theme(c["theme"]), c.get("brief", ""), c.get("max_runtime"),
              c["opens_at"], c["submit_until"], c["vote_until"], c["state"], int(bool(c.get("weekly"))), c["opens_at"],
              c["vote_until"] if c["state"] == "closed" else None) for c in challenges])
        entries = data.get("challenge_entries", [])
        await tx.executemany(
            "INSERT INTO challenge_entries (id, challenge_id, film_id, person_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [(e["id"], e["challenge_id"], e["film_id"], e["person_id"], e["created_at"]) for e in entries])
        await tx.executemany(
            "INSERT INTO challenge_results (challenge_id, entry_id, person_id, place, votes, points, streak) "
            "VALUES (?, ?, ?, ?, ?, ?, 0)",
            [(e["challenge_id"], e["id"], e["person_id"], e["place"], e["votes"], e["points"]) for e in entries
             if e.get("place") is not None])
        await tx.executemany(
            "INSERT INTO challenge_votes (entry_id, person_id, source, active, at) VALUES (?, ?, ?, ?, ?)",
            [(v["entry_id"], v["person_id"], v["source"] if v["source"] != "react" else f"react:imported:{index}",
              int(bool(v["active"])), v["at"]) for index, v in enumerate(data.get("challenge_votes", []))])
