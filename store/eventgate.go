package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
)

// eventGate is what a claim is checked against before it queues: the
// event's fixed facts and whether it was last seen sold out.
type eventGate struct {
	event              *couponpop.Event
	storeLat, storeLng float64
	soldOut            bool
	loadedAt           time.Time
}

// gateTTL bounds how stale a cached gate may be.
const gateTTL = 2 * time.Second

// eventGates caches event gates so refusals that need no write (not found,
// not started, ended, paused, sold out, too far) never reach the writer.
// The writer re-checks everything in SQL: the cache only saves work.
type eventGates struct {
	mu    sync.RWMutex
	gates map[int64]*eventGate
}

func (g *eventGates) check(ctx context.Context, db *DB, req ClaimRequest) error {
	gate, err := g.get(ctx, db, req.EventID)
	if err != nil {
		return err
	}
	e := gate.event
	if err := claimableAt(e, db.now()); err != nil && couponpop.ErrorCode(err) != couponpop.EEventCouponSoldOut {
		return err
	}
	if gate.soldOut {
		if err := alreadyIssued(ctx, db.read, req); err != nil {
			return err
		}
		return couponpop.Errorf(couponpop.EEventCouponSoldOut, "event %d is sold out", e.ID)
	}
	if e.ClaimRadiusMeters > 0 {
		if !req.HasLocation {
			return couponpop.Errorf(couponpop.ELocationRequired, "event %d needs your location: send latitude and longitude", e.ID)
		}
		if d := geo.DistanceMeters(req.Latitude, req.Longitude, gate.storeLat, gate.storeLng); d > e.ClaimRadiusMeters {
			return couponpop.Errorf(couponpop.ELocationOutOfRange, "you are %.0f m from the store; this event needs %.0f m or less", d, e.ClaimRadiusMeters)
		}
	}
	return nil
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
	gate = &eventGate{event: e, soldOut: e.IssuedCount >= e.TotalCount, loadedAt: time.Now()}
	if err := db.read.QueryRowContext(ctx, `SELECT latitude, longitude FROM stores WHERE id = ?`, e.StoreID).Scan(&gate.storeLat, &gate.storeLng); err != nil {
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
		copy := *gate
		copy.soldOut = true
		g.gates[id] = &copy
	}
}

// forgetEvent drops the cached gate of an event that changed.
func (db *DB) forgetEvent(id int64) {
	db.gates.mu.Lock()
	delete(db.gates.gates, id)
	db.gates.mu.Unlock()
}
