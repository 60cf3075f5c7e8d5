-- A district shard: stores, coupon events, coupons and what follows from
-- them. Times are Unix milliseconds. Row ids start at shard << 40 (set when
-- the file is created), so they are the API's IDs as they are.
CREATE TABLE stores (
	id                 INTEGER PRIMARY KEY AUTOINCREMENT,
	member_id          INTEGER NOT NULL,
	member_username    TEXT    NOT NULL,
	name               TEXT    NOT NULL,
	phone              TEXT    NOT NULL,
	description        TEXT    NOT NULL,
	business_number    TEXT    NOT NULL,
	address            TEXT    NOT NULL,
	dong               TEXT    NOT NULL,
	latitude           REAL    NOT NULL,
	longitude          REAL    NOT NULL,
	image_url          TEXT    NOT NULL,
	category           TEXT    NOT NULL,
	weekday_open_time  TEXT    NOT NULL,
	weekday_close_time TEXT    NOT NULL,
	weekend_open_time  TEXT    NOT NULL,
	weekend_close_time TEXT    NOT NULL,
	district           TEXT    NOT NULL,
	cell               INTEGER NOT NULL, -- geo.CellKey of the location
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	deleted_at         INTEGER
);
-- Covering index for nearby: range scans on cell read the position and
-- category too.
CREATE INDEX stores_cell ON stores (cell, latitude, longitude, category) WHERE deleted_at IS NULL;
CREATE INDEX stores_member ON stores (member_id, id) WHERE deleted_at IS NULL;

CREATE TABLE coupon_events (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	store_id            INTEGER NOT NULL REFERENCES stores (id),
	member_id           INTEGER NOT NULL, -- the creator
	name                TEXT    NOT NULL,
	start_at            INTEGER NOT NULL,
	end_at              INTEGER NOT NULL,
	total_count         INTEGER NOT NULL CHECK (total_count >= 1),
	issued_count        INTEGER NOT NULL DEFAULT 0,
	used_count          INTEGER NOT NULL DEFAULT 0,
	status              TEXT    NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED', 'CANCELED')),
	claim_radius_meters REAL,
	coupon_valid_hours  INTEGER,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	CHECK (issued_count <= total_count),
	CHECK (end_at > start_at)
);
CREATE INDEX coupon_events_store ON coupon_events (store_id, start_at, end_at, id);
CREATE INDEX coupon_events_running ON coupon_events (end_at, start_at);

CREATE TABLE coupons (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id     INTEGER NOT NULL REFERENCES coupon_events (id),
	member_id    INTEGER NOT NULL,
	store_id     INTEGER NOT NULL,
	status       TEXT    NOT NULL CHECK (status IN ('ISSUED', 'USED', 'EXPIRED', 'CANCELED')),
	issued_at    INTEGER NOT NULL,
	expire_at    INTEGER NOT NULL,
	used_at      INTEGER,
	event_end_at INTEGER NOT NULL, -- copied for the keyset order of "my coupons"
	UNIQUE (member_id, event_id)
);
CREATE INDEX coupons_member ON coupons (member_id, status, event_end_at, id);
CREATE INDEX coupons_expiry ON coupons (status, expire_at);

CREATE TABLE coupon_history (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	coupon_id  INTEGER NOT NULL,
	member_id  INTEGER NOT NULL,
	event_id   INTEGER NOT NULL,
	store_id   INTEGER NOT NULL,
	action     TEXT    NOT NULL CHECK (action IN ('ISSUED', 'USED', 'EXPIRED')),
	at         INTEGER NOT NULL,
	latitude   REAL,
	longitude  REAL
);
-- (No index yet: nothing reads history by store; the dashboard issue adds
-- the one it needs, off the claim path until then.)

-- Transactional outbox: written in the same transaction as the change it
-- announces; the push dispatcher reads it in id order from the last id it
-- sent (no index to keep up on the claim path), and dedupes by trace id.
CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT    NOT NULL,
	trace_id   TEXT    NOT NULL,
	payload    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	sent_at    INTEGER,
	attempts   INTEGER NOT NULL DEFAULT 0
);

-- The first answer to a claim with an Idempotency-Key, replayed for 24 h.
CREATE TABLE idempotency_keys (
	member_id  INTEGER NOT NULL,
	key        TEXT    NOT NULL,
	coupon_id  INTEGER,
	code       TEXT    NOT NULL, -- "" for success, else the error code
	message    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (member_id, key)
) WITHOUT ROWID;

-- Single-use QR codes already redeemed (by their nonce).
CREATE TABLE used_codes (
	nonce   TEXT    PRIMARY KEY,
	used_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE position (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	pos INTEGER NOT NULL
);
INSERT INTO position (id, pos) VALUES (1, 0);
