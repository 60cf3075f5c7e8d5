-- Sessions ended before their access tokens expire. A session is a
-- refresh-token family; its access tokens carry the family as "sid".
-- Every node follows this table by seq into memory, so checking a token
-- reads no database. Rows matter for one access-token lifetime after
-- ended_at; the follower ignores older ones.
CREATE TABLE ended_sessions (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	member_id INTEGER NOT NULL,
	family    TEXT,             -- NULL: every session of the member (withdrawal)
	ended_at  INTEGER NOT NULL
);
