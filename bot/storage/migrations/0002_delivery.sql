-- Delivery that survives a crash at the instant of a send, and picks its next row by index.

-- `sending_at` marks a row whose send has begun: a row still marked at start-up crashed mid-send, so its
-- outcome is unknown. `watermark` is the platform's newest message id in the chat when that send began
-- (Telegram), which bounds where an unrecorded copy can be. `uncertain` counts sends whose outcome was
-- unknown; such a row is retried once, after a longer wait, on a platform that cannot deduplicate.
ALTER TABLE outbox ADD COLUMN sending_at TEXT;
ALTER TABLE outbox ADD COLUMN watermark TEXT;
ALTER TABLE outbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox(platform, next_attempt_at, id) WHERE status = 'pending';

-- Where an unrecorded copy of a tagged message may be: any message id strictly between `low` and `high`
-- in the chat (a send that timed out after the platform accepted it, then was sent again as `high`).
CREATE TABLE bot_message_ranges (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    low INTEGER NOT NULL,
    high INTEGER NOT NULL,
    tag TEXT NOT NULL,
    community_id INTEGER REFERENCES communities(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX bot_message_ranges_chat ON bot_message_ranges(platform, chat_id, high);

-- Times a platform's connection was lost and events may have been missed, and what was done about it.
CREATE TABLE platform_gaps (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    reason TEXT NOT NULL,
    recovered TEXT NOT NULL DEFAULT ''
);

-- Admin notices: chats that took every kind of announcement now take them too.
UPDATE community_chats SET kinds = kinds || ',admin' WHERE kinds = 'showcase,challenges,festivals,feedback';
