package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// DistrictMove is what MoveDistrict moved: every row under its new ID.
type DistrictMove struct {
	District string
	From, To int
	// Stores, Events and Coupons map old IDs to new ones.
	Stores, Events, Coupons map[int64]int64
	// History, Keys and Vectors count the coupon history rows, idempotency
	// keys and store embeddings copied.
	History, Keys, Vectors int
}

// The rows of a district, as SQL conditions on each table (? = the district).
const (
	districtStores = `SELECT id FROM stores WHERE district = ?`
	districtEvents = `SELECT id FROM coupon_events WHERE store_id IN (` + districtStores + `)`
	districtCoupon = `SELECT id FROM coupons WHERE event_id IN (` + districtEvents + `)`
)

// MoveDistrict moves a district from shard src to shard dst: its stores
// (deleted ones too), their coupon events, coupons, coupon history, the
// idempotency keys that name those coupons and the stores' embeddings are
// copied into dst under new IDs (IDs carry the shard), in one transaction
// of dst; then they are deleted from src in one transaction of src. The
// keyword index follows (written in dst, removed from src); outbox rows
// stay in src.
//
// It is for a stopped cluster: no app may serve either shard meanwhile (the
// claim writer's gates, the vector index in memory and the routing by the
// shard map all assume the rows stay put). SQLite cannot commit two WAL
// files atomically: when the copy committed and the delete did not, the
// rows are in both shards, and MoveDistrict refuses to copy again; finish
// with DeleteDistrict on src.
func MoveDistrict(ctx context.Context, src, dst *DB, district string) (*DistrictMove, error) {
	switch {
	case src.shard == GlobalShard || dst.shard == GlobalShard:
		return nil, fmt.Errorf("move %s: shard 0 holds no districts", district)
	case src.shard == dst.shard:
		return nil, fmt.Errorf("move %s: source and destination are both shard %d", district, src.shard)
	}
	n, err := countStores(ctx, src.read, district)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("move %s: shard %d has no stores there", district, src.shard)
	}
	if n, err := countStores(ctx, dst.read, district); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("move %s: shard %d already has %d of its stores (an earlier move stopped after the copy? "+
			"then delete them from shard %d to finish)", district, dst.shard, n, src.shard)
	}
	mv := &DistrictMove{District: district, From: src.shard, To: dst.shard,
		Stores: map[int64]int64{}, Events: map[int64]int64{}, Coupons: map[int64]int64{}}
	if _, err := dst.update(ctx, func(tx *Tx) error { return mv.copy(ctx, src, tx) }); err != nil {
		return nil, fmt.Errorf("move %s: copy into shard %d: %w", district, dst.shard, err)
	}
	if err := DeleteDistrict(ctx, src, district); err != nil {
		return mv, fmt.Errorf("move %s: copied into shard %d, but: %w", district, dst.shard, err)
	}
	return mv, nil
}

