-- A film's discussion: replies to its cards (and to those replies), and messages in the thread under a
-- card. Who and when only, never the text; the reply's own message is the key, so an update seen twice
-- (a replay, an edit) counts once.
CREATE TABLE film_replies (
    platform   TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    film_id    BIGINT NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    person_id  BIGINT NOT NULL REFERENCES people(id),
    replied_at TEXT NOT NULL,
    PRIMARY KEY (platform, chat_id, message_id)
);
CREATE INDEX film_replies_film ON film_replies (film_id, replied_at);
CREATE INDEX film_replies_person ON film_replies (person_id);
