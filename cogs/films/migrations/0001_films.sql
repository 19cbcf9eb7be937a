CREATE TABLE films (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    runtime_seconds INTEGER,
    genre TEXT,
    tags TEXT NOT NULL DEFAULT '',
    logline TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, link)
);
CREATE INDEX films_newest ON films(community_id, id DESC);
CREATE INDEX films_genre ON films(community_id, genre, id DESC);
CREATE INDEX films_person ON films(person_id, id DESC);

-- Full-text search over title, logline and tags, kept in step by triggers.
CREATE VIRTUAL TABLE films_fts USING fts5(title, logline, tags, content='films', content_rowid='id',
                                          tokenize='unicode61');
CREATE TRIGGER films_ai AFTER INSERT ON films BEGIN
    INSERT INTO films_fts(rowid, title, logline, tags) VALUES (new.id, new.title, new.logline, new.tags);
END;
CREATE TRIGGER films_ad AFTER DELETE ON films BEGIN
    INSERT INTO films_fts(films_fts, rowid, title, logline, tags)
    VALUES ('delete', old.id, old.title, old.logline, old.tags);
END;
CREATE TRIGGER films_au AFTER UPDATE ON films BEGIN
    INSERT INTO films_fts(films_fts, rowid, title, logline, tags)
    VALUES ('delete', old.id, old.title, old.logline, old.tags);
    INSERT INTO films_fts(rowid, title, logline, tags) VALUES (new.id, new.title, new.logline, new.tags);
END;
