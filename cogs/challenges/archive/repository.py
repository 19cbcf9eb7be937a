"""All SQL of challenges arriving from an export (import-json, into an empty database)."""

from __future__ import annotations

from typing import Any

from bot.storage import Tx
from cogs.challenges.logic import normalize_theme


class ChallengeArchive:
    async def import_community(self, tx: Tx, community_id: int, data: dict[str, Any]) -> None:
        """Challenges, entries with their results, jurors, scores and votes, with their ids."""
        await self._challenges(tx, community_id, data.get("challenges", []))
        entries = data.get("challenge_entries", [])
        await tx.executemany(
            "INSERT INTO challenge_entries (id, challenge_id, film_id, person_id, created_at, category) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(e["id"], e["challenge_id"], e["film_id"], e["person_id"], e["created_at"], e.get("category", ""))
             for e in entries])
        await tx.executemany(
            "INSERT INTO challenge_results (challenge_id, entry_id, person_id, place, votes, points, streak, "
            "category, category_place, category_points, jury_score, jury_place) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
            [(e["challenge_id"], e["id"], e["person_id"], e["place"], e["votes"], e["points"], e.get("category", ""),
              e.get("category_place"), e.get("category_points") or 0, e.get("jury_score"), e.get("jury_place"))
             for e in entries if e.get("place") is not None])
        await tx.executemany(
            "INSERT INTO challenge_jurors (challenge_id, person_id, category) VALUES (?, ?, ?)",
            [(j["challenge_id"], j["person_id"], j.get("category", "")) for j in data.get("challenge_jurors", [])])
        await tx.executemany(
            "INSERT INTO challenge_scores (entry_id, person_id, score, note, at) VALUES (?, ?, ?, ?, ?)",
            [(s["entry_id"], s["person_id"], s["score"], s.get("note", ""), s["at"])
             for s in data.get("challenge_scores", [])])
        # A vote's reaction source is exported as its kind alone, so each gets a source of its own here
        # (one voter may have reacted on several copies of a card).
        await tx.executemany(
            "INSERT INTO challenge_votes (entry_id, person_id, source, active, at) VALUES (?, ?, ?, ?, ?)",
            [(v["entry_id"], v["person_id"], v["source"] if v["source"] != "react" else f"react:imported:{index}",
              int(bool(v["active"])), v["at"]) for index, v in enumerate(data.get("challenge_votes", []))])

    async def _challenges(self, tx: Tx, community_id: int, challenges: list[dict[str, Any]]) -> None:
        await tx.executemany(
            "INSERT INTO challenges (id, community_id, theme, theme_norm, brief, max_runtime, opens_at, submit_until, "
            "vote_until, state, weekly, created_at, closed_at, categories, gallery, withdrawn) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(c["id"], community_id, c["theme"], normalize_theme(c["theme"]), c.get("brief", ""), c.get("max_runtime"),
              c["opens_at"], c["submit_until"], c["vote_until"], c["state"], int(bool(c.get("weekly"))), c["opens_at"],
              c["vote_until"] if c["state"] == "closed" else None, ",".join(c.get("categories", [])),
              int(bool(c.get("gallery"))), int(c.get("withdrawn") or 0)) for c in challenges])
