package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/couponpop/couponpop"
)

// CreateRefreshToken stores a new refresh token (by its hash) that starts
// family: a login's session. passwordHash is the hash the login was checked
// against; a member who withdrew or changed password since gets
// INVALID_CREDENTIALS, so a login racing those cannot outlive them.
func (db *DB) CreateRefreshToken(ctx context.Context, hash string, memberID int64, passwordHash, family string, expiresAt time.Time) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = ? AND password_hash = ? AND deleted_at IS NULL`,
			memberID, passwordHash).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return couponpop.Errorf(couponpop.EInvalidCredentials, "email or password is wrong")
		}
		return tx.insertRefreshToken(ctx, hash, memberID, family, expiresAt)
	})
	return err
}

func (tx *Tx) insertRefreshToken(ctx context.Context, hash string, memberID int64, family string, expiresAt time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, member_id, family, expires_at) VALUES (?, ?, ?, ?)`,
		hash, memberID, family, millis(expiresAt))
	return err
}

// RotateRefreshToken spends the refresh token oldHash and stores newHash as
// its successor in the same family, returning the member and the family
// (the session) it belongs to. A token spent before ends its whole
// session, access tokens included: someone replayed it.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash, newHash string, expiresAt time.Time) (memberID int64, family string, err error) {
	var refused error
	_, err = db.update(ctx, func(tx *Tx) error {
		var expires int64
		var used, revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT r.member_id, r.family, r.expires_at, r.used_at, r.revoked_at FROM refresh_tokens r
			JOIN members m ON m.id = r.member_id AND m.deleted_at IS NULL WHERE r.token_hash = ?`, oldHash).
			Scan(&memberID, &family, &expires, &used, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			refused = couponpop.Errorf(couponpop.EInvalidToken, "unknown refresh token")
			return nil
		case err != nil:
			return err
		case revoked.Valid:
			refused = couponpop.Errorf(couponpop.EInvalidToken, "refresh token revoked")
			return nil
		case used.Valid:
			refused = couponpop.Errorf(couponpop.EInvalidToken, "refresh token already used; its session is revoked")
			return tx.endSessions(ctx, memberID, []string{family})
		case expires <= millis(tx.now):
			refused = couponpop.Errorf(couponpop.EExpiredToken, "refresh token expired")
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?`, millis(tx.now), oldHash); err != nil {
			return err
		}
		return tx.insertRefreshToken(ctx, newHash, memberID, family, expiresAt)
	})
	if err != nil {
		return 0, "", err
	}
	if refused != nil {
		return 0, "", refused
	}
	return memberID, family, nil
}

// RevokeRefreshFamily revokes every refresh token of the family that hash
// belongs to (logout with a refresh token).
func (db *DB) RevokeRefreshFamily(ctx context.Context, hash string) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family =
			(SELECT family FROM refresh_tokens WHERE token_hash = ?)`, millis(tx.now), hash)
		return err
	})
	return err
}

// RevokedToken is an access token revoked before it expires.
type RevokedToken struct {
	Seq       int64
	JTI       string
	ExpiresAt time.Time
}

// RevokeAccessToken records that the access token jti is no longer valid.
func (db *DB) RevokeAccessToken(ctx context.Context, jti string, expiresAt time.Time) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING`, jti, millis(expiresAt))
		return err
	})
	return err
}

// RevokedTokensSince lists revocations after seq that have not expired, in
// order, so a cache can follow them incrementally.
func (db *DB) RevokedTokensSince(ctx context.Context, seq int64) ([]RevokedToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, jti, expires_at FROM revoked_tokens WHERE seq > ? AND expires_at > ? ORDER BY seq`, seq, millis(db.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RevokedToken
	for rows.Next() {
		var r RevokedToken
		var exp int64
		if err := rows.Scan(&r.Seq, &r.JTI, &exp); err != nil {
			return nil, err
		}
		r.ExpiresAt = fromMillis(exp)
		out = append(out, r)
	}
	return out, rows.Err()
}
