-- The push dispatcher's durable state (issue 17), next to the outbox it
-- drains. Times are Unix milliseconds.

-- Every outbox id at or below outbox_id is handled (outbox.sent_at set):
-- the dispatcher resumes after it, skipping rows already sent.
CREATE TABLE push_cursor (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	outbox_id INTEGER NOT NULL
);
INSERT INTO push_cursor (id, outbox_id) VALUES (1, 0);

-- One row per (trace id, endpoint) attempted: the 7-day dedup record and,
-- in state 'retry', the retry queue.
CREATE TABLE push_deliveries (
	trace_id   TEXT    NOT NULL,
	endpoint   TEXT    NOT NULL,
	outbox_id  INTEGER NOT NULL,
	state      TEXT    NOT NULL CHECK (state IN ('delivered', 'retry', 'gone', 'failed')),
	attempts   INTEGER NOT NULL,
	due_at     INTEGER, -- next attempt, in state 'retry'
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (trace_id, endpoint)
) WITHOUT ROWID;
CREATE INDEX push_deliveries_due ON push_deliveries (due_at) WHERE state = 'retry';
CREATE INDEX push_deliveries_updated ON push_deliveries (updated_at);

-- Every send attempt.
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

-- Expiry reminders sent (once per coupon).
CREATE TABLE coupon_reminders (
	coupon_id INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL
);
