-- Which process is sending an outbox row (with `sending_at`): several processes may share the database,
-- and a row is another one's only while that process still runs.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
