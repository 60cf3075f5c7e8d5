package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/couponpop/couponpop/store"
)

// LiveConfig tunes the live streams (GET /owner/stores/{storeId}/live).
type LiveConfig struct {
	// FollowInterval is how often each shard's follower looks at the
	// shard's commit position; default 100 ms. A change reaches its
	// streams within about this much of its commit on this node.
	FollowInterval time.Duration
	// Heartbeat is the period of the comment that keeps idle streams open
	// through proxies; default 15 s.
	Heartbeat time.Duration
	// Buffer is how many changes a stream may fall behind before it is
	// dropped; default 256.
	Buffer int
	// RetainChanges and RetainFor bound the change feed a primary keeps
	// for Last-Event-ID catch-up: every change but the newest
	// RetainChanges, and changes older than RetainFor, are pruned every
	// PruneInterval. Defaults: 100,000 changes, 24 h, 1 min.
	RetainChanges int
	RetainFor     time.Duration
	PruneInterval time.Duration
}

func (c LiveConfig) withDefaults() LiveConfig {
	if c.FollowInterval <= 0 {
		c.FollowInterval = 100 * time.Millisecond
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.Buffer <= 0 {
		c.Buffer = 256
	}
	if c.RetainChanges <= 0 {
		c.RetainChanges = 100_000
	}
	if c.RetainFor <= 0 {
		c.RetainFor = 24 * time.Hour
	}
	if c.PruneInterval <= 0 {
		c.PruneInterval = time.Minute
	}
	return c
}

// liveReadBatch is how many changes a follower or a catch-up reads at once.
const liveReadBatch = 1000

// errLiveClosed is a subscription to a hub that has stopped.
var errLiveClosed = errors.New("live updates are stopping")

// liveHub fans one shard's change feed out to the streams of its stores.
// One follower a shard a node (follow) reads the changes committed since
// the last it saw, whenever the shard's commit position moves, and hands
// each to the subscribers of its store in memory: subscribers never query
// SQLite, and the claim writer never waits for them.
type liveHub struct {
	db  *store.DB
	cfg LiveConfig

	mu     sync.Mutex
	subs   map[int64]map[*liveSub]struct{} // by store id
	last   int64                           // newest change handed out
	ready  bool                            // last is known
	closed bool
}

// liveSub is one open stream of a store.
type liveSub struct {
	storeID int64
	ch      chan []byte // SSE frames (liveFrame), shared by every stream
	// gone is closed when the hub drops the stream: too slow, or the hub
	// stopped.
	gone chan struct{}
	// from is the hub's last change when the stream subscribed: every
	// change after it comes through ch.
	from int64
}

func newLiveHub(db *store.DB, cfg LiveConfig) *liveHub {
	return &liveHub{db: db, cfg: cfg, subs: map[int64]map[*liveSub]struct{}{}}
}

// subscribe opens a stream of storeID's changes after the hub's newest.
func (h *liveHub) subscribe(storeID int64) (*liveSub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errLiveClosed
	}
	if !h.ready {
		return nil, errors.New("live updates are starting")
	}
	sub := &liveSub{storeID: storeID, ch: make(chan []byte, h.cfg.Buffer), gone: make(chan struct{}), from: h.last}
	if h.subs[storeID] == nil {
		h.subs[storeID] = map[*liveSub]struct{}{}
	}
	h.subs[storeID][sub] = struct{}{}
	return sub, nil
}

// unsubscribe closes a stream (once; the hub may have dropped it already).
func (h *liveHub) unsubscribe(sub *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(sub)
}

func (h *liveHub) dropLocked(sub *liveSub) {
	subs := h.subs[sub.storeID]
	if _, ok := subs[sub]; !ok {
		return
	}
	delete(subs, sub)
	if len(subs) == 0 {
		delete(h.subs, sub.storeID)
	}
	close(sub.gone)
}

