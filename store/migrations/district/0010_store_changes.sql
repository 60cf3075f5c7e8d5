-- The stores' change feed for the in-memory nearby index (issue 19): one
-- row per store, its seq moved past every other on each insert, update or
-- delete of the store's row, by triggers, so whatever writes stores (the
-- API, bulk loads, district moves) is followed on every node, primary or
-- replica, in commit order. A node reads the rows above the seq it last
-- applied and reloads those stores.
CREATE TABLE store_changes (
	store_id INTEGER PRIMARY KEY,
	seq      INTEGER NOT NULL
);
CREATE UNIQUE INDEX store_changes_seq ON store_changes (seq);

INSERT INTO store_changes (store_id, seq) SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM stores;

CREATE TRIGGER stores_change_insert AFTER INSERT ON stores BEGIN
	INSERT INTO store_changes (store_id, seq) VALUES (NEW.id, (SELECT IFNULL(MAX(seq), 0) + 1 FROM store_changes))
	ON CONFLICT (store_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER stores_change_update AFTER UPDATE ON stores BEGIN
	INSERT INTO store_changes (store_id, seq) VALUES (NEW.id, (SELECT IFNULL(MAX(seq), 0) + 1 FROM store_changes))
	ON CONFLICT (store_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER stores_change_delete AFTER DELETE ON stores BEGIN
	INSERT INTO store_changes (store_id, seq) VALUES (OLD.id, (SELECT IFNULL(MAX(seq), 0) + 1 FROM store_changes))
	ON CONFLICT (store_id) DO UPDATE SET seq = excluded.seq;
END;
