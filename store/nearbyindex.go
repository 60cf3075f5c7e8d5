package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/couponpop/couponpop"
)

// StoreEvents are a store's events that may run: active, with coupons left
// and not ended when they were loaded, soonest ending first (ties by ID). A
// change of any of them (a claim, a use, a stock or status change, a new
// event) replaces the store's StoreEvents; one is never changed.
type StoreEvents struct {
	events []*couponpop.Event
	// Encoded is free for the API layer to keep its encoding of the events
	// running in [From, Until) in.
	Encoded atomic.Pointer[EncodedEvents]
}

// EncodedEvents is an encoding of the events that run from From until
// Until: the running set does not change in between.
type EncodedEvents struct {
	From, Until time.Time
	Data        []byte
}

// endOfTime stands for "no later boundary".
var endOfTime = time.Unix(1<<62, 0)

// Running returns the events that run at now (RunningEvents' rule: started,
// not ended), and the span [from, until) around now in which that set stays
// the same.
func (se *StoreEvents) Running(now time.Time) (running []*couponpop.Event, from, until time.Time) {
	until = endOfTime
	if se == nil {
		return nil, from, until
	}
	for _, e := range se.events {
		for _, t := range [2]time.Time{e.StartAt, e.EndAt} {
			if t.After(now) {
				if t.Before(until) {
					until = t
				}
			} else if t.After(from) {
				from = t
			}
		}
		if !e.StartAt.After(now) && e.EndAt.After(now) {
			running = append(running, e)
		}
	}
	return running, from, until
}

// storeEntry is one live store in the index, 40 bytes.
type storeEntry struct {
	cell     int64 // geo.CellKey of the location, as the stores table has it
	id       int64
	lat, lng float64
	listing  *Listing
}

func compareEntries(a, b storeEntry) int {
	return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.id, b.id))
}

// storeIndex is a shard's live stores and their events in memory, the
// stores sorted by cell: nearby and the map read it instead of SQLite. It
// follows the shard's commit position: a query that finds the position
// seen (db.seen) past the index's first applies the store changes
// (store_changes) and event changes (live_changes) committed since, in one
// read transaction, so a reader that has waited for a position (read your
// writes) sees it, on a primary or a replica alike.
type storeIndex struct {
	mu      sync.RWMutex
	entries []storeEntry           // sorted by compareEntries
	cellOf  map[int64]int64        // store id -> cell of its entry
	events  map[int64]*StoreEvents // store id -> its events that may run

	syncMu   sync.Mutex    // one catch-up at a time; guards the fields below
	ready    atomic.Bool   // built once
	pos      atomic.Uint64 // the commit position applied
	storeSeq int64         // the store_changes seq applied
	liveID   int64         // the live_changes id applied
}

// indexRebuildShare: when more than 1/indexRebuildShare of the stores
// changed since the last catch-up (bulk loads), the index is rebuilt rather
// than patched.
const indexRebuildShare = 8

// storeIndex returns the shard's index, first brought up to the newest
// commit position seen (db.seen): its own commits at once, another node's
// once Position, WaitPosition or the position follower has read it.
func (db *DB) storeIndex(ctx context.Context) (*storeIndex, error) {
	x := &db.index
	pos := uint64(db.seen.load())
	if x.ready.Load() && x.pos.Load() >= pos {
		return x, nil
	}
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	if x.ready.Load() && x.pos.Load() >= pos {
		return x, nil
	}
	if err := db.catchUpIndex(ctx); err != nil {
		return nil, fmt.Errorf("nearby index: %w", err)
	}
	return x, nil
}

