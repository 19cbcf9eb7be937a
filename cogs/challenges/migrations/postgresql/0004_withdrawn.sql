-- Entries withdrawn while their challenge ran (their film deleted, their maker forgotten): the results
-- say so, instead of reading as if nobody had voted.
ALTER TABLE challenges ADD COLUMN withdrawn BIGINT NOT NULL DEFAULT 0;
