-- The merchant dashboard's counters and the live stream's change feed
-- (issue 16), kept by triggers so that whatever writes coupons (the claim
-- writer, uses, district moves) keeps them exact and no request scans
-- coupons. See store/dashboard.go and store/live.go.

-- Per store and UTC hour (Unix ms / 3,600,000): coupons issued in the hour,
-- coupons used in the hour, uses of the coupons issued in the hour
-- (conversion), and the issued coupons by distance from the store to where
-- they were claimed: d100 .. d3200 up to that many metres (each band above
-- the one before), dfar beyond, dnone claimed without a location.
CREATE TABLE store_hours (
	store_id  INTEGER NOT NULL,
	hour      INTEGER NOT NULL,
	issued    INTEGER NOT NULL DEFAULT 0,
	used      INTEGER NOT NULL DEFAULT 0,
	converted INTEGER NOT NULL DEFAULT 0,
	d100      INTEGER NOT NULL DEFAULT 0,
	d200      INTEGER NOT NULL DEFAULT 0,
	d400      INTEGER NOT NULL DEFAULT 0,
	d800      INTEGER NOT NULL DEFAULT 0,
	d1600     INTEGER NOT NULL DEFAULT 0,
	d3200     INTEGER NOT NULL DEFAULT 0,
	dfar      INTEGER NOT NULL DEFAULT 0,
	dnone     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (store_id, hour)
) WITHOUT ROWID;

-- Each event's counts as the coupons table says, updated row by row (the
-- claim writer updates coupon_events.issued_count once a batch, so a
-- claim's own "issued" is read here), and when it sold out.
CREATE TABLE live_events (
	event_id    INTEGER PRIMARY KEY,
	store_id    INTEGER NOT NULL,
	issued      INTEGER NOT NULL DEFAULT 0,
	used        INTEGER NOT NULL DEFAULT 0,
	sold_out_at INTEGER -- Unix ms of the claim that took the last coupon
);

-- The change feed: one row per claim, use and stock change, in commit
-- order. id is the SSE event id. No index beyond the rowid, to keep the
-- claim path cheap; pruned from the head (store.PruneLiveChanges), never
-- the newest row, so ids only grow.
CREATE TABLE live_changes (
	id       INTEGER PRIMARY KEY,
	store_id INTEGER NOT NULL,
	event_id INTEGER NOT NULL,
	kind     TEXT    NOT NULL, -- claim | use | stock
	issued   INTEGER NOT NULL,
	used     INTEGER NOT NULL,
	total    INTEGER NOT NULL,
	status   TEXT    NOT NULL,
	at       INTEGER NOT NULL  -- Unix ms
);

-- Backfill from the coupons already there.
INSERT INTO live_events (event_id, store_id, issued, used, sold_out_at)
SELECT e.id, e.store_id, e.issued_count, e.used_count,
	CASE WHEN e.issued_count >= e.total_count THEN c.last_issued_at END
FROM coupon_events e
LEFT JOIN (SELECT event_id, MAX(issued_at) AS last_issued_at FROM coupons GROUP BY event_id) c ON c.event_id = e.id;

INSERT INTO store_hours (store_id, hour, issued, d100, d200, d400, d800, d1600, d3200, dfar, dnone)
SELECT store_id, hour, COUNT(*), SUM(b = 0), SUM(b = 1), SUM(b = 2), SUM(b = 3), SUM(b = 4), SUM(b = 5), SUM(b = 6), SUM(b = 7)
FROM (
	SELECT c.store_id, c.issued_at / 3600000 AS hour,
		CASE
			WHEN d2 IS NULL THEN 7
			WHEN d2 <= 10000 THEN 0
			WHEN d2 <= 40000 THEN 1
			WHEN d2 <= 160000 THEN 2
			WHEN d2 <= 640000 THEN 3
			WHEN d2 <= 2560000 THEN 4
			WHEN d2 <= 10240000 THEN 5
			ELSE 6
		END AS b
	FROM (
		SELECT c.store_id, c.issued_at,
			(SELECT dy * dy + dx * dx FROM (
				SELECT (c.claim_latitude - s.latitude) * 111195.0 AS dy,
					(c.claim_longitude - s.longitude) * 111195.0 * (1 - x * x / 2 + x * x * x * x / 24 - x * x * x * x * x * x / 720) AS dx
				FROM (SELECT latitude, longitude, latitude * 0.017453292519943295 AS x FROM stores WHERE id = c.store_id) s
			)) AS d2
		FROM coupons c
	) c
)
GROUP BY store_id, hour;

INSERT INTO store_hours (store_id, hour, used)
SELECT store_id, used_at / 3600000, COUNT(*) FROM coupons WHERE status = 'USED' AND used_at IS NOT NULL GROUP BY 1, 2
ON CONFLICT (store_id, hour) DO UPDATE SET used = excluded.used;

INSERT INTO store_hours (store_id, hour, converted)
SELECT store_id, issued_at / 3600000, COUNT(*) FROM coupons WHERE status = 'USED' GROUP BY 1, 2
ON CONFLICT (store_id, hour) DO UPDATE SET converted = excluded.converted;

-- A new event starts at zero; its coupons (claims, or a district move's
-- copies) count themselves in.
CREATE TRIGGER coupon_events_live_insert AFTER INSERT ON coupon_events BEGIN
	INSERT INTO live_events (event_id, store_id) VALUES (NEW.id, NEW.store_id);
	INSERT INTO live_changes (store_id, event_id, kind, issued, used, total, status, at)
	VALUES (NEW.store_id, NEW.id, 'stock', 0, 0, NEW.total_count, NEW.status, NEW.updated_at);
