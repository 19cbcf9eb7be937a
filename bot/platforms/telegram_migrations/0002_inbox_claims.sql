-- Which process took an update in (several webhook workers may share the database): a worker starting up
-- replays only the unfinished updates of processes that are gone, never those another worker is handling.
ALTER TABLE telegram_inbox ADD COLUMN claimed_by TEXT;
