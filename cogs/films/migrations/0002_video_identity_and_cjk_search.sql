-- A film is known by the video it links to, (site, video id), whatever form of the link was pasted
-- (cogs/films/links). Existing films get theirs from their stored link; films that turn out to be the
-- same video are kept, and `microfilm-bot check-data` reports them.
ALTER TABLE films ADD COLUMN site TEXT NOT NULL DEFAULT 'web';
ALTER TABLE films ADD COLUMN video_id TEXT NOT NULL DEFAULT '';
UPDATE films SET site = film_site(link), video_id = film_video(link);
CREATE INDEX films_video ON films(community_id, site, video_id);

-- Search that reads Chinese, Japanese and Korean: the index holds each text as film_grams() writes it,
-- runs of those scripts as overlapping pairs of characters (cogs/films/search.py). The index is built
-- anew from the films; nothing else changes.
DROP TRIGGER films_ai;
DROP TRIGGER films_ad;
DROP TRIGGER films_au;
DROP TABLE films_fts;
CREATE VIRTUAL TABLE films_fts USING fts5(title, logline, tags, tokenize='unicode61', prefix='1 2');
INSERT INTO films_fts(rowid, title, logline, tags)
    SELECT id, film_grams(title), film_grams(logline), film_grams(tags) FROM films;
INSERT INTO films_fts(films_fts) VALUES ('optimize');
CREATE TRIGGER films_ai AFTER INSERT ON films BEGIN
    INSERT INTO films_fts(rowid, title, logline, tags)
    VALUES (new.id, film_grams(new.title), film_grams(new.logline), film_grams(new.tags));
END;
CREATE TRIGGER films_ad AFTER DELETE ON films BEGIN
    DELETE FROM films_fts WHERE rowid = old.id;
END;
CREATE TRIGGER films_au AFTER UPDATE OF title, logline, tags ON films BEGIN
    DELETE FROM films_fts WHERE rowid = old.id;
    INSERT INTO films_fts(rowid, title, logline, tags)
    VALUES (new.id, film_grams(new.title), film_grams(new.logline), film_grams(new.tags));
END;