END;

-- Pause, resume, cancel, add stock. (The claim writer's and a use's
-- updates of the counts name neither column, so they do not fire this.)
CREATE TRIGGER coupon_events_live_stock AFTER UPDATE OF status, total_count ON coupon_events
WHEN OLD.status IS NOT NEW.status OR OLD.total_count IS NOT NEW.total_count BEGIN
	UPDATE live_events SET sold_out_at = CASE WHEN issued >= NEW.total_count THEN sold_out_at END
	WHERE event_id = NEW.id;
	INSERT INTO live_changes (store_id, event_id, kind, issued, used, total, status, at)
	SELECT NEW.store_id, NEW.id, 'stock', l.issued, l.used, NEW.total_count, NEW.status, NEW.updated_at
	FROM live_events l WHERE l.event_id = NEW.id;
END;

CREATE TRIGGER coupon_events_live_delete AFTER DELETE ON coupon_events BEGIN
	DELETE FROM live_events WHERE event_id = OLD.id;
END;

CREATE TRIGGER stores_hours_delete AFTER DELETE ON stores BEGIN
	DELETE FROM store_hours WHERE store_id = OLD.id;
END;

-- A claim: the hour's counters with its distance band, the event's count,
-- and the change.
CREATE TRIGGER coupons_live_insert AFTER INSERT ON coupons BEGIN
	INSERT INTO store_hours (store_id, hour, issued, d100, d200, d400, d800, d1600, d3200, dfar, dnone)
	SELECT NEW.store_id, NEW.issued_at / 3600000, 1, b = 0, b = 1, b = 2, b = 3, b = 4, b = 5, b = 6, b = 7
	FROM (
		SELECT CASE
			WHEN d2 IS NULL THEN 7
			WHEN d2 <= 10000 THEN 0
			WHEN d2 <= 40000 THEN 1
			WHEN d2 <= 160000 THEN 2
			WHEN d2 <= 640000 THEN 3
			WHEN d2 <= 2560000 THEN 4
			WHEN d2 <= 10240000 THEN 5
			ELSE 6
		END AS b
		FROM (SELECT (SELECT dy * dy + dx * dx FROM (
			SELECT (NEW.claim_latitude - s.latitude) * 111195.0 AS dy,
				(NEW.claim_longitude - s.longitude) * 111195.0 * (1 - x * x / 2 + x * x * x * x / 24 - x * x * x * x * x * x / 720) AS dx
			FROM (SELECT latitude, longitude, latitude * 0.017453292519943295 AS x FROM stores WHERE id = NEW.store_id) s
		)) AS d2)
	)
	WHERE true
	ON CONFLICT (store_id, hour) DO UPDATE SET issued = issued + 1,
		d100 = d100 + excluded.d100, d200 = d200 + excluded.d200, d400 = d400 + excluded.d400,
		d800 = d800 + excluded.d800, d1600 = d1600 + excluded.d1600, d3200 = d3200 + excluded.d3200,
		dfar = dfar + excluded.dfar, dnone = dnone + excluded.dnone;
	UPDATE live_events SET issued = issued + 1,
		sold_out_at = CASE WHEN issued + 1 >= (SELECT total_count FROM coupon_events WHERE id = NEW.event_id) THEN NEW.issued_at ELSE sold_out_at END
	WHERE event_id = NEW.event_id;
	INSERT INTO live_changes (store_id, event_id, kind, issued, used, total, status, at)
	SELECT NEW.store_id, NEW.event_id, 'claim', l.issued, l.used, e.total_count, e.status, NEW.issued_at
	FROM live_events l JOIN coupon_events e ON e.id = l.event_id WHERE l.event_id = NEW.event_id;
END;

-- A coupon copied in already used (a district move) counts its use.
CREATE TRIGGER coupons_live_insert_used AFTER INSERT ON coupons WHEN NEW.status = 'USED' BEGIN
	INSERT INTO store_hours (store_id, hour, used) VALUES (NEW.store_id, IFNULL(NEW.used_at, NEW.issued_at) / 3600000, 1)
	ON CONFLICT (store_id, hour) DO UPDATE SET used = used + 1;
	INSERT INTO store_hours (store_id, hour, converted) VALUES (NEW.store_id, NEW.issued_at / 3600000, 1)
	ON CONFLICT (store_id, hour) DO UPDATE SET converted = converted + 1;
	UPDATE live_events SET used = used + 1 WHERE event_id = NEW.event_id;
END;

-- A use.
CREATE TRIGGER coupons_live_use AFTER UPDATE OF status ON coupons
WHEN NEW.status = 'USED' AND OLD.status IS NOT 'USED' BEGIN
	INSERT INTO store_hours (store_id, hour, used) VALUES (NEW.store_id, IFNULL(NEW.used_at, NEW.issued_at) / 3600000, 1)
	ON CONFLICT (store_id, hour) DO UPDATE SET used = used + 1;
	INSERT INTO store_hours (store_id, hour, converted) VALUES (NEW.store_id, NEW.issued_at / 3600000, 1)
	ON CONFLICT (store_id, hour) DO UPDATE SET converted = converted + 1;
	UPDATE live_events SET used = used + 1 WHERE event_id = NEW.event_id;
	INSERT INTO live_changes (store_id, event_id, kind, issued, used, total, status, at)
	SELECT NEW.store_id, NEW.event_id, 'use', l.issued, l.used, e.total_count, e.status, IFNULL(NEW.used_at, NEW.issued_at)
	FROM live_events l JOIN coupon_events e ON e.id = l.event_id WHERE l.event_id = NEW.event_id;
END;
