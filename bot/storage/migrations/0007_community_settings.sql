-- What a community's admins chose in chat with /setup; each key wins over the config's value for it.
-- Keys: "zone", "language", "channel:<platform>:<kind>" (the chat that takes that kind of announcement).
CREATE TABLE community_settings (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (community_id, key)
);