// catchUpIndex applies, in one read transaction, whatever was committed
// since the last catch-up (everything, the first time). syncMu is held.
func (db *DB) catchUpIndex(ctx context.Context) error {
	x := &db.index
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var pos uint64
	if err := tx.QueryRowContext(ctx, `SELECT pos FROM position WHERE id = 1`).Scan(&pos); err != nil {
		return err
	}
	var maxSeq, firstLive, lastLive int64
	if err := tx.QueryRowContext(ctx, `SELECT IFNULL(MAX(seq), 0) FROM store_changes`).Scan(&maxSeq); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT IFNULL(MIN(id), 0), IFNULL(MAX(id), 0) FROM live_changes`).Scan(&firstLive, &lastLive); err != nil {
		return err
	}
	now := db.now()
	if !x.ready.Load() {
		if err := x.rebuildStores(ctx, tx); err != nil {
			return err
		}
		if err := x.rebuildEvents(ctx, tx, now); err != nil {
			return err
		}
	} else {
		changed, err := int64sOf(ctx, tx, `SELECT store_id FROM store_changes WHERE seq > ? ORDER BY seq`, x.storeSeq)
		if err != nil {
			return err
		}
		x.mu.RLock()
		n := len(x.entries)
		x.mu.RUnlock()
		if len(changed) > 1024 && len(changed) > n/indexRebuildShare {
			err = x.rebuildStores(ctx, tx)
		} else if len(changed) > 0 {
			err = x.patchStores(ctx, tx, changed)
		}
		if err != nil {
			return err
		}
		switch {
		case lastLive > x.liveID && firstLive > x.liveID+1:
			// The feed's head was pruned past what was applied.
			err = x.rebuildEvents(ctx, tx, now)
		case lastLive > x.liveID || len(changed) > 0:
			var stores []int64
			if lastLive > x.liveID {
				if stores, err = int64sOf(ctx, tx, `SELECT DISTINCT store_id FROM live_changes WHERE id > ?`, x.liveID); err != nil {
					return err
				}
			}
			// A moved or deleted store's events go (or come) with it.
			err = x.reloadEvents(ctx, tx, append(stores, changed...), now)
		}
		if err != nil {
			return err
		}
	}
	x.storeSeq, x.liveID = maxSeq, lastLive
	x.pos.Store(pos)
	db.seen.note(Position(pos))
	x.ready.Store(true)
	return nil
}

// listingRowColumns are listingColumns and the cell of a store row.
const listingRowColumns = listingColumns + `, cell`

func scanListing(rows *sql.Rows) (storeEntry, error) {
	var id, memberID, cell int64
	var lat, lng float64
	var t [len(listingText)]string
	if err := rows.Scan(&id, &memberID, &t[textName], &t[textAddress], &t[textDong], &lat, &lng, &t[textImageURL],
		&t[textCategory], &t[textWeekdayOpen], &t[textWeekdayClose], &t[textWeekendOpen], &t[textWeekendClose], &cell); err != nil {
		return storeEntry{}, err
	}
	return storeEntry{cell: cell, id: id, lat: lat, lng: lng, listing: newListing(id, memberID, t)}, nil
}

// rebuildStores loads every live store.
func (x *storeIndex) rebuildStores(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+listingRowColumns+` FROM stores WHERE deleted_at IS NULL ORDER BY cell, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var entries []storeEntry
	for rows.Next() {
		e, err := scanListing(rows)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	entries = slices.Clip(entries)
	cellOf := make(map[int64]int64, len(entries))
	for _, e := range entries {
		cellOf[e.id] = e.cell
	}
	x.mu.Lock()
	x.entries, x.cellOf = entries, cellOf
	x.mu.Unlock()
	return nil
}

// patchStores reloads the given stores: a live one is put (back) in at its
// cell, any other taken out.
func (x *storeIndex) patchStores(ctx context.Context, tx *sql.Tx, ids []int64) error {
	list, _ := json.Marshal(ids)
	rows, err := tx.QueryContext(ctx, `SELECT `+listingRowColumns+` FROM stores
		WHERE deleted_at IS NULL AND id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return err
	}
	defer rows.Close()
	var live []storeEntry
	for rows.Next() {
		e, err := scanListing(rows)
		if err != nil {
			return err
		}
		live = append(live, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(ids) > 32 {
		x.merge(ids, live)
		return nil
	}
	for _, id := range ids {
		x.remove(id)
	}
	for _, e := range live {
		i, _ := slices.BinarySearchFunc(x.entries, e, compareEntries)
		x.entries = slices.Insert(x.entries, i, e)
		x.cellOf[e.id] = e.cell
	}
	return nil
}

// merge replaces the entries of stores ids by live in one pass over the
// index, for many changes at once. mu is held.
func (x *storeIndex) merge(ids []int64, live []storeEntry) {
	gone := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if _, ok := x.cellOf[id]; ok {
			gone[id] = true
			delete(x.cellOf, id)
		}
	}
	slices.SortFunc(live, compareEntries)
	out := make([]storeEntry, 0, len(x.entries)-len(gone)+len(live))
	i := 0
	for _, e := range x.entries {
		if gone[e.id] {
			continue
		}
		for i < len(live) && compareEntries(live[i], e) < 0 {
			out = append(out, live[i])
			i++
		}
		out = append(out, e)
	}
	out = append(out, live[i:]...)
	for _, e := range live {
		x.cellOf[e.id] = e.cell
	}
	x.entries = out
}

// remove takes store id out of the index, if it is there. mu is held.
func (x *storeIndex) remove(id int64) {
	cell, ok := x.cellOf[id]
	if !ok {
		return
	}
	delete(x.cellOf, id)
	if i, found := slices.BinarySearchFunc(x.entries, storeEntry{cell: cell, id: id}, compareEntries); found {
		x.entries = slices.Delete(x.entries, i, i+1)
	}
}

// mayRunSQL selects the events that may run at or after ?1.
const mayRunSQL = `SELECT ` + eventColumns + ` FROM coupon_events
	WHERE end_at > ?1 AND status = 'ACTIVE' AND issued_count < total_count`

// rebuildEvents loads every event that may still run.
func (x *storeIndex) rebuildEvents(ctx context.Context, tx *sql.Tx, now time.Time) error {
	byStore, err := eventsByStore(ctx, tx, mayRunSQL+` ORDER BY end_at, id`, millis(now))
	if err != nil {
		return err
	}
	x.mu.Lock()
	x.events = byStore
	x.mu.Unlock()
	return nil
}

// reloadEvents reloads the events of the given stores.
func (x *storeIndex) reloadEvents(ctx context.Context, tx *sql.Tx, storeIDs []int64, now time.Time) error {
	slices.Sort(storeIDs)
	storeIDs = slices.Compact(storeIDs)
	list, _ := json.Marshal(storeIDs)
	byStore, err := eventsByStore(ctx, tx, mayRunSQL+` AND store_id IN (SELECT value FROM json_each(?2)) ORDER BY end_at, id`,
		millis(now), string(list))
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range storeIDs {
		if se := byStore[id]; se != nil {
			x.events[id] = se
		} else {
			delete(x.events, id)
		}
	}
	return nil
}

func eventsByStore(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[int64]*StoreEvents, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*StoreEvents{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		se := out[e.StoreID]
		if se == nil {
			se = &StoreEvents{}
			out[e.StoreID] = se
		}
		se.events = append(se.events, e)
	}
	return out, rows.Err()
}

func int64sOf(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NearbyIndexStats describe a shard's in-memory nearby index.
type NearbyIndexStats struct {
	Stores      int   // live stores held
	EventStores int   // stores with events that may run
	EntryBytes  int64 // the cell-sorted array: EntryBytes/Stores a store
	Position    Position
}

// NearbyIndexStats reports the size of the shard's nearby index, first
// brought up to the position the file holds now.
func (db *DB) NearbyIndexStats(ctx context.Context) (NearbyIndexStats, error) {
	if _, err := db.Position(ctx); err != nil {
		return NearbyIndexStats{}, err
	}
	x, err := db.storeIndex(ctx)
	if err != nil {
		return NearbyIndexStats{}, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return NearbyIndexStats{Stores: len(x.entries), EventStores: len(x.events),
		EntryBytes: int64(cap(x.entries)) * int64(unsafe.Sizeof(storeEntry{})), Position: Position(x.pos.Load())}, nil
}
