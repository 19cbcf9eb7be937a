"""Gateway half of the Discord fake: one websocket session per bot, with sequence numbers and resume.

Frames go out as JSON *text*: discord.py asks for ``compress=zlib-stream`` but only inflates binary
frames, so plain text is understood. Dispatches the session's intents do not cover are never sent
(and take no sequence number), like on the real gateway; :meth:`Gateway.dispatch_raw` skips that filter
for deliberately odd frames.

Connection trouble on demand: :meth:`Gateway.drop` cuts the socket (the library reconnects and RESUMEs),
:meth:`Gateway.refuse_next_resume` answers the next RESUME with op 9 (the session is gone, as when Discord
has forgotten it), so the library IDENTIFYs afresh and what was dispatched in between is never replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.testing.fakes.discord_model import JSON, DiscordModel


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | PRESENCES | MESSAGE_CONTENT


class Op:
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


def required_intent(event: str, data: JSON) -> int:
    """The intent a dispatch needs before Discord sends it (0: always sent)."""
    in_guild = bool(data.get("guild_id"))
    if event.startswith("MESSAGE_REACTION_"):
        return Intent.GUILD_MESSAGE_REACTIONS if in_guild else Intent.DIRECT_MESSAGE_REACTIONS
    if event.startswith("MESSAGE_"):
        return Intent.GUILD_MESSAGES if in_guild else Intent.DIRECT_MESSAGES
    if event in ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"):
        return Intent.GUILD_MEMBERS
    if event == "PRESENCE_UPDATE":
        return Intent.PRESENCES
    if event.startswith(("GUILD_", "CHANNEL_", "THREAD_")):
        return Intent.GUILDS
    return 0


def blank_content(data: JSON, bot_id: str) -> JSON:
    """What a bot without MESSAGE_CONTENT sees: guild messages lose content, embeds, files, components.

    Discord keeps them for DMs, for messages that mention the bot and for the bot's own messages.
    """
    if not data.get("guild_id") or data.get("author", {}).get("id") == bot_id:
        return data
    if any(m.get("id") == bot_id for m in data.get("mentions", [])):
        return data
    blanked = dict(data)
    for key, empty in (("content", ""), ("embeds", []), ("attachments", []), ("components", [])):
        if key in blanked:
            blanked[key] = empty
    blanked.pop("poll", None)
    return blanked


def frame(op: int, d: Any = None, *, t: str | None = None, s: int | None = None) -> JSON:
    return {"op": op, "d": d, "s": s, "t": t}


@dataclass
class GatewayConnection:
    ws: web.WebSocketResponse
    path: str
    query: dict[str, str]
    session: GatewaySession | None = None
    transport: asyncio.Transport | None = None  # to cut the TCP connection without a close frame
    sent: list[JSON] = field(default_factory=list)  # every frame that went out on this socket, in order
    sent_at: list[float] = field(default_factory=list)  # time.monotonic() when each of them went out

    async def send(self, payload: JSON) -> bool:
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError):  # peer went away mid-send; resume replays it
            return False
        self.sent.append(payload)
        self.sent_at.append(time.monotonic())
        return True


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    identify: JSON
    shard: list[int] | None = None
    seq: int = 0
    # Sent dispatches kept for RESUME; real Discord keeps a bounded window too.
    backlog: deque[JSON] = field(default_factory=lambda: deque(maxlen=5000))
    conn: GatewayConnection | None = None
    presence: JSON | None = None
    ready: bool = False  # READY and every GUILD_CREATE have been sent


class Gateway:
    """Serves ``/gateway``; the dispatch side is driven by FakeDiscord's event helpers."""

    def __init__(self, model: DiscordModel, *, token: str, granted_intents: int, heartbeat_interval_ms: int,
                 resume_url: Callable[[], str]) -> None:
        self.model = model
        self.token = token
        self.granted_intents = granted_intents
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.resume_url = resume_url
        self.session: GatewaySession | None = None  # the newest session
        # Every live session by shard id (0 for an unsharded one): a sharded bot has one per shard, maybe
        # from several processes, and each dispatch goes to the shard of its guild, as on Discord.
        self.sessions: dict[int, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []  # every connection ever opened, for tests
        self.received: list[JSON] = []  # every frame the client sent
        self.identify_count = 0
        self.resume_count = 0
        self.close_codes: list[int] = []  # codes the fake closed connections with (1006: cut, no close frame)
        self.resumes_to_refuse = 0
        self._lock = asyncio.Lock()  # keeps sequence numbers in wire order
        self._changed = asyncio.Condition()

    @property
    def intents(self) -> int | None:
        """Intents of the current session (None before the first IDENTIFY)."""
        return self.session.intents if self.session else None

    # connection lifecycle --------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        # A short close timeout so stopping the fake never waits on a client that stopped reading.
        ws = web.WebSocketResponse(timeout=1.0, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws=ws, path=request.path, query=dict(request.query), transport=request.transport)
        self.connections.append(conn)
        await conn.send(frame(Op.HELLO, {"heartbeat_interval": self.heartbeat_interval_ms,
                                         "_trace": ['["fake-discord-gateway"]']}))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await self._close(conn, 4002, "Error while decoding payload.")
                    break
                await self._on_frame(conn, msg.data)
        finally:
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            await self._notify()
        return ws

    async def _close(self, conn: GatewayConnection, code: int, reason: str) -> None:
        self.close_codes.append(code)
        await conn.ws.close(code=code, message=reason.encode())

    async def close_all(self, code: int = 1001) -> None:
        """Close every open connection (stopping the fake); 1001 tells clients to come back later."""
        for conn in self.connections:
            if not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=code, message=b"fake stopping"), 2.0)

    async def _on_frame(self, conn: GatewayConnection, raw: str) -> None:
        try:
            payload = json.loads(raw)
            op = payload["op"]
        except (ValueError, KeyError, TypeError):
            await self._close(conn, 4002, "Error while decoding payload.")
            return
        self.received.append(payload)
        d = payload.get("d")
        if op == Op.HEARTBEAT:
            await conn.send(frame(Op.HEARTBEAT_ACK))
        elif op == Op.IDENTIFY:
            await self._identify(conn, d)
        elif op == Op.RESUME:
            await self._resume(conn, d)
        elif op in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE, Op.REQUEST_GUILD_MEMBERS):
            if conn.session is None:
                await self._close(conn, 4003, "Not authenticated.")
            elif op == Op.REQUEST_GUILD_MEMBERS:
                await self._request_members(conn.session, d)
            elif op == Op.PRESENCE_UPDATE:
                conn.session.presence = d
        else:
            await self._close(conn, 4001, "Unknown opcode.")

    # identify / resume -----------------------------------------------------------------------------

    async def _identify(self, conn: GatewayConnection, d: JSON) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated.")
            return
        if d.get("token") != self.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await self._close(conn, 4013, "Invalid intent(s).")
            return
        if intents & Intent.PRIVILEGED & ~self.granted_intents:
            await self._close(conn, 4014, "Disallowed intent(s).")
            return
        session = GatewaySession(session_id=secrets.token_hex(16), intents=intents, identify=d,
                                 shard=d.get("shard"), conn=conn)
        conn.session = session
        self.session = session  # a fresh IDENTIFY replaces any older session of this bot (of its shard)
        if not session.shard:
            self.sessions.clear()
        self.sessions[session.shard[0] if session.shard else 0] = session
        self.identify_count += 1
        async with self._lock:
            await self._emit(session, "READY", self._ready_payload(session))
            for guild in self._shard_guilds(session):
                if session.intents & Intent.GUILDS:
                    await self._emit(session, "GUILD_CREATE", self.model.guild_payload(guild))
        session.ready = True
        await self._notify()

    def _shard_guilds(self, session: GatewaySession) -> list[Any]:
        guilds = list(self.model.guilds.values())
        if not session.shard:
            return guilds
        shard_id, count = session.shard
        return [g for g in guilds if (int(g.id) >> 22) % count == shard_id]

    def _ready_payload(self, session: GatewaySession) -> JSON:
        user = {**self.model.bot_user, "verified": True, "mfa_enabled": False, "flags": 0, "email": None}
        payload: JSON = {
            "v": 10, "user": user, "user_settings": {}, "session_type": "normal",
            "session_id": session.session_id, "resume_gateway_url": self.resume_url(),
            "guilds": [{"id": g.id, "unavailable": True} for g in self._shard_guilds(session)],
            "application": {"id": self.model.application_id, "flags": 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "_trace": ['["fake-discord-gateway"]'],
        }
        if session.shard:
            payload["shard"] = session.shard
        return payload

    async def _resume(self, conn: GatewayConnection, d: JSON) -> None:
        if d.get("token") != self.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        if self.resumes_to_refuse:
            # Discord has forgotten the session: its backlog goes with it, nothing is replayed.
            self.resumes_to_refuse -= 1
            forgotten = self._by_id(d.get("session_id"))
            if forgotten is not None:
                self.sessions = {k: v for k, v in self.sessions.items() if v is not forgotten}
            self.session = None
            await conn.send(frame(Op.INVALID_SESSION, False))
            await self._notify()
            return
        session = self._by_id(d.get("session_id")) or self.session
        oldest = session.backlog[0]["s"] if session and session.backlog else 1
        seq = d.get("seq") or 0
        if session is None or d.get("session_id") != session.session_id or seq + 1 < oldest:
            # Not resumable: the library then re-IDENTIFYs (after its own 5 s before_identify wait).
            await conn.send(frame(Op.INVALID_SESSION, False))
            return
        self.resume_count += 1
        async with self._lock:
            if session.conn is not None and session.conn is not conn:
                session.conn.session = None  # the old socket no longer speaks for this session
            session.conn = conn
            conn.session = session
            for missed in [f for f in session.backlog if f["s"] > seq]:
                await conn.send(missed)
            await self._emit(session, "RESUMED", {"_trace": ['["fake-discord-gateway"]']})
        await self._notify()

    async def _request_members(self, session: GatewaySession, d: JSON) -> None:
        guild_ids = d.get("guild_id")
        for guild_id in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = self.model.guilds.get(str(guild_id))
            if guild is not None:
                await self._send_chunks(session, guild, d)

    async def _send_chunks(self, session: GatewaySession, guild: Any, d: JSON) -> None:
        query = str(d.get("query") or "").lower()
        wanted = [str(u) for u in d.get("user_ids") or []]
        ids = [uid for uid in guild.members
               if (uid in wanted if wanted else self.model.users[uid]["username"].lower().startswith(query))]
        limit = int(d.get("limit") or 0)
        if limit and not wanted:
            ids = ids[:limit]
        chunks = [ids[i:i + 1000] for i in range(0, len(ids), 1000)] or [[]]
        async with self._lock:
            for index, chunk in enumerate(chunks):
                payload: JSON = {"guild_id": guild.id, "chunk_index": index, "chunk_count": len(chunks),
                                 "members": [self.model.member_payload(guild, uid) for uid in chunk]}
                if wanted:
                    payload["not_found"] = [uid for uid in wanted if uid not in guild.members]
                if d.get("nonce") is not None:
                    payload["nonce"] = d["nonce"]
                if d.get("presences"):
                    payload["presences"] = []
                await self._emit(session, "GUILD_MEMBERS_CHUNK", payload)

    # dispatching -----------------------------------------------------------------------------------

    async def _emit(self, session: GatewaySession, event: str, data: Any) -> JSON:
        """Give a dispatch the next sequence number, keep it for resume and send it if connected.

        Callers hold ``self._lock`` so numbers go out in order. Returns the frame.
        """
        session.seq += 1
        payload = frame(Op.DISPATCH, data, t=event, s=session.seq)
        session.backlog.append(payload)
        if session.conn is not None:
            await session.conn.send(payload)
        return payload

    def _as_seen(self, session: GatewaySession, event: str, data: JSON) -> JSON | None:
        """The ``d`` this session gets for an event: None when its intents filter the event out."""
        needed = required_intent(event, data)
        if needed and not session.intents & needed:
            return None
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & Intent.MESSAGE_CONTENT:
            return blank_content(data, self.model.bot_id)
        return data

    async def dispatch(self, event: str, data: JSON) -> bool:
        """Send a dispatch to the bot's session; False if there is none or its intents filter it out."""
        return (await self.dispatch_many([(event, data)]))[0]

    async def dispatch_many(self, events: Sequence[tuple[str, JSON]]) -> list[bool]:
        """Several dispatches back to back, with no other frame between them (the real gateway does not
        wait for the bot either); one flag per event, False where filtered out or without a session.
        Each goes to the session of its guild's shard (direct messages: shard 0)."""
        targets = [self._session_for(data) for _, data in events]
        seen = [None if session is None else self._as_seen(session, event, data)
                for session, (event, data) in zip(targets, events, strict=True)]
        async with self._lock:
            for session, (event, _), data in zip(targets, events, seen, strict=True):
                if session is not None and data is not None:
                    await self._emit(session, event, data)
        return [data is not None for data in seen]

    def _session_for(self, data: JSON) -> GatewaySession | None:
        sharded = [session for session in self.sessions.values() if session.shard]
        if not sharded:
            return self.session
        count = sharded[0].shard[1] if sharded[0].shard else 1
        guild_id = data.get("guild_id") if isinstance(data, dict) else None
        shard = (int(guild_id) >> 22) % count if guild_id else 0
        return self.sessions.get(shard)

    def _by_id(self, session_id: object) -> GatewaySession | None:
        return next((s for s in self.sessions.values() if s.session_id == session_id), None)

    async def dispatch_raw(self, event: str, data: Any) -> JSON:
        """Send ``data`` as the ``d`` of an ``event`` dispatch exactly as given: no intent filter, no
        blanking, no checks (for malformed payloads). Returns the frame; needs a session."""
        session = self.session
        if session is None:
            raise RuntimeError("no gateway session to dispatch to")
        async with self._lock:
            return await self._emit(session, event, data)

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT; dispatches until the client RESUMEs are kept and replayed then."""
        session = self.session
        if session is None or session.conn is None:
            raise RuntimeError("no connected gateway session to reconnect")
        async with self._lock:
            conn, session.conn = session.conn, None
            await conn.send(frame(Op.RECONNECT))

    def refuse_next_resume(self) -> None:
        """The next RESUME gets op 9 INVALID_SESSION (d=false) and the session is forgotten."""
        self.resumes_to_refuse += 1

    async def drop(self, code: int | None = None) -> None:
        """Cut the session's socket: ``code=None`` aborts the TCP connection (the client sees 1006),
        a code sends a close frame with it (4000 "unknown error" is one the library resumes after).

        Dispatches made until the client RESUMEs are kept and replayed then, as after op 7.
        """
        session = self.session
        if session is None or session.conn is None:
            raise RuntimeError("no connected gateway session to drop")
        async with self._lock:
            conn, session.conn = session.conn, None
        conn.session = None
        if code is None:
            self.close_codes.append(1006)
            if conn.transport is not None:
                conn.transport.abort()
            return
        self.close_codes.append(code)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(code=code, message=b"fake drop"), 2.0)

    # waiting ---------------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> None:
        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(_wait(), timeout)
