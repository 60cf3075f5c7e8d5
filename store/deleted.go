package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/couponpop/couponpop"
)

// DeletedStoreOwner returns the owner of a store that has been deleted, or
// STORE_NOT_FOUND when no deleted store has the id.
func (db *DB) DeletedStoreOwner(ctx context.Context, id int64) (memberID int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT member_id FROM stores WHERE id = ? AND deleted_at IS NOT NULL`, id).Scan(&memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, couponpop.Errorf(couponpop.EStoreNotFound, "store %d not found", id)
	}
	return memberID, err
}
