package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/couponpop/couponpop"
	sqlite3 "github.com/mattn/go-sqlite3"
)

const memberColumns = `id, email, username, phone_number, member_type, password_hash, created_at`

// CreateMember inserts a member whose password is already hashed.
func (db *DB) CreateMember(ctx context.Context, m *couponpop.Member) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		err := tx.QueryRowContext(ctx, `INSERT INTO members (email, username, phone_number, member_type, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.Email, m.Username, m.PhoneNumber, m.MemberType, m.PasswordHash, now, now).Scan(&m.ID)
		if isConstraint(err, sqlite3.ErrConstraintUnique) {
			return couponpop.Errorf(couponpop.EEmailDuplicated, "email %s is already registered", m.Email)
		}
		m.CreatedAt = tx.now
		return err
	})
	return err
}

// MemberByID returns a member that has not withdrawn.
func (db *DB) MemberByID(ctx context.Context, id int64) (*couponpop.Member, error) {
	return db.member(ctx, `SELECT `+memberColumns+` FROM members WHERE id = ? AND deleted_at IS NULL`, id)
}

// MemberByEmail returns the active member with that email.
func (db *DB) MemberByEmail(ctx context.Context, email string) (*couponpop.Member, error) {
	return db.member(ctx, `SELECT `+memberColumns+` FROM members WHERE email = ? AND deleted_at IS NULL`, email)
}

func (db *DB) member(ctx context.Context, query string, arg any) (*couponpop.Member, error) {
	var m couponpop.Member
	var created int64
	err := db.read.QueryRowContext(ctx, query, arg).Scan(&m.ID, &m.Email, &m.Username, &m.PhoneNumber, &m.MemberType, &m.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, couponpop.Errorf(couponpop.EMemberNotFound, "member not found")
	}
	if err != nil {
		return nil, err
	}
	m.CreatedAt = fromMillis(created)
	return &m, nil
}

// UpdateMember writes the profile fields of m (username, phone, password hash).
func (db *DB) UpdateMember(ctx context.Context, m *couponpop.Member) error {
	_, err := db.update(ctx, func(tx *Tx) error { return tx.updateMember(ctx, m) })
	return err
}

// UpdateMemberPassword writes the profile fields of m, whose password hash
// changed, and ends every other session of the member: all but the
// session family keep.
func (db *DB) UpdateMemberPassword(ctx context.Context, m *couponpop.Member, keep string) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		if err := tx.updateMember(ctx, m); err != nil {
			return err
		}
		return tx.endOtherSessions(ctx, m.ID, keep)
	})
	return err
}

func (tx *Tx) updateMember(ctx context.Context, m *couponpop.Member) error {
	res, err := tx.ExecContext(ctx, `UPDATE members SET username = ?, phone_number = ?, password_hash = ?, updated_at = ?
		WHERE id = ? AND deleted_at IS NULL`, m.Username, m.PhoneNumber, m.PasswordHash, millis(tx.now), m.ID)
	return notFoundIfNone(res, err, couponpop.EMemberNotFound, "member not found")
}

// DeleteMember soft-deletes a member and ends every session of theirs.
func (db *DB) DeleteMember(ctx context.Context, id int64) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		res, err := tx.ExecContext(ctx, `UPDATE members SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`, now, now, id)
		if err := notFoundIfNone(res, err, couponpop.EMemberNotFound, "member not found"); err != nil {
			return err
		}
		return tx.endAllSessions(ctx, id)
	})
	return err
}

// notFoundIfNone turns an update that touched no row into a not-found error.
func notFoundIfNone(res sql.Result, err error, code, msg string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return couponpop.Errorf(code, "%s", msg)
	}
	return nil
}
