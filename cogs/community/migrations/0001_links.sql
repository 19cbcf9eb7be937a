-- One-time codes that join two accounts into one person, and failed tries (to slow down guessing).
CREATE TABLE link_codes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX link_codes_person ON link_codes(person_id, created_at);

CREATE TABLE link_failures (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX link_failures_account ON link_failures(platform, user_id, at);
