package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
)

const storeColumns = `id, member_id, member_username, name, phone, description, business_number, address, dong,
	latitude, longitude, image_url, category, weekday_open_time, weekday_close_time, weekend_open_time,
	weekend_close_time, created_at, updated_at`

// CreateStore inserts s, located in district, and sets its ID and times.
func (db *DB) CreateStore(ctx context.Context, s *couponpop.Store, district string) (Position, error) {
	return db.update(ctx, func(tx *Tx) error { return tx.insertStore(ctx, s, district) })
}

// CreateStores inserts many stores in one transaction, for bulk loads (demo
// data, benchmarks); districts[i] is the district of stores[i].
func (db *DB) CreateStores(ctx context.Context, stores []*couponpop.Store, districts []string) (Position, error) {
	if len(stores) != len(districts) {
		return 0, fmt.Errorf("create stores: %d stores but %d districts", len(stores), len(districts))
	}
	return db.update(ctx, func(tx *Tx) error {
		for i, s := range stores {
			if err := tx.insertStore(ctx, s, districts[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertStore inserts s and sets its ID and times.
func (tx *Tx) insertStore(ctx context.Context, s *couponpop.Store, district string) error {
	now := millis(tx.now)
	in := &s.StoreInput
	err := tx.QueryRowContext(ctx, `INSERT INTO stores (member_id, member_username, name, phone, description,
		business_number, address, dong, latitude, longitude, image_url, category, weekday_open_time,
		weekday_close_time, weekend_open_time, weekend_close_time, district, cell, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.MemberID, s.MemberUsername, in.Name, in.Phone, in.Description, in.BusinessNumber, in.Address, in.Dong,
		in.Latitude, in.Longitude, in.ImageURL, in.StoreCategory, in.WeekdayOpenTime, in.WeekdayCloseTime,
		in.WeekendOpenTime, in.WeekendCloseTime, district, geo.CellKey(in.Latitude, in.Longitude), now, now).Scan(&s.ID)
	if err != nil {
		return err
	}
	s.CreatedAt, s.UpdatedAt = tx.now, tx.now
	return tx.indexStore(ctx, s)
}

// UpdateStore replaces the owner-editable fields of s.
func (db *DB) UpdateStore(ctx context.Context, s *couponpop.Store, district string) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		in := &s.StoreInput
		res, err := tx.ExecContext(ctx, `UPDATE stores SET name = ?, phone = ?, description = ?, business_number = ?,
			address = ?, dong = ?, latitude = ?, longitude = ?, image_url = ?, category = ?, weekday_open_time = ?,
			weekday_close_time = ?, weekend_open_time = ?, weekend_close_time = ?, district = ?, cell = ?, updated_at = ?
			WHERE id = ? AND deleted_at IS NULL`,
			in.Name, in.Phone, in.Description, in.BusinessNumber, in.Address, in.Dong, in.Latitude, in.Longitude,
			in.ImageURL, in.StoreCategory, in.WeekdayOpenTime, in.WeekdayCloseTime, in.WeekendOpenTime,
			in.WeekendCloseTime, district, geo.CellKey(in.Latitude, in.Longitude), millis(tx.now), s.ID)
		if err := notFoundIfNone(res, err, couponpop.EStoreNotFound, "store not found"); err != nil {
			return err
		}
		s.UpdatedAt = tx.now
		return tx.indexStore(ctx, s)
	})
}

// DeleteStore soft-deletes a store: it leaves nearby and search at once,
// and its events that have not ended are canceled, as an owner's cancel
// does (coupons already issued stay; using them is refused, see UseCoupon).
func (db *DB) DeleteStore(ctx context.Context, id int64) (Position, error) {
	var canceled []int64
	pos, err := db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		res, err := tx.ExecContext(ctx, `UPDATE stores SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`, now, now, id)
		if err := notFoundIfNone(res, err, couponpop.EStoreNotFound, "store not found"); err != nil {
			return err
		}
		if canceled, err = tx.cancelStoreEvents(ctx, id); err != nil {
			return err
		}
		return tx.unindexStore(ctx, id)
	})
	if err != nil {
		return 0, err
	}
	for _, e := range canceled {
		db.forgetEvent(e)
	}
	return pos, nil
}

// cancelStoreEvents cancels the store's events that have not ended and
// returns their IDs.
func (tx *Tx) cancelStoreEvents(ctx context.Context, storeID int64) ([]int64, error) {
	now := millis(tx.now)
	rows, err := tx.QueryContext(ctx, `UPDATE coupon_events SET status = 'CANCELED', updated_at = ?
		WHERE store_id = ? AND status != 'CANCELED' AND end_at > ? RETURNING id`, now, storeID, now)
	if err != nil {
		return nil, fmt.Errorf("cancel events of store %d: %w", storeID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// StoreByID returns a store that has not been deleted.
func (db *DB) StoreByID(ctx context.Context, id int64) (*couponpop.Store, error) {
	s, err := scanStore(db.read.QueryRowContext(ctx, `SELECT `+storeColumns+` FROM stores WHERE id = ? AND deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, couponpop.Errorf(couponpop.EStoreNotFound, "store %d not found", id)
	}
	return s, err
}

// StoresByMember returns the member's stores in this shard, newest first.
func (db *DB) StoresByMember(ctx context.Context, memberID int64) ([]*couponpop.Store, error) {
	return db.queryStores(ctx, `SELECT `+storeColumns+` FROM stores WHERE member_id = ? AND deleted_at IS NULL ORDER BY id DESC`, memberID)
}

// StoresByIDs returns the live stores among ids, in no particular order.
func (db *DB) StoresByIDs(ctx context.Context, ids []int64) ([]*couponpop.Store, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT ` + storeColumns + ` FROM stores WHERE deleted_at IS NULL AND id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
	return db.queryStores(ctx, q, args...)
}

func (db *DB) queryStores(ctx context.Context, query string, args ...any) ([]*couponpop.Store, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*couponpop.Store
	for rows.Next() {
		s, err := scanStore(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanStore(row scanner) (*couponpop.Store, error) {
	var s couponpop.Store
	var created, updated int64
	in := &s.StoreInput
	err := row.Scan(&s.ID, &s.MemberID, &s.MemberUsername, &in.Name, &in.Phone, &in.Description, &in.BusinessNumber,
		&in.Address, &in.Dong, &in.Latitude, &in.Longitude, &in.ImageURL, &in.StoreCategory, &in.WeekdayOpenTime,
		&in.WeekdayCloseTime, &in.WeekendOpenTime, &in.WeekendCloseTime, &created, &updated)
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &s, nil
}
