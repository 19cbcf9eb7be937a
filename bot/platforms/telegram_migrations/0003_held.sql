-- Private answers for someone who has not opened a chat with the bot yet, kept until they follow the
-- deep link (t.me/<bot>?start=<payload>) and arrive with /start <payload>.
CREATE TABLE telegram_held (
    id INTEGER PRIMARY KEY,  -- the order they were held in
    payload TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    message TEXT NOT NULL,
    zone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX telegram_held_user ON telegram_held(user_id, created_at);
