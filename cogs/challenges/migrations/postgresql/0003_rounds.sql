-- Festival-scale rounds: categories, a gallery instead of one card per entry, views for /watch, a jury,
-- and results per category beside the overall ones.
ALTER TABLE challenges ADD COLUMN categories TEXT NOT NULL DEFAULT '';  -- comma separated; '' for none
ALTER TABLE challenges ADD COLUMN gallery BIGINT NOT NULL DEFAULT 0;   -- entries shown by pages, no cards
ALTER TABLE challenge_entries ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE challenge_entries ADD COLUMN views BIGINT NOT NULL DEFAULT 0;  -- handed out by /watch
CREATE INDEX challenge_entries_watch ON challenge_entries(challenge_id, views, id);

CREATE TABLE challenge_views (
    entry_id BIGINT NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (person_id, entry_id)
);

CREATE TABLE challenge_jurors (
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    category TEXT NOT NULL DEFAULT '',     -- the category they judge; '' for every entry
    PRIMARY KEY (challenge_id, person_id)
);

-- A juror's private score of an entry (1-10, with an optional note), shown to nobody before the results.
CREATE TABLE challenge_scores (
    entry_id BIGINT NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    score BIGINT NOT NULL CHECK (score BETWEEN 1 AND 10),
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    PRIMARY KEY (entry_id, person_id)
);

ALTER TABLE challenge_results ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE challenge_results ADD COLUMN category_place BIGINT;
ALTER TABLE challenge_results ADD COLUMN category_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE challenge_results ADD COLUMN jury_score DOUBLE PRECISION;        -- the average of the jurors' scores
ALTER TABLE challenge_results ADD COLUMN jury_place BIGINT;     -- place by jury score within the category
