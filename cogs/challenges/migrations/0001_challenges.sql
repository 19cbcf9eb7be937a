-- Weekly challenges: themes, challenges, entries, votes, results and the weekly schedule.
CREATE TABLE challenge_themes (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    norm TEXT NOT NULL,                      -- lower-cased, spaces collapsed: "used before" compares this
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'suggested', -- suggested | approved | rejected | used
    position INTEGER,                         -- order in the approved queue
    created_at TEXT NOT NULL
);
CREATE INDEX challenge_themes_queue ON challenge_themes(community_id, status, position);

CREATE TABLE challenges (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    theme_norm TEXT NOT NULL,
    brief TEXT NOT NULL DEFAULT '',
    max_runtime INTEGER,                      -- seconds; NULL means no cap
    opens_at TEXT NOT NULL,
    submit_until TEXT NOT NULL,
    vote_until TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'scheduled',  -- scheduled | open | voting | closed | cancelled
    weekly INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX challenges_community ON challenges(community_id, state);

CREATE TABLE challenge_entries (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    UNIQUE (challenge_id, person_id)
);

-- The current state of one voter's vote on one entry from one source: a reaction on one posted card
-- ("react:<platform>:<chat>:<message>") or the Vote button ("button"). `at` is the latest event's time.
CREATE TABLE challenge_votes (
    entry_id INTEGER NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (entry_id, person_id, source)
) WITHOUT ROWID;

CREATE TABLE challenge_results (
    challenge_id INTEGER NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    place INTEGER NOT NULL,
    votes INTEGER NOT NULL,
    points INTEGER NOT NULL,
    streak INTEGER NOT NULL,
    PRIMARY KEY (challenge_id, entry_id)
);

CREATE TABLE challenge_weekly (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    hour INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    zone TEXT NOT NULL,
    submit_days INTEGER NOT NULL,
    vote_days INTEGER NOT NULL,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL          -- bumped on every change, so due rows of an old schedule do nothing
);
