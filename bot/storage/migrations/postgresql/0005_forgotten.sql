-- People who asked to be forgotten: their accounts, names and zone are gone; the row stays only when
-- something kept for others (a closed challenge's results) still points at it, named as a former member.
ALTER TABLE people ADD COLUMN forgotten_at TEXT;
