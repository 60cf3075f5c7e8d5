package store

import (
	"context"
	"database/sql"
	"time"
)

// EndedSession is a session ended before its access tokens expire: one
// refresh-token family of a member, or every session of the member when
// Family is "" (withdrawal).
type EndedSession struct {
	Seq      int64
	MemberID int64
	Family   string
	EndedAt  time.Time
}

// EndSession ends the session family of a member (logout): its refresh
// tokens are revoked and its access tokens listed as ended.
func (db *DB) EndSession(ctx context.Context, memberID int64, family string) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		return tx.endSessions(ctx, memberID, []string{family})
	})
	return err
}

// endSessions revokes the refresh tokens of each family of the member and
// records the families as ended.
func (tx *Tx) endSessions(ctx context.Context, memberID int64, families []string) error {
	now := millis(tx.now)
	for _, family := range families {
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND member_id = ? AND revoked_at IS NULL`,
			now, family, memberID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ended_sessions (member_id, family, ended_at) VALUES (?, ?, ?)`,
			memberID, family, now); err != nil {
			return err
		}
	}
	return nil
}

// endOtherSessions ends every live session of the member but keep: those
// whose family still has an unspent, unrevoked refresh token.
func (tx *Tx) endOtherSessions(ctx context.Context, memberID int64, keep string) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT family FROM refresh_tokens
		WHERE member_id = ? AND family <> ? AND revoked_at IS NULL AND used_at IS NULL`, memberID, keep)
	if err != nil {
		return err
	}
	var families []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			rows.Close()
			return err
		}
		families = append(families, f)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.endSessions(ctx, memberID, families)
}

// endAllSessions revokes every refresh token of the member and records
// that all its sessions ended (withdrawal).
func (tx *Tx) endAllSessions(ctx context.Context, memberID int64) error {
	now := millis(tx.now)
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL`, now, memberID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ended_sessions (member_id, family, ended_at) VALUES (?, NULL, ?)`, memberID, now)
	return err
}

// EndedSessionsSince lists, in order, the sessions recorded as ended after
// seq that ended after since, so a cache can follow them incrementally.
func (db *DB) EndedSessionsSince(ctx context.Context, seq int64, since time.Time) ([]EndedSession, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, member_id, family, ended_at FROM ended_sessions
		WHERE seq > ? AND ended_at > ? ORDER BY seq`, seq, millis(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EndedSession
	for rows.Next() {
		var e EndedSession
		var family sql.NullString
		var ended int64
		if err := rows.Scan(&e.Seq, &e.MemberID, &family, &ended); err != nil {
			return nil, err
		}
		e.Family, e.EndedAt = family.String, fromMillis(ended)
		out = append(out, e)
	}
	return out, rows.Err()
}
