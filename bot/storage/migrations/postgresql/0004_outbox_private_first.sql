-- The outbox delivers private rows (receipts, answers to one person) before the chats' backlog and
-- leaves out chats at their pace limit: the due index leads with the private flag.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(platform, private, next_attempt_at, id) WHERE status = 'pending';
