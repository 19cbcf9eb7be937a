-- The peer feedback exchange: requests in a queue, critiques, credits, skips, reports, bars.

-- One balance per person and community. The CHECK is the last guard: a spend that would go below zero fails.
CREATE TABLE feedback_wallets (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    PRIMARY KEY (community_id, person_id)
);

-- Every movement of credits, for /feedback credits and the export.
CREATE TABLE feedback_ledger (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL,            -- request | critique | thanks | removed
    ref_id INTEGER,                  -- the request or critique it is about
    created_at TEXT NOT NULL
);
CREATE INDEX feedback_ledger_person ON feedback_ledger(community_id, person_id, id DESC);

CREATE TABLE feedback_requests (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    wanted INTEGER NOT NULL CHECK (wanted >= 1),
    cost INTEGER NOT NULL CHECK (cost >= 0),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at TEXT NOT NULL,
    closed_at TEXT
);
-- A film is in the queue at most once at a time.
CREATE UNIQUE INDEX feedback_requests_open ON feedback_requests(film_id) WHERE status = 'open';
CREATE INDEX feedback_requests_queue ON feedback_requests(community_id, status, created_at);
CREATE INDEX feedback_requests_person ON feedback_requests(community_id, person_id);

CREATE TABLE feedback_critiques (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    request_id INTEGER REFERENCES feedback_requests(id) ON DELETE SET NULL,
    reviewer_id INTEGER NOT NULL REFERENCES people(id),
    story INTEGER NOT NULL CHECK (story BETWEEN 1 AND 5),
    image INTEGER NOT NULL CHECK (image BETWEEN 1 AND 5),
    sound INTEGER NOT NULL CHECK (sound BETWEEN 1 AND 5),
    edit INTEGER NOT NULL CHECK (edit BETWEEN 1 AND 5),
    notes TEXT NOT NULL,
    notes_hash TEXT NOT NULL,
    timecodes TEXT NOT NULL DEFAULT '',   -- seconds, comma separated
    word_count INTEGER NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0,
    earned INTEGER NOT NULL DEFAULT 0,    -- credits the critique earned (taken back on removal)
    thanked_at TEXT,
    bonus INTEGER NOT NULL DEFAULT 0,     -- credits the helpful mark earned
    removed_at TEXT,
    removed_by INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL,
    UNIQUE (film_id, reviewer_id)         -- one critique per reviewer and film, ever
);
CREATE INDEX feedback_critiques_request ON feedback_critiques(request_id);
CREATE INDEX feedback_critiques_copies ON feedback_critiques(community_id, reviewer_id, notes_hash);

CREATE TABLE feedback_skips (
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (film_id, reviewer_id)
);

CREATE TABLE feedback_reports (
    id INTEGER PRIMARY KEY,
    critique_id INTEGER NOT NULL REFERENCES feedback_critiques(id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    UNIQUE (critique_id, reporter_id)
);

CREATE TABLE feedback_bars (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    barred_by INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (community_id, person_id)
);

-- Admins seen using /feedback in a community: reports are sent to them privately.
CREATE TABLE feedback_moderators (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (community_id, person_id)
);
