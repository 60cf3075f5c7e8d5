package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
)

// eventGate is what a claim is checked against before it queues: the
// event as last read (its issued count raised to the total once the writer
// saw it sold out) and where its store is.
type eventGate struct {
	event    *couponpop.Event
	storeAt  couponpop.LatLng
	loadedAt time.Time
}

// gateTTL bounds how stale a cached gate may be.
const gateTTL = 2 * time.Second

// eventGates caches event gates so refusals that need no write (not found,
// not started, ended, paused, sold out, too far) never reach the writer.
// The writer checks the same rules (Event.Claimable) on the event as its
// transaction sees it: the cache only saves work.
type eventGates struct {
	mu    sync.RWMutex
	gates map[int64]*eventGate
}

func (g *eventGates) check(ctx context.Context, db *DB, req ClaimRequest) error {
	gate, err := g.get(ctx, db, req.EventID)
	if err != nil {
		return err
	}
	err = gate.event.Claimable(db.now(), gate.storeAt, req.location())
	if couponpop.ErrorCode(err) == couponpop.EEventCouponSoldOut {
		if err := alreadyIssued(ctx, db.read, req); err != nil {
			return err
		}
	}
	return err
}

func (g *eventGates) get(ctx context.Context, db *DB, id int64) (*eventGate, error) {
	g.mu.RLock()
	gate := g.gates[id]
	g.mu.RUnlock()
	if gate != nil && time.Since(gate.loadedAt) < gateTTL {
		return gate, nil
	}
	e, err := db.EventByID(ctx, id)
	if err != nil {
		return nil, err
	}
	gate = &eventGate{event: e, loadedAt: time.Now()}
	if gate.storeAt, err = storeLocation(ctx, db.read, e.StoreID); err != nil {
		return nil, fmt.Errorf("store of event %d: %w", id, err)
	}
	g.mu.Lock()
	if g.gates == nil {
		g.gates = map[int64]*eventGate{}
	}
	g.gates[id] = gate
	g.mu.Unlock()
	return gate, nil
}

func (g *eventGates) markSoldOut(id int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gate := g.gates[id]; gate != nil {
		e := *gate.event
		e.IssuedCount = max(e.IssuedCount, e.TotalCount)
		g.gates[id] = &eventGate{event: &e, storeAt: gate.storeAt, loadedAt: gate.loadedAt}
	}
}

// forgetEvent drops the cached gate of an event that changed.
func (db *DB) forgetEvent(id int64) {
	db.gates.mu.Lock()
	delete(db.gates.gates, id)
	db.gates.mu.Unlock()
}

// storeLocation returns where a store is.
func storeLocation(ctx context.Context, q queryRower, storeID int64) (couponpop.LatLng, error) {
	var at couponpop.LatLng
	err := q.QueryRowContext(ctx, `SELECT latitude, longitude FROM stores WHERE id = ?`, storeID).Scan(&at.Lat, &at.Lng)
	return at, err
}