// deliver hands changes to their stores' streams, dropping any stream
// whose buffer is full rather than waiting for it. Each change is encoded
// once, however many streams it goes to.
func (h *liveHub) deliver(changes []store.LiveChange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range changes {
		subs := h.subs[c.StoreID]
		if len(subs) == 0 {
			h.last = c.ID
			continue
		}
		frame := liveFrame(c)
		for sub := range subs {
			select {
			case sub.ch <- frame:
			default:
				h.dropLocked(sub)
			}
		}
		h.last = c.ID
	}
}

// start sets the hub at the shard's newest change: streams that open
// later catch up from the table (Last-Event-ID), not from the follower.
func (h *liveHub) start(ctx context.Context) error {
	last, err := h.db.LastLiveChangeID(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.last, h.ready = last, true
	h.mu.Unlock()
	return nil
}

// stop drops every stream and refuses new ones.
func (h *liveHub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, subs := range h.subs {
		for sub := range subs {
			h.dropLocked(sub)
		}
	}
}

// follow keeps the hub in step with the shard until ctx ends: every
// FollowInterval it reads the shard's commit position (one query), and
// when the position moved, the changes after the last one it handed out.
// writes reports whether this node writes the shard: then it also prunes
// the feed.
func (h *liveHub) follow(ctx context.Context, writes func() bool, onErr func(error)) {
	defer h.stop()
	tick := time.NewTicker(h.cfg.FollowInterval)
	defer tick.Stop()
	var pos store.Position
	var pruned time.Time
	for {
		if !h.isReady() {
			if err := h.start(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		} else if err := h.poll(ctx, &pos); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		if now := time.Now(); now.Sub(pruned) >= h.cfg.PruneInterval && writes() {
			pruned = now
			if _, err := h.db.PruneLiveChanges(ctx, h.cfg.RetainChanges, h.db.Now().Add(-h.cfg.RetainFor)); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (h *liveHub) isReady() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ready
}

// poll hands out the changes committed since the last poll, if the commit
// position moved.
func (h *liveHub) poll(ctx context.Context, pos *store.Position) error {
	cur, err := h.db.Position(ctx)
	if err != nil || cur == *pos {
		return err
	}
	newest, err := h.db.LastLiveChangeID(ctx)
	if err != nil {
		return err
	}
	if h.skipIfIdle(newest) {
		*pos = cur
		return nil
	}
	last := h.lastSeen()
	delivered := false
	for {
		changes, err := h.db.LiveChangesSince(ctx, last, liveReadBatch)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			break
		}
		h.deliver(changes)
		delivered, last = true, changes[len(changes)-1].ID
		if len(changes) < liveReadBatch {
			break
		}
	}
	if !delivered && newest < last {
		// After a failover to a node that had not seen our newest ids, the
		// feed's ids restart lower: follow them from there.
		h.mu.Lock()
		h.last = newest
		h.mu.Unlock()
	}
	*pos = cur
	return nil
}

// skipIfIdle moves the hub past every change up to newest when no stream
// is open, and reports whether it did: under a claim burst with nobody
// watching, the feed is not read at all. A stream opened afterwards starts
// at newest; one opened before keeps the hub reading.
func (h *liveHub) skipIfIdle(newest int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) > 0 {
		return false
	}
	h.last = newest // lower too, after a failover
	return true
}

func (h *liveHub) lastSeen() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// subscribers counts the open streams (tests, metrics).
func (h *liveHub) subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.subs {
		n += len(subs)
	}
	return n
}

// followLive starts one follower a district shard held here, on ctx; the
// returned func waits for them to stop (each drops its streams as it
// stops, so the streams' handlers return and shutdown is not held up).
func (s *Server) followLive(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for shard, hub := range s.live {
		writes := func() bool {
			if s.roles == nil {
				return true
			}
			local, _ := s.roles.Writer(shard)
			return local
		}
		var logged time.Time
		onErr := func(err error) { // at most one line every 10 s a shard
			if time.Since(logged) >= 10*time.Second {
				logged = time.Now()
				s.log.Warn("follow live changes", "shard", shard, "err", err)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hub.follow(ctx, writes, onErr)
		}()
	}
	return wg.Wait
}
