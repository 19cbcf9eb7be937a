-- The core's own tables: communities, people and their accounts, due jobs, the outbox, sent messages.
CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    zone TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Which container (Discord guild, Telegram group, the console) belongs to which community.
CREATE TABLE community_spaces (
    platform TEXT NOT NULL,
    space TEXT NOT NULL,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    PRIMARY KEY (platform, space)
);

-- Chats that receive announcements, with the kinds each one gets (comma separated).
CREATE TABLE community_chats (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    kinds TEXT NOT NULL,
    UNIQUE (community_id, platform, chat_id)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    zone TEXT,
    last_community_id INTEGER REFERENCES communities(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE accounts (
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
CREATE INDEX accounts_person ON accounts(person_id);

-- Everything that must happen at a time. `key` makes scheduling idempotent.
CREATE TABLE due_jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT UNIQUE,
    due_at TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    community_id INTEGER REFERENCES communities(id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done_at TEXT,
    cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX due_jobs_pending ON due_jobs(due_at) WHERE done_at IS NULL;

-- Messages to send, written in the same transaction as the change they announce.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    community_id INTEGER REFERENCES communities(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    target TEXT NOT NULL,          -- chat id, or user id when private = 1
    private INTEGER NOT NULL DEFAULT 0,
    kind TEXT,
    zone TEXT NOT NULL,
    tag TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    message_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (key, platform, target, private)
);
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE status = 'pending';

-- Bot messages worth finding again (entry cards to count reactions on, buttons to resolve).
CREATE TABLE bot_messages (
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    community_id INTEGER REFERENCES communities(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (platform, chat_id, message_id)
);
CREATE INDEX bot_messages_tag ON bot_messages(tag);
