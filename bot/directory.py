"""People, their accounts, and communities: who is speaking, and which community a chat belongs to."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.community_settings import CommunitySettings, channel_key
from bot.config import Config
from bot.models import ANNOUNCEMENT_KINDS, Account, Community, Person, UserRef
from bot.storage import Database, Row, Tx, batches, keyed, with_retries
from bot.timeutil import from_db, to_db

# How fresh "last seen" must be; it picks the platform for private messages, so minutes are plenty.
SEEN_GRANULARITY = timedelta(minutes=10)


class Directory:
    def __init__(self, db: Database, config: Config, clock: Clock, settings: CommunitySettings) -> None:
        self.db = db
        self.settings = settings  # what admins chose with /setup: it wins over the config
        self.config = config
        self.clock = clock
        # Every command asks who and where; these answers rarely change, so they are kept in memory and
        # dropped whenever people are merged, split or change their zone.
        self._spaces: dict[tuple[str, str], Community] = {}
        self._communities: dict[int, Community] = {}
        self._seen: dict[Account, tuple[Person, int | None, datetime]] = {}
        # People asked for without a community (reactions, private chats) and not in memory: looked up
        # together, one read for all and one transaction for the new and the renamed.
        self._wanted: dict[Account, tuple[str | None, asyncio.Future[Person]]] = {}
        self._resolving: dict[Account, tuple[str | None, asyncio.Future[Person]]] = {}  # batches under way

    def forget_people(self) -> None:
        self._seen.clear()

    async def sync_config(self) -> None:
        """Make the communities of the config exist, with their chats and spaces, on every start."""
        async with self.db.transaction() as tx:
            for settings in self.config.communities:
                community_id = await self._upsert_community(tx, settings.key, settings.name or settings.key,
                                                             settings.zone, settings.language)
                for chat in settings.chats:
                    space = chat.space or chat.id
                    await tx.execute(
                        "INSERT INTO community_spaces (platform, space, community_id) VALUES (?, ?, ?) "
                        "ON CONFLICT (platform, space) DO UPDATE SET community_id = excluded.community_id",
                        (chat.platform, space, community_id))
                    await tx.execute(
                        "INSERT INTO community_chats (community_id, platform, chat_id, kinds) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (community_id, platform, chat_id) DO UPDATE SET kinds = excluded.kinds",
                        (community_id, chat.platform, chat.id, ",".join(chat.announce)))

    async def _upsert_community(self, tx: Tx, key: str, name: str, zone: str, language: str) -> int:
        tx.after_commit(self._communities.clear)
        await tx.execute(
            "INSERT INTO communities (key, name, zone, language, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, zone = excluded.zone, "
            "language = excluded.language", (key, name, zone, language, to_db(self.clock.now())))
        row = await tx.fetchone("SELECT id FROM communities WHERE key = ?", (key,))
        assert row is not None
        return int(row[0])

    async def community_for_space(self, platform: str, space: str, title: str = "", *,
                                  announce: bool = True) -> Community:
        """The community a Discord guild / Telegram group / console belongs to; a new one if unseen."""
        found = self._spaces.get((platform, space)) or await self._community_by_space(platform, space)
        if found is not None:
            self._spaces[(platform, space)] = found
            return await self._as_set_up(found)
        async with self.db.transaction() as tx:
            key = f"{platform}:{space}"
            bot = self.config.bot
            community_id = await self._upsert_community(tx, key, title or key, bot.zone, bot.language)
            await tx.execute("INSERT OR IGNORE INTO community_spaces (platform, space, community_id) "
                             "VALUES (?, ?, ?)", (platform, space, community_id))
            # With no community in config, the group itself gets every announcement.
            if announce:
                await tx.execute("INSERT OR IGNORE INTO community_chats (community_id, platform, chat_id, kinds) "
                                 "VALUES (?, ?, ?, ?)", (community_id, platform, space, ",".join(ANNOUNCEMENT_KINDS)))
        found = await self._community_by_space(platform, space)
        assert found is not None
        return await self._as_set_up(found)

    async def _community_by_space(self, platform: str, space: str) -> Community | None:
        row = await self.db.fetchone(
            "SELECT c.* FROM communities c JOIN community_spaces s ON s.community_id = c.id "
            "WHERE s.platform = ? AND s.space = ?", (platform, space))
        return _community(row) if row else None

    async def community(self, community_id: int) -> Community:
        found = self._communities.get(community_id)
        if found is None:
            row = await self.db.fetchone("SELECT * FROM communities WHERE id = ?", (community_id,))
            if row is None:
                raise LookupError(f"no community {community_id}")
            found = self._communities[community_id] = _community(row)
        return await self._as_set_up(found)

    async def communities(self) -> list[Community]:
        return [await self._as_set_up(_community(row))
                for row in await self.db.fetchall("SELECT * FROM communities ORDER BY id")]

    async def configured(self, community_id: int) -> Community:
        """The community as the config has it, before /setup's choices (its defaults)."""
        await self.community(community_id)
        return self._communities[community_id]

    async def _as_set_up(self, community: Community) -> Community:
        chosen = await self.settings.of(community.id)
        if "zone" not in chosen and "language" not in chosen:
            return community
        return replace(community, zone=chosen.get("zone", community.zone),
                       language=chosen.get("language", community.language))

    async def announcement_chats(self, community_id: int, kind: str) -> list[tuple[str, str]]:
        """Where `kind` goes: on each platform, the chat chosen with /setup, else the config's chats."""
        configured = await self.configured_chats(community_id, kind)
        chosen = await self.settings.of(community_id)
        platforms = dict.fromkeys([platform for platform, _ in configured]
                                  + [key.split(":")[1] for key in chosen if key.startswith("channel:")])
        found: list[tuple[str, str]] = []
        for platform in platforms:
            picked = chosen.get(channel_key(platform, kind))
            found += [(platform, picked)] if picked else [chat for chat in configured if chat[0] == platform]
        return found

    async def configured_chats(self, community_id: int, kind: str) -> list[tuple[str, str]]:
        """The config's chats for `kind` (the defaults /setup can override)."""
        rows = await self.db.fetchall(
            "SELECT platform, chat_id, kinds FROM community_chats WHERE community_id = ? ORDER BY id",
            (community_id,))
        return [(row["platform"], row["chat_id"]) for row in rows if kind in row["kinds"].split(",")]

    async def person_for(self, account: Account, display_name: str | None, community_id: int | None = None, *,
                         tx: Tx | None = None, handle: str | None = None) -> Person:
        """The Person behind an account, created on first sight; remembers the name and latest community.

        Most calls come from someone already known with nothing changed: that path reads nothing. A None
        name keeps the stored one (a reaction removal says no name). With `tx` the work joins that open
        transaction (a due job mapping recounted reactions to people).
        """
        now = self.clock.now()
        if tx is not None:
            person_id = await self._touch(tx, account, display_name, community_id, to_db(now))
            row = await tx.fetchone("SELECT id, display_name, zone FROM people WHERE id = ?", (person_id,))
            assert row is not None
            return Person(row["id"], row["display_name"], row["zone"])
        cached = self._seen.get(account)
        if cached is not None and display_name in (None, cached[0].display_name) and (
                community_id is None or cached[1] == community_id) and cached[2] > now - SEEN_GRANULARITY:
            return cached[0]
        if community_id is None:
            return await self._wait_for_batch(account, display_name)
        known = (await self._known_accounts([account])).get(account)
        if _fresh(known, display_name, now) and known is not None and known[3] == community_id:
            person = Person(known[0], known[1], known[4])
            self._seen[account] = (person, community_id, known[2])
            return person
        async with self.db.transaction() as tx:
            person_id = await self._touch(tx, account, display_name, community_id, to_db(now), handle)
        found = await self.person(person_id)
        assert found is not None
        self._seen[account] = (found, community_id, now)
        return found

    async def _wait_for_batch(self, account: Account, display_name: str | None) -> Person:
        waiting = self._wanted.get(account) or self._resolving.get(account)
        if waiting is not None:  # asked for already (a storm of one person's events): one lookup serves all
            return await asyncio.shield(waiting[1])
        future: asyncio.Future[Person] = asyncio.get_running_loop().create_future()
        first = not self._wanted
        self._wanted[account] = (display_name, future)
        if first:
            asyncio.get_running_loop().call_soon(self._start_batch)
        return await asyncio.shield(future)

    def _start_batch(self) -> None:
        wanted, self._wanted = self._wanted, {}
        self._resolving.update(wanted)
        task = asyncio.get_running_loop().create_task(self._resolve_batch(wanted))
        task.add_done_callback(lambda done: self._batch_done(done, wanted))

    def _batch_done(self, task: asyncio.Task[None], wanted: dict[Account, Any]) -> None:
        for account, entry in wanted.items():
            if self._resolving.get(account) is entry:
                del self._resolving[account]
        _retrieve(task)

    async def _resolve_batch(self, wanted: dict[Account, tuple[str | None, asyncio.Future[Person]]]) -> None:
        try:
            known = await self._known_accounts(list(wanted))
            now = self.clock.now()
            stale = [account for account, (name, _) in wanted.items() if not _fresh(known.get(account), name, now)]
            if stale:
                async def touch_all() -> None:
                    async with self.db.transaction() as tx:
                        for account in stale:
                            await self._touch(tx, account, wanted[account][0], None, to_db(now))

                await with_retries(touch_all, f"recording {len(stale)} people")
                known.update(await self._known_accounts(stale))
            for account, (_, future) in wanted.items():
                person_id, name, _, latest, zone = known[account]
                person = Person(person_id, name, zone)
                self._seen[account] = (person, latest, now if account in stale else known[account][2])
                if not future.done():
                    future.set_result(person)
        except Exception as exc:
            for _, future in wanted.values():
                if not future.done():
                    future.set_exception(exc)

    async def _known_accounts(self, accounts: list[Account]
                              ) -> dict[Account, tuple[int, str, datetime, int | None, str | None]]:
        found: dict[Account, tuple[int, str, datetime, int | None, str | None]] = {}
        for chunk in batches(accounts):
            wanted, params = keyed(("platform", "user_id"), [(a.platform, a.user_id) for a in chunk])
            rows = await self.db.fetchall(
                wanted + "SELECT a.platform, a.user_id, a.person_id, p.display_name, a.last_seen_at, "
                "p.last_community_id, p.zone FROM wanted JOIN accounts a ON a.platform = wanted.platform "
                "AND a.user_id = wanted.user_id JOIN people p ON p.id = a.person_id", params)
            for row in rows:
                found[Account(row[0], row[1])] = (int(row[2]), row[3], from_db(row[4]), row[5], row[6])
        return found

    async def _touch(self, tx: Tx, account: Account, display_name: str | None, community_id: int | None,
                     now: str, handle: str | None = None) -> int:
        row = await tx.fetchone("SELECT person_id FROM accounts WHERE platform = ? AND user_id = ?",
                                (account.platform, account.user_id))
        if row is None:
            name = display_name or account.user_id  # first seen without a name: the id until they speak
            cursor = await tx.execute("INSERT INTO people (display_name, last_community_id, created_at) "
                                      "VALUES (?, ?, ?)", (name, community_id, now))
            person_id = int(cursor.lastrowid or 0)
            await tx.execute("INSERT INTO accounts (platform, user_id, person_id, display_name, last_seen_at, handle) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (account.platform, account.user_id, person_id, name, now, handle))
            return person_id
        person_id = int(row[0])
        await tx.execute("UPDATE accounts SET display_name = COALESCE(?, display_name), last_seen_at = ?, "
                         "handle = COALESCE(?, handle) WHERE platform = ? AND user_id = ?",
                         (display_name, now, handle, account.platform, account.user_id))
        await tx.execute("UPDATE people SET display_name = COALESCE(?, display_name), "
                         "last_community_id = COALESCE(?, last_community_id) WHERE id = ?",
                         (display_name, community_id, person_id))
        return person_id

    async def people_ids(self, tx: Tx, accounts: list[Account]) -> dict[Account, int]:
        """Person ids for many accounts inside `tx` (a recount's reacting users): one read for the known,
        and the unknown created (named by their id until they speak)."""
        found: dict[Account, int] = {}
        for chunk in batches(accounts):
            wanted, params = keyed(("platform", "user_id"), [(a.platform, a.user_id) for a in chunk])
            rows = await tx.fetchall(
                wanted + "SELECT a.platform, a.user_id, a.person_id FROM wanted JOIN accounts a "
                "ON a.platform = wanted.platform AND a.user_id = wanted.user_id", params)
            found.update({Account(row[0], row[1]): int(row[2]) for row in rows})
        now = to_db(self.clock.now())
        for account in accounts:
            if account not in found:
                found[account] = await self._touch(tx, account, None, None, now)
        return found

    async def everyone(self) -> list[tuple[Person, bool]]:
        """Every person, by id, and whether they were forgotten (the export)."""
        rows = await self.db.fetchall("SELECT id, display_name, zone, forgotten_at FROM people ORDER BY id")
        return [(Person(row["id"], row["display_name"], row["zone"]), row["forgotten_at"] is not None)
                for row in rows]

    async def forget(self, tx: Tx, person_id: int, placeholder: str) -> None:
        """Remove a person's accounts, names and zone (the cogs removed their rows first). The row goes
        too, unless something kept for others still points at it: then it stays, named `placeholder`."""
        self.forget_people()
        tx.after_commit(self.forget_people)
        await tx.execute("DELETE FROM accounts WHERE person_id = ?", (person_id,))
        await tx.execute("UPDATE people SET display_name = ?, zone = NULL, last_community_id = NULL, "
                         "forgotten_at = ? WHERE id = ?", (placeholder, to_db(self.clock.now()), person_id))
        # Still referenced: the anonymous row stays (only this statement is undone).
        await tx.try_execute("DELETE FROM people WHERE id = ?", (person_id,))

    async def is_forgotten(self, person_id: int) -> bool:
        row = await self.db.fetchone("SELECT forgotten_at FROM people WHERE id = ?", (person_id,))
        return row is None or row[0] is not None

    async def import_people(self, tx: Tx, people: list[dict[str, Any]], now: datetime) -> None:
        """People of an export, with their ids, names, zones and accounts (import-json, into an empty
        database)."""
        for person in people:
            forgotten = to_db(now) if person.get("forgotten") else None
            await tx.execute("INSERT INTO people (id, display_name, zone, created_at, forgotten_at) "
                             "VALUES (?, ?, ?, ?, ?)", (person["id"], person["display_name"], person.get("zone"),
                                                        to_db(now), forgotten))
            for index, account in enumerate(person.get("accounts", [])):
                # The export lists accounts most recently seen first: the times keep that order.
                await tx.execute("INSERT INTO accounts (platform, user_id, person_id, display_name, last_seen_at) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 (account["platform"], account["user_id"], person["id"], person["display_name"],
                                  to_db(now - timedelta(microseconds=index))))

    async def import_community(self, tx: Tx, community_id: int, key: str, name: str, zone: str,
                               language: str) -> int:
        """The community of an import: the config's when it lists that key, else a new one with the
        exported id when that is free."""
        found = await tx.fetchone("SELECT id FROM communities WHERE key = ?", (key,))
        if found is None and await tx.fetchone("SELECT 1 FROM communities WHERE id = ?", (community_id,)) is None:
            await tx.execute("INSERT INTO communities (id, key, name, zone, language, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (community_id, key, name, zone, language,
                                                           to_db(self.clock.now())))
        return await self._upsert_community(tx, key, name, zone, language)

    async def is_empty(self) -> bool:
        """No person has ever been seen: the only kind of database an import may fill."""
        return await self.db.fetchval("SELECT 1 FROM people LIMIT 1") is None

    async def person(self, person_id: int) -> Person | None:
        row = await self.db.fetchone("SELECT id, display_name, zone FROM people WHERE id = ?", (person_id,))
        return Person(row["id"], row["display_name"], row["zone"]) if row else None

    async def find_person(self, platform: str, ref: UserRef) -> Person | None:
        """The person named: by account id first, then by handle or name on this platform, then by name."""
        row = None
        if ref.user_id is not None:
            row = await self.db.fetchone("SELECT person_id FROM accounts WHERE platform = ? AND user_id = ?",
                                         (platform, ref.user_id))
        if row is None and ref.name:
            row = await self.db.fetchone(
                "SELECT person_id FROM accounts WHERE platform = ? AND (handle = ? COLLATE NOCASE "
                "OR display_name = ? COLLATE NOCASE) ORDER BY last_seen_at DESC LIMIT 1",
                (platform, ref.name, ref.name))
            if row is None:
                row = await self.db.fetchone("SELECT id FROM people WHERE display_name = ? COLLATE NOCASE "
                                             "AND forgotten_at IS NULL ORDER BY id LIMIT 1", (ref.name,))
        return await self.person(int(row[0])) if row else None

    async def latest_community_of(self, person_id: int) -> int | None:
        return await self.db.fetchval("SELECT last_community_id FROM people WHERE id = ?", (person_id,))

    async def accounts_of(self, person_id: int) -> list[Account]:
        rows = await self.db.fetchall("SELECT platform, user_id FROM accounts WHERE person_id = ? "
                                      "ORDER BY last_seen_at DESC", (person_id,))
        return [Account(row[0], row[1]) for row in rows]

    async def merge_into(self, tx: Tx, source_id: int, target_id: int) -> None:
        """Give the source person's accounts to the target and remove the source (cogs moved their rows)."""
        self.forget_people()
        await tx.execute("UPDATE accounts SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        await tx.execute("UPDATE people SET zone = COALESCE(zone, (SELECT zone FROM people WHERE id = ?)) "
                         "WHERE id = ?", (source_id, target_id))
        await tx.execute("DELETE FROM people WHERE id = ?", (source_id,))

    async def split_off(self, tx: Tx, account: Account, display_name: str) -> int:
        """Move one account to a new person of its own (unlinking); returns the new person's id."""
        self.forget_people()
        cursor = await tx.execute("INSERT INTO people (display_name, created_at) VALUES (?, ?)",
                                  (display_name, to_db(self.clock.now())))
        person_id = int(cursor.lastrowid or 0)
        await tx.execute("UPDATE accounts SET person_id = ? WHERE platform = ? AND user_id = ?",
                         (person_id, account.platform, account.user_id))
        return person_id

    async def set_zone(self, person_id: int, zone: str | None) -> None:
        self.forget_people()
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE people SET zone = ? WHERE id = ?", (zone, person_id))


def _fresh(known: tuple[int, str, datetime, int | None, str | None] | None, name: str | None,
           now: datetime) -> bool:
    """A stored account needs no write: its name is unchanged and it was seen lately."""
    return known is not None and name in (None, known[1]) and known[2] > now - SEEN_GRANULARITY


def _retrieve(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()  # failures reach the waiting futures; this only keeps asyncio from warning


def _community(row: Row) -> Community:
    return Community(row["id"], row["key"], row["name"], row["zone"], row["language"])
