-- Shard 0's own outbox (issue 17): the pushes decided here, advertising
-- (area entry, the hourly usage push), written in the transaction that
-- decides them and drained by shard 0's dispatcher as a district shard's
-- outbox is, with the same cursor, dedup record and history. Times are
-- Unix milliseconds.

CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT    NOT NULL,
	trace_id   TEXT    NOT NULL,
	payload    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	sent_at    INTEGER,
	attempts   INTEGER NOT NULL DEFAULT 0
);
-- A job run again writes nothing twice: its pushes' trace ids are fixed
-- per run.
CREATE UNIQUE INDEX outbox_trace ON outbox (trace_id);

CREATE TABLE push_cursor (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	outbox_id INTEGER NOT NULL
);
INSERT INTO push_cursor (id, outbox_id) VALUES (1, 0);

CREATE TABLE push_deliveries (
	trace_id   TEXT    NOT NULL,
	endpoint   TEXT    NOT NULL,
	outbox_id  INTEGER NOT NULL,
	state      TEXT    NOT NULL CHECK (state IN ('delivered', 'retry', 'gone', 'failed')),
	attempts   INTEGER NOT NULL,
	due_at     INTEGER,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (trace_id, endpoint)
) WITHOUT ROWID;
CREATE INDEX push_deliveries_due ON push_deliveries (due_at) WHERE state = 'retry';
CREATE INDEX push_deliveries_updated ON push_deliveries (updated_at);

CREATE TABLE notification_history (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	trace_id    TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	member_id   INTEGER NOT NULL,
	endpoint    TEXT    NOT NULL,
	attempt     INTEGER NOT NULL,
	outcome     TEXT    NOT NULL,
	status_code INTEGER NOT NULL,
	error       TEXT    NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX notification_history_at ON notification_history (at);
CREATE INDEX notification_history_member ON notification_history (member_id);
