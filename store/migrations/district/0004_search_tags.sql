-- store_fts gains a zero-weight tags column (the category code and the S2
-- cells of the location) so category and radius filters are posting-list
-- intersections rather than a join per matching row. The table only holds
-- tokens derived from stores, so it is dropped and rebuilt: the empty
-- fts_version makes the primary rebuild it at start.
DROP TABLE store_fts;
CREATE VIRTUAL TABLE store_fts USING fts5(
	name, category, description, address, choseong, tags,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '1 2 3',
	content = '',
	contentless_delete = 1
);
INSERT INTO store_fts(store_fts, rank) VALUES('rank', 'bm25(10.0, 4.0, 2.0, 1.0, 5.0, 0.0)');
UPDATE search_index_state SET fts_version = '', fts_generation = fts_generation + 1 WHERE id = 1;
