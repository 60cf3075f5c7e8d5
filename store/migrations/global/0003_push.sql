-- Web Push (issue 17): subscriptions, the deployment's VAPID keys, each
-- member's notification consent, and what area-entry pushes remember.
-- Times are Unix milliseconds.

-- A browser's PushSubscription, upserted by endpoint: a device that
-- resubscribes under another member moves to that member.
CREATE TABLE push_subscriptions (
	endpoint          TEXT    PRIMARY KEY,
	member_id         INTEGER NOT NULL,
	p256dh            TEXT    NOT NULL,
	auth              TEXT    NOT NULL,
	device_identifier TEXT    NOT NULL DEFAULT '',
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX push_subscriptions_member ON push_subscriptions (member_id, device_identifier);

-- Deployment-wide values kept once (the VAPID key pair).
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Consent to advertising pushes (정보통신망법 §50): off until the member
-- opts in; night covers 21:00–08:00.
CREATE TABLE notification_settings (
	member_id  INTEGER PRIMARY KEY,
	marketing  INTEGER NOT NULL DEFAULT 0,
	night      INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL
);

-- The last location report of each device, kept at most a day (pruned),
-- and since when it has stayed inside each area it is in.
CREATE TABLE location_reports (
	member_id         INTEGER NOT NULL,
	device_identifier TEXT    NOT NULL,
	latitude          REAL    NOT NULL,
	longitude         REAL    NOT NULL,
	at                INTEGER NOT NULL,
	areas             TEXT    NOT NULL, -- JSON {"areaId": enteredAtMillis}
	PRIMARY KEY (member_id, device_identifier)
) WITHOUT ROWID;
CREATE INDEX location_reports_at ON location_reports (at);

-- Area-entry pushes sent: never twice for one event, at most N a day.
CREATE TABLE area_pushes (
	member_id INTEGER NOT NULL,
	event_id  INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	PRIMARY KEY (member_id, event_id)
) WITHOUT ROWID;
CREATE INDEX area_pushes_member_at ON area_pushes (member_id, at);

-- Usage stats job output: one row per member and run date; a rerun
-- replaces its rows.
CREATE TABLE coupon_usage_stats (
	member_id     INTEGER NOT NULL,
	aggregated_at TEXT    NOT NULL, -- the run date, YYYY-MM-DD (Asia/Seoul)
	top_dong      TEXT    NOT NULL,
	top_hour      INTEGER NOT NULL,
	PRIMARY KEY (member_id, aggregated_at)
) WITHOUT ROWID;

-- Scheduled job runs, so that each (job, run) happens once.
CREATE TABLE job_runs (
	name        TEXT    NOT NULL,
	run         TEXT    NOT NULL,
	finished_at INTEGER NOT NULL,
	result      TEXT    NOT NULL,
	PRIMARY KEY (name, run)
) WITHOUT ROWID;
