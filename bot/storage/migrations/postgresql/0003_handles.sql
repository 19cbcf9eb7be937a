-- The handle people are known by on a platform (a Telegram username, a Discord username), so a command
-- can name someone the way the platform does: /profile @alice.
ALTER TABLE accounts ADD COLUMN handle TEXT;
CREATE INDEX accounts_handle ON accounts(platform, handle COLLATE nocase);
