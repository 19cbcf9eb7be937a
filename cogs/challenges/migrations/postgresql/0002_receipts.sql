-- Private vote receipts, batched: what each voter was last told about each entry, and when the last
-- receipt went out, so a voter gets at most one receipt per challenge a minute summing up what changed.
CREATE TABLE challenge_receipts (
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    entry_id BIGINT NOT NULL REFERENCES challenge_entries(id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,    -- counted | withdrawn | own | outside: the vote as it stands for this voter
    told TEXT,                -- the outcome the voter was last told of (NULL: nothing yet)
    PRIMARY KEY (challenge_id, person_id, entry_id)
);

CREATE TABLE challenge_receipt_times (
    challenge_id BIGINT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (challenge_id, person_id)
);
