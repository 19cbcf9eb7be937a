-- A film is known by the video it links to, (site, video id), whatever form of the link was pasted
-- (cogs/films/links). PostgreSQL databases start empty, so no film needs its identity worked out here.
ALTER TABLE films ADD COLUMN site TEXT NOT NULL DEFAULT 'web';
ALTER TABLE films ADD COLUMN video_id TEXT NOT NULL DEFAULT '';
CREATE INDEX films_video ON films(community_id, site, video_id);
