-- Store search (package search). store_fts is the keyword index: a
-- contentless FTS5 table whose rows (rowid = store id) hold tokens that Go
-- wrote with search.StoreText.IndexRow, so the stock unicode61 tokenizer only
-- splits on the spaces Go put there and the file stays readable by the sqlite3
-- CLI. It must match search.FTSTableSQL("store_fts") and
-- search.FTSRankSQL("store_fts"); store/search_test.go checks that it does.
CREATE VIRTUAL TABLE store_fts USING fts5(
	name, category, description, address, choseong,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '1 2 3',
	content = '',
	contentless_delete = 1
);
INSERT INTO store_fts(store_fts, rank) VALUES('rank', 'bm25(10.0, 4.0, 2.0, 1.0, 5.0)');

-- The tokenisation store_fts was built with. A primary rebuilds the index
-- from the stores table when its own version differs (here: on first start
-- after this migration, which also indexes stores created before it).
CREATE TABLE search_index_state (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	fts_version TEXT NOT NULL
);
INSERT INTO search_index_state (id, fts_version) VALUES (1, '');

-- One embedding per store: a normalised float32 vector (little-endian BLOB),
-- the embedder model that made it and the SHA-256 of the passage it embeds.
-- A row is embedded again when either differs from the current embedder and
-- store text. seq grows with every change to a row (a new vector, or a touch
-- when the store moved or was deleted) so every node's in-memory index can
-- follow the table by seq.
CREATE TABLE store_vectors (
	store_id     INTEGER PRIMARY KEY,
	model        TEXT    NOT NULL,
	content_hash TEXT    NOT NULL,
	vector       BLOB    NOT NULL,
	seq          INTEGER NOT NULL
);
CREATE UNIQUE INDEX store_vectors_seq ON store_vectors (seq);
