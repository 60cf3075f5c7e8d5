-- Shard 0: members and their tokens. Times are Unix milliseconds.
CREATE TABLE members (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	email         TEXT    NOT NULL,
	username      TEXT    NOT NULL,
	phone_number  TEXT    NOT NULL,
	member_type   TEXT    NOT NULL CHECK (member_type IN ('ADMIN', 'OWNER', 'CUSTOMER')),
	password_hash TEXT    NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	deleted_at    INTEGER
);
CREATE UNIQUE INDEX members_email ON members (email) WHERE deleted_at IS NULL;

-- Refresh tokens rotate: each use issues a successor in the same family; a
-- token used twice revokes its whole family.
CREATE TABLE refresh_tokens (
	token_hash TEXT    PRIMARY KEY,
	member_id  INTEGER NOT NULL REFERENCES members (id),
	family     TEXT    NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_member ON refresh_tokens (member_id);

-- Access tokens revoked by logout or withdrawal, kept until they expire.
CREATE TABLE revoked_tokens (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	jti        TEXT    NOT NULL UNIQUE,
	expires_at INTEGER NOT NULL
);

-- Device tokens kept for v2 apps (POST /fcm-token).
CREATE TABLE fcm_tokens (
	member_id         INTEGER NOT NULL,
	device_identifier TEXT    NOT NULL,
	fcm_token         TEXT    NOT NULL,
	device_type       TEXT    NOT NULL,
	updated_at        INTEGER NOT NULL,
	PRIMARY KEY (member_id, device_identifier)
) WITHOUT ROWID;

CREATE TABLE position (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	pos INTEGER NOT NULL
);
INSERT INTO position (id, pos) VALUES (1, 0);
