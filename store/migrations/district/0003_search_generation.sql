-- fts_generation grows with every change to store_fts (in the transaction
-- that makes it), so every node can keep keyword results until it moves.
ALTER TABLE search_index_state ADD COLUMN fts_generation INTEGER NOT NULL DEFAULT 0;
