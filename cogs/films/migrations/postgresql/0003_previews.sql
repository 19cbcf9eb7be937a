-- The video's picture from its site (oEmbed or OpenGraph), fetched once when the film is shared or edited.
ALTER TABLE films ADD COLUMN thumbnail TEXT;
