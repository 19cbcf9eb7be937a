-- Every raw Telegram update, written before it is handled and marked done after (crash safety, dedupe).
CREATE TABLE telegram_inbox (
    update_id BIGINT PRIMARY KEY,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    done_at TEXT,
    last_error TEXT
);
CREATE INDEX telegram_inbox_pending ON telegram_inbox(update_id) WHERE done_at IS NULL;

-- Button custom ids longer than Telegram's 64-byte callback_data travel as a short token.
CREATE TABLE telegram_callback_data (
    token TEXT PRIMARY KEY,
    custom_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