// copy copies the district's rows from src into tx (of the destination).
func (mv *DistrictMove) copy(ctx context.Context, src *DB, tx *Tx) error {
	var vectorSeq int64 // embeddings are numbered after dst's newest
	if err := tx.QueryRowContext(ctx, `SELECT IFNULL(MAX(seq), 0) FROM store_vectors`).Scan(&vectorSeq); err != nil {
		return err
	}
	specs := []copySpec{
		{table: "stores", where: `id IN (` + districtStores + `)`, ids: mv.Stores,
			cols: `member_id, member_username, name, phone, description, business_number, address, dong, latitude, longitude,
			image_url, category, weekday_open_time, weekday_close_time, weekend_open_time, weekend_close_time, district, cell,
			created_at, updated_at, deleted_at`},
		{table: "coupon_events", where: `id IN (` + districtEvents + `)`, ids: mv.Events,
			cols: `store_id, member_id, name, start_at, end_at, total_count, issued_count, used_count, status,
			claim_radius_meters, coupon_valid_hours, created_at, updated_at`,
			remap: map[string]map[int64]int64{"store_id": mv.Stores}},
		{table: "coupons", where: `id IN (` + districtCoupon + `)`, ids: mv.Coupons,
			cols:  `event_id, member_id, store_id, status, issued_at, expire_at, used_at, event_end_at, claim_latitude, claim_longitude`,
			remap: map[string]map[int64]int64{"event_id": mv.Events, "store_id": mv.Stores}},
		{table: "coupon_history", where: `event_id IN (` + districtEvents + `)`, count: &mv.History,
			cols:  `coupon_id, member_id, event_id, store_id, action, at, latitude, longitude`,
			remap: map[string]map[int64]int64{"coupon_id": mv.Coupons, "event_id": mv.Events, "store_id": mv.Stores}},
		// A key the member also used in dst keeps dst's answer.
		{table: "idempotency_keys", where: `coupon_id IN (` + districtCoupon + `)`, count: &mv.Keys, orIgnore: true,
			cols:  `member_id, key, coupon_id, code, message, created_at, event_id`,
			remap: map[string]map[int64]int64{"coupon_id": mv.Coupons, "event_id": mv.Events}},
		{table: "store_vectors", where: `store_id IN (` + districtStores + `)`, count: &mv.Vectors, seq: &vectorSeq,
			cols:  `store_id, model, content_hash, vector, seq`,
			remap: map[string]map[int64]int64{"store_id": mv.Stores}},
	}
	for _, spec := range specs {
		n, err := spec.run(ctx, src.read, tx, mv.District)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.table, err)
		}
		if spec.count != nil {
			*spec.count = n
		}
	}
	// The copies count themselves into the dashboard and the feed, as new
	// coupons do (they are the coupons from the first copy's ID on).
	if len(mv.Coupons) > 0 {
		first := int64(0)
		for _, id := range mv.Coupons {
			if first == 0 || id < first {
				first = id
			}
		}
		if err := CountNewCoupons(ctx, tx, first); err != nil {
			return err
		}
	}
	// The keyword index of the live stores, under their new IDs.
	for _, id := range mv.Stores {
		st, err := scanStore(tx.QueryRowContext(ctx, `SELECT `+storeColumns+` FROM stores WHERE id = ? AND deleted_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return err
		}
		if err := tx.indexStore(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// copySpec copies the rows of one table matching where (its ? is the
// district) from the source shard into the destination's transaction.
type copySpec struct {
	table, cols, where string
	// remap translates these columns from old IDs to new ones.
	remap map[string]map[int64]int64
	// ids, when set, receives old → new of the table's id column.
	ids      map[int64]int64
	count    *int
	orIgnore bool
	// seq, when set, renumbers the seq column after *seq.
	seq *int64
}

func (c copySpec) run(ctx context.Context, src *sql.DB, tx *Tx, district string) (int, error) {
	names := strings.Split(c.cols, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	sel := "SELECT " + strings.Join(names, ", ")
	if c.ids != nil {
		sel = "SELECT id, " + strings.Join(names, ", ")
	}
	rows, err := src.QueryContext(ctx, sel+" FROM "+c.table+" WHERE "+c.where, district)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	verb := "INSERT"
	if c.orIgnore {
		verb = "INSERT OR IGNORE"
	}
	insert := verb + " INTO " + c.table + " (" + strings.Join(names, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	if c.ids != nil {
		insert += " RETURNING id"
	}
	stmt, err := tx.PrepareContext(ctx, insert)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	for rows.Next() {
		vals := make([]any, len(names))
		dest := make([]any, 0, len(names)+1)
		var oldID int64
		if c.ids != nil {
			dest = append(dest, &oldID)
		}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		for i, name := range names {
			if name == "seq" && c.seq != nil {
				*c.seq++
				vals[i] = *c.seq
			}
			if m := c.remap[name]; m != nil && vals[i] != nil {
				old, ok := vals[i].(int64)
				if !ok || m[old] == 0 {
					return n, fmt.Errorf("%s %v names a row that was not copied", name, vals[i])
				}
				vals[i] = m[old]
			}
		}
		if c.ids != nil {
			var newID int64
			if err := stmt.QueryRowContext(ctx, vals...).Scan(&newID); err != nil {
				return n, err
			}
			c.ids[oldID] = newID
		} else if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// DeleteDistrict deletes a district's stores, their events, coupons,
// coupon history, idempotency keys, embeddings and keyword rows from db, in
// one transaction: the second half of MoveDistrict.
func DeleteDistrict(ctx context.Context, db *DB, district string) error {
	_, err := db.update(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, districtStores, district)
		if err != nil {
			return err
		}
		var stores []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			stores = append(stores, id)
		}
		rows.Close()
		for _, id := range stores {
			if _, err := tx.ExecContext(ctx, ftsDeleteSQL, id); err != nil {
				return err
			}
		}
		// The keyword caches and phrase counts follow the generation: one
		// step per keyword row gone, as for any other store write.
		if _, err := tx.ExecContext(ctx, `UPDATE search_index_state SET fts_generation = fts_generation + ? WHERE id = 1`, len(stores)); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM coupon_history WHERE event_id IN (` + districtEvents + `)`,
			`DELETE FROM idempotency_keys WHERE coupon_id IN (` + districtCoupon + `)`,
			`DELETE FROM coupons WHERE event_id IN (` + districtEvents + `)`,
			`DELETE FROM coupon_events WHERE store_id IN (` + districtStores + `)`,
			`DELETE FROM store_vectors WHERE store_id IN (` + districtStores + `)`,
			`DELETE FROM stores WHERE district = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, district); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %s from shard %d: %w", district, db.shard, err)
	}
	return nil
}

func countStores(ctx context.Context, q *sql.DB, district string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM stores WHERE district = ?`, district).Scan(&n)
	return n, err
}
