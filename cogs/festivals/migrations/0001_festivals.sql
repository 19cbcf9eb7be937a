-- Festivals, their deadline tiers, members' reminder subscriptions and submissions.
CREATE TABLE festivals (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    zone TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',      -- ",documentary,fiction," so LIKE '%,x,%' matches one
    max_runtime_seconds INTEGER,
    premiere TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT 'USD',
    notification_date TEXT,                   -- local date YYYY-MM-DD in the festival's zone
    event_start TEXT,                         -- local dates
    event_end TEXT,
    revision INTEGER NOT NULL DEFAULT 0,      -- bumped on every deadline change; part of job keys
    created_at TEXT NOT NULL,
    UNIQUE (community_id, name COLLATE NOCASE)
);

-- One row per tier. `local` is the wall time as set in the festival's zone; `due_at` the UTC instant.
CREATE TABLE festival_deadlines (
    festival_id INTEGER NOT NULL REFERENCES festivals(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    tier TEXT NOT NULL,
    rank INTEGER NOT NULL,
    local TEXT NOT NULL,
    due_at TEXT NOT NULL,
    fee_cents INTEGER,
    PRIMARY KEY (festival_id, tier)
);
CREATE INDEX festival_deadlines_due ON festival_deadlines(community_id, due_at);

CREATE TABLE festival_subscriptions (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    category TEXT,
    max_fee_cents INTEGER,
    created_at TEXT NOT NULL,
    PRIMARY KEY (community_id, person_id)
);

CREATE TABLE festival_submissions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    festival_id INTEGER NOT NULL REFERENCES festivals(id) ON DELETE CASCADE,
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    fee_cents INTEGER,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX festival_submissions_person ON festival_submissions(community_id, person_id, id);
CREATE INDEX festival_submissions_festival ON festival_submissions(festival_id);
