-- A film is known by the video it links to, (site, video id), whatever form of the link was pasted
-- (cogs/films/links). PostgreSQL databases start empty, so no film needs its identity worked out here.
ALTER TABLE films ADD COLUMN site TEXT NOT NULL DEFAULT 'web';
ALTER TABLE films ADD COLUMN video_id TEXT NOT NULL DEFAULT '';
CREATE INDEX films_video ON films(community_id, site, video_id);

-- Search that reads Chinese, Japanese and Korean, as on SQLite (cogs/films/search.py): the index holds
-- each text with runs of those scripts written as overlapping pairs of characters (夜班公交 -> 夜班 班公
-- 公交 交), so a query's run of two or more characters is found as the phrase of its pairs.
CREATE FUNCTION film_grams(source TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    written TEXT := '';
    run TEXT := '';
    ch TEXT;
BEGIN
    IF source IS NULL OR source = '' THEN
        RETURN '';
    END IF;
    source := lower(normalize(source, NFKC));
    FOR i IN 1..char_length(source) + 1 LOOP
        ch := substr(source, i, 1);
        IF ch <> '' AND ch ~ '[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]' THEN
            run := run || ch;
        ELSE
            IF run <> '' THEN
                written := written || ' ';
                FOR j IN 1..char_length(run) - 1 LOOP
                    written := written || substr(run, j, 2) || ' ';
                END LOOP;
                written := written || right(run, 1) || ' ';
                run := '';
            END IF;
            written := written || ch;
        END IF;
    END LOOP;
    RETURN written;
END $$;

CREATE OR REPLACE FUNCTION films_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO films_fts (rowid, title, logline, tags)
    VALUES (NEW.id, to_tsvector('simple', film_grams(NEW.title)), to_tsvector('simple', film_grams(NEW.logline)),
            to_tsvector('simple', film_grams(replace(NEW.tags, ',', ' '))))
    ON CONFLICT (rowid) DO UPDATE SET title = EXCLUDED.title, logline = EXCLUDED.logline, tags = EXCLUDED.tags;
    RETURN NULL;
END $$;
UPDATE films_fts SET title = to_tsvector('simple', film_grams(f.title)),
                     logline = to_tsvector('simple', film_grams(f.logline)),
                     tags = to_tsvector('simple', film_grams(replace(f.tags, ',', ' ')))
    FROM films f WHERE f.id = films_fts.rowid;
