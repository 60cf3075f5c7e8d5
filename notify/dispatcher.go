// Package notify drains a district shard's outbox into Web Push: one
// Dispatcher per shard, on its primary. It resolves each message's
// customer subscriptions (shard 0) and the event and store names (the
// shard), sends with bounded concurrency, retries 429/5xx with a backoff,
// deletes subscriptions answered 404/410, and records every attempt.
//
// Once, as far as HTTP allows: a send's result is committed before its
// concurrency slot is freed, so a crash repeats at most the sends in flight
// (Concurrency), each with the same trace id and Topic; push_deliveries
// dedupes (trace id, endpoint) for 7 days.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/store"
)

// Subscriptions is where the dispatcher finds and drops subscriptions:
// shard 0 (a *store.DB).
type Subscriptions interface {
	PushSubscriptionsOf(ctx context.Context, memberIDs []int64) (map[int64][]store.PushSubscription, error)
	PushSubscriptionByEndpoint(ctx context.Context, endpoint string) (store.PushSubscription, bool, error)
	DeleteGoneSubscription(ctx context.Context, endpoint string) error
}

// Config configures a Dispatcher.
type Config struct {
	Shard         *store.DB // the district shard whose outbox it drains
	Subscriptions Subscriptions
	Sender        *push.Sender
	Backoff       push.Backoff // zero → push.DefaultBackoff()
	// Concurrency bounds the sends in flight or finished but not yet
	// recorded: what a crash can repeat. 0 → 64.
	Concurrency int
	// Claims first: while the shard's claim writer takes more than
	// BusyClaimsPerSecond claims (0 → 500), at most BusyConcurrency sends
	// (0 → 1) are in flight, so that pushes (which can wait seconds) take
	// little CPU from claims (which a customer waits on). -1 turns it off.
	BusyClaimsPerSecond int
	BusyConcurrency     int
	// The outbox is read again after a commit on the shard (NextCommit),
	// at most every ScanEvery (0 → 50 ms), and at least every Poll (0 → 1
	// s: retries falling due, writes this process did not make).
	ScanEvery time.Duration
	Poll      time.Duration
	// CommitEvery spaces the dispatcher's own write transactions (0 → 50
	// ms): each records every send finished since the last one, so that
	// they take the shard's single writer from the claim writer rarely.
	// While claims flow, a transaction that would only move the cursor
	// past messages nobody is subscribed to waits CursorEvery (0 → 1 s):
	// a crash reads those again, and finds nothing to send.
	CommitEvery time.Duration
	CursorEvery time.Duration
	Batch       int                  // outbox rows read at a time; 0 → 1024
	Observe     func(outcome string) // counts each attempt's outcome; may be nil
	Logger      *slog.Logger
	Now         func() time.Time
}

// Dispatcher drains one shard's outbox.
type Dispatcher struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg and fills in its defaults.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.Shard == nil || cfg.Subscriptions == nil || cfg.Sender == nil {
		return nil, errors.New("notify: Shard, Subscriptions and Sender are required")
	}
	if cfg.Backoff == (push.Backoff{}) {
		cfg.Backoff = push.DefaultBackoff()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.BusyClaimsPerSecond == 0 {
		cfg.BusyClaimsPerSecond = 500
	}
	if cfg.BusyConcurrency <= 0 {
		cfg.BusyConcurrency = 1
	}
	if cfg.ScanEvery <= 0 {
		cfg.ScanEvery = 50 * time.Millisecond
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.CommitEvery <= 0 {
		cfg.CommitEvery = 50 * time.Millisecond
	}
	if cfg.CursorEvery <= 0 {
		cfg.CursorEvery = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1024
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string) {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dispatcher{cfg: cfg, log: cfg.Logger.With("shard", cfg.Shard.Shard())}, nil
}

// job is one send: a message to one subscription.
type job struct {
	msg     *message
	sub     push.Subscription
	push    push.Message
	attempt int
	retry   bool // from the retry queue, not the first pass
}

// message is an outbox row being sent; remaining and handled are touched
// only by the committer.
type message struct {
	row       store.OutboxMessage
	remaining int
	handled   bool // every send tried once, or none to make
}

// result is a finished job (or, with no job, a message with nothing to send).
type result struct {
	job     *job
	msg     *message
	attempt store.PushAttempt
	slot    bool // holds a concurrency slot until committed
}

// Run drains the outbox until ctx ends. Database errors are logged and
// retried after Poll: the dispatcher outlives a busy file.
func (d *Dispatcher) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{d: d, sem: make(chan struct{}, d.cfg.Concurrency), results: make(chan result, d.cfg.Concurrency),
		inflight: map[string]bool{}, recorded: map[string]int{}, committed: make(chan struct{})}
	go r.commitLoop(ctx)
	r.flowing.Store(d.cfg.BusyClaimsPerSecond >= 0) // until the first sample says otherwise
	r.sends.Add(1)                                  // waited for with the sends
	go func() { defer r.sends.Done(); r.watchClaims(ctx) }()
	err := r.feed(ctx)
	cancel()
	r.sends.Wait()
	<-r.committed
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// run is one Run's state.
type run struct {
	d       *Dispatcher
	sem     chan struct{}
	results chan result
	sends   sync.WaitGroup

	mu       sync.Mutex
	inflight map[string]bool // retry-queue sends in flight, by trace id + endpoint
	// recorded is the last attempt committed per retried send: a read of
	// the retry queue that began before that commit is stale and must not
	// start the attempt again.
	recorded map[string]int

	// queued are the outbox rows dispatched and not yet handled, in id
	// order: the cursor moves past the handled ones at their front.
	queued []*message

	committed chan struct{} // closed when commitLoop returns

	held    atomic.Int64 // slots taken
	flowing atomic.Bool  // claims are flowing (watchClaims)
}

// watchClaims samples the shard's claim count every 100 ms until ctx ends
// and sets flowing while more than BusyClaimsPerSecond claims a second
// commit.
func (r *run) watchClaims(ctx context.Context) {
	d := r.d
	if d.cfg.BusyClaimsPerSecond < 0 {
		return
	}
	const every = 100 * time.Millisecond
	_, last := d.cfg.Shard.ClaimStats()
	lastAt := time.Now()
	for sleep(ctx, every) {
		_, claims := d.cfg.Shard.ClaimStats()
		now := time.Now()
		r.flowing.Store(float64(claims-last) > float64(d.cfg.BusyClaimsPerSecond)*now.Sub(lastAt).Seconds())
		last, lastAt = claims, now
	}
}

// feed reads the outbox from the cursor and the due retries, and starts
// their sends.
func (r *run) feed(ctx context.Context) error {
	d := r.d
	after, err := d.cfg.Shard.PushCursor(ctx)
	for err != nil {
		if !sleep(ctx, d.cfg.Poll) {
			return nil
		}
		after, err = d.cfg.Shard.PushCursor(ctx)
	}
	for ctx.Err() == nil {
		scanned := time.Now()
		wake := d.cfg.Shard.NextCommit() // before reading: no commit is missed
		rows, err := d.cfg.Shard.UnsentOutbox(ctx, after, d.cfg.Batch)
		if err != nil {
			d.warn(ctx, "read outbox", err)
		}
		names := newNameCache(d.cfg.Shard)
		subs, err := d.cfg.Subscriptions.PushSubscriptionsOf(ctx, members(rows))
		if err != nil {
			d.warn(ctx, "read subscriptions", err)
			rows = nil // try them again after Poll
		}
		for _, row := range rows {
			if err := r.dispatch(ctx, row, subs[row.MemberID], names); err != nil {
				d.warn(ctx, "dispatch", err)
				break // try this row again after Poll
			}
			after = row.ID
		}
		retries, err := r.dispatchRetries(ctx, names)
		if err != nil {
			d.warn(ctx, "retries", err)
		}
		if len(rows) == d.cfg.Batch || retries > 0 {
			continue // more to read
		}
		if !r.waitCommit(ctx, wake, scanned) {
			return nil
		}
	}
	return nil
}

// waitCommit waits for a commit on the shard (or Poll), then until
// ScanEvery has passed since the last scan began, so that a stream of
// commits costs one outbox read per ScanEvery. It reports false once ctx
// ends.
func (r *run) waitCommit(ctx context.Context, wake <-chan struct{}, scanned time.Time) bool {
	t := time.NewTimer(r.d.cfg.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return sleep(ctx, time.Until(scanned.Add(r.d.cfg.ScanEvery)))
}

func (d *Dispatcher) warn(ctx context.Context, what string, err error) {
	if ctx.Err() == nil {
		d.log.Warn("push dispatcher: "+what, "err", err)
	}
}

// members are the customers the rows are about.
func members(rows []store.OutboxMessage) []int64 {
	ids := make([]int64, 0, len(rows))
	for _, row := range rows {
		ids = append(ids, row.MemberID)
	}
	return ids
}

// dispatch starts the sends of one outbox row to its member's subscriptions.
// A row whose member has none (most, under a claim burst) costs no read.
func (r *run) dispatch(ctx context.Context, row store.OutboxMessage, subs []store.PushSubscription, names *nameCache) error {
	d := r.d
	msg := &message{row: row}
	if len(subs) == 0 {
		return r.handle(ctx, msg)
	}
	pm, ok, err := names.message(ctx, row)
	if err != nil {
		return err
	}
	if !ok {
		return r.handle(ctx, msg)
	}
	done, err := d.cfg.Shard.PushedEndpoints(ctx, row.TraceID)
	if err != nil {
		return err
	}
	var jobs []*job
	for _, s := range subs {
		if !done[s.Endpoint] {
			jobs = append(jobs, &job{msg: msg, sub: push.Subscription{Endpoint: s.Endpoint, P256dh: s.P256dh, Auth: s.Auth}, push: pm, attempt: 1})
		}
	}
	msg.remaining = len(jobs)
	if len(jobs) == 0 {
		return r.handle(ctx, msg)
	}
	r.queue(msg)
	for _, j := range jobs {
		if err := r.start(ctx, j); err != nil {
			return nil // ctx ended
		}
	}
	return nil
}

// queue adds a dispatched row behind those the cursor waits for.
func (r *run) queue(msg *message) {
	r.mu.Lock()
	r.queued = append(r.queued, msg)
	r.mu.Unlock()
}

// handle queues a row with nothing to send and hands it to the committer.
func (r *run) handle(ctx context.Context, msg *message) error {
	r.queue(msg)
	return r.put(ctx, result{msg: msg})
}

// handledPrefix drops the handled rows at the front of the queue and
// returns the last one's id: the cursor can move up to it (0: it cannot
// move).
func (r *run) handledPrefix() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var id int64
	for len(r.queued) > 0 && r.queued[0].handled {
		id = r.queued[0].row.ID
		r.queued[0] = nil
		r.queued = r.queued[1:]
	}
	return id
}

// cursorEvery is how long a move of the cursor alone waits for company.
func (r *run) cursorEvery() time.Duration {
	if r.flowing.Load() {
		return r.d.cfg.CursorEvery
	}
	return r.d.cfg.CommitEvery
}

// dispatchRetries starts the due sends of the retry queue and returns how
// many it started.
func (r *run) dispatchRetries(ctx context.Context, names *nameCache) (int, error) {
	d := r.d
	due, err := d.cfg.Shard.DuePushRetries(ctx, d.cfg.Now(), d.cfg.Batch)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, dp := range due {
		key := dp.TraceID + " " + dp.Endpoint
		r.mu.Lock()
		busy := r.inflight[key] || dp.Attempts < r.recorded[key]
		r.mu.Unlock()
		if busy {
			continue
		}
		row, ok, err := d.cfg.Shard.OutboxByID(ctx, dp.OutboxID)
		if err != nil {
			return started, err
		}
		var pm push.Message
		if ok {
			if pm, ok, err = names.message(ctx, row); err != nil {
				return started, err
			}
		}
		sub, subOK, err := d.cfg.Subscriptions.PushSubscriptionByEndpoint(ctx, dp.Endpoint)
		if err != nil {
			return started, err
		}
		j := &job{msg: &message{row: row}, sub: push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth},
			push: pm, attempt: dp.Attempts + 1, retry: true}
		if !ok || !subOK || sub.MemberID != row.MemberID {
			// The message was pruned or the device unsubscribed: give up.
			j.msg.row.ID, j.msg.row.TraceID = dp.OutboxID, dp.TraceID
			j.sub.Endpoint = dp.Endpoint
			if err := r.put(ctx, result{job: j, attempt: r.attempt(j, store.PushGone, 0, "unsubscribed or pruned", 0)}); err != nil {
				return started, nil
			}
			continue
		}
		r.mu.Lock()
		r.inflight[key] = true
		r.mu.Unlock()
		if err := r.start(ctx, j); err != nil {
			return started, nil
		}
		started++
	}
	return started, nil
}

// start takes a slot (only one of BusyConcurrency while claims flow) and
// sends j in its own goroutine.
func (r *run) start(ctx context.Context, j *job) error {
	for r.held.Load() >= int64(r.d.cfg.BusyConcurrency) && r.flowing.Load() {
		if !sleep(ctx, 10*time.Millisecond) {
			return ctx.Err()
		}
	}
	select {
	case r.sem <- struct{}{}:
		r.held.Add(1)
	case <-ctx.Done():
		return ctx.Err()
	}
	r.sends.Add(1)
	go func() {
		defer r.sends.Done()
		res := r.d.cfg.Sender.Send(ctx, j.sub, j.push)
		if ctx.Err() != nil {
			r.release() // stopping: the result is not recorded (an in-flight repeat)
			return
		}
		out := r.outcome(ctx, j, res)
		if r.put(ctx, result{job: j, msg: j.msg, attempt: out, slot: true}) != nil {
			r.release()
		}
	}()
	return nil
}

// release frees a slot.
func (r *run) release() {
	r.held.Add(-1)
	<-r.sem
}

// outcome turns a send's result into the attempt to record; a Gone
// subscription is deleted from shard 0 first.
func (r *run) outcome(ctx context.Context, j *job, res push.Result) store.PushAttempt {
	d := r.d
	errText := ""
	if res.Err != nil {
		errText = res.Err.Error()
	}
	switch res.Outcome {
	case push.Delivered:
		return r.attempt(j, store.PushDelivered, res.StatusCode, "", 0)
	case push.Gone:
		if err := d.cfg.Subscriptions.DeleteGoneSubscription(ctx, j.sub.Endpoint); err != nil {
			d.warn(ctx, "delete gone subscription", err)
		}
		return r.attempt(j, store.PushGone, res.StatusCode, errText, 0)
	case push.RetryLater:
		if d.cfg.Backoff.GiveUp(j.attempt) {
			return r.attempt(j, store.PushFailed, res.StatusCode, "gave up: "+errText, 0)
		}
		return r.attempt(j, store.PushRetry, res.StatusCode, errText, d.cfg.Backoff.Delay(j.attempt, res.RetryAfter))
	default:
		return r.attempt(j, store.PushFailed, res.StatusCode, errText, 0)
	}
}

func (r *run) attempt(j *job, state string, status int, errText string, wait time.Duration) store.PushAttempt {
	a := store.PushAttempt{OutboxID: j.msg.row.ID, TraceID: j.msg.row.TraceID, Kind: j.msg.row.Kind, MemberID: j.msg.row.MemberID,
		Endpoint: j.sub.Endpoint, Attempt: j.attempt, State: state, StatusCode: status, Error: errText}
	if state == store.PushRetry {
		a.DueAt = r.d.cfg.Now().Add(wait)
	}
	return a
}

func (r *run) put(ctx context.Context, res result) error {
	select {
	case r.results <- res:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitLoop records finished sends in batches, one transaction at most
// every CommitEvery with whatever finished meanwhile, and only then frees
// their slots. The cursor follows the handled rows in memory and is
// written with the next batch, or alone after cursorEvery.
func (r *run) commitLoop(ctx context.Context) {
	defer close(r.committed)
	d := r.d
	var last time.Time      // the last commit
	var cursor, saved int64 // the handled prefix, and the cursor last committed
	for {
		var batch []result
		flush := time.NewTimer(time.Until(last.Add(r.cursorEvery())))
		if cursor == saved {
			flush.Stop() // nothing to flush: wait for a result
		}
		select {
		case <-ctx.Done():
			flush.Stop()
			return
		case res := <-r.results:
			batch = append(batch, res)
		case <-flush.C:
		}
		flush.Stop()
		if len(batch) > 0 {
			var ok bool
			if batch, ok = r.collect(ctx, batch, last.Add(d.cfg.CommitEvery)); !ok {
				return // not recorded: these sends are the in-flight repeats
			}
		}
		c := account(batch)
		cursor = max(cursor, r.handledPrefix())
		if len(c.Attempts) == 0 && (cursor == saved || time.Since(last) < r.cursorEvery()) {
			continue // only the cursor moves, and it waits
		}
		if cursor > saved {
			c.Cursor = cursor
		}
		for {
			err := d.cfg.Shard.CommitPushes(ctx, c)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return // not recorded: these sends are the in-flight repeats
			}
			d.warn(ctx, "commit", err)
			if !sleep(ctx, d.cfg.Poll) {
				return
			}
		}
		saved, last = max(saved, c.Cursor), time.Now()
		for _, res := range batch {
			if res.job != nil {
				d.cfg.Observe(res.attempt.State)
				if res.job.retry || res.attempt.State == store.PushRetry {
					key := res.job.msg.row.TraceID + " " + res.job.sub.Endpoint
					r.mu.Lock()
					delete(r.inflight, key)
					r.recorded[key] = res.job.attempt
					r.mu.Unlock()
				}
			}
			if res.slot {
				r.release()
			}
		}
	}
}

// account turns finished results into what to record, and marks the rows
// whose every send is done handled.
func account(batch []result) store.PushCommit {
	var c store.PushCommit
	for _, res := range batch {
		if res.job != nil {
			c.Attempts = append(c.Attempts, res.attempt)
		}
		if res.job == nil || !res.job.retry {
			if res.msg.remaining--; res.msg.remaining <= 0 {
				res.msg.handled = true
				if res.job != nil {
					c.Sent = append(c.Sent, res.msg.row.ID)
				}
			}
		}
	}
	return c
}

// collect adds the results that finish until the time until to batch,
// then whatever else is there. It reports false once ctx ends.
func (r *run) collect(ctx context.Context, batch []result, until time.Time) ([]result, bool) {
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return batch, false
		case res := <-r.results:
			batch = append(batch, res)
		case <-t.C:
			for {
				select {
				case res := <-r.results:
					batch = append(batch, res)
				default:
					return batch, true
				}
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// OutboxPush is m for member as an outbox keeps it (kind PUSH, under m's
// trace id), for the shard's dispatcher to send.
func OutboxPush(memberID int64, m push.Message) (store.OutboxPush, error) {
	b, err := json.Marshal(m)
	return store.OutboxPush{MemberID: memberID, TraceID: m.TraceID, Message: b}, err
}

// nameCache resolves events and stores for one pass over the outbox.
type nameCache struct {
	db     *store.DB
	events map[int64]*couponpop.Event
	stores map[int64]string
}

func newNameCache(db *store.DB) *nameCache {
	return &nameCache{db: db, events: map[int64]*couponpop.Event{}, stores: map[int64]string{}}
}

// message builds the push for an outbox row; ok is false for a kind the
// dispatcher does not push (or whose event or store is gone).
func (n *nameCache) message(ctx context.Context, row store.OutboxMessage) (push.Message, bool, error) {
	c := row.Coupon
	switch row.Kind {
	case store.OutboxPushed:
		var m push.Message
		if err := json.Unmarshal([]byte(row.Message), &m); err != nil {
			return m, false, nil // not a message: nothing to send (logged by no one; the row is skipped)
		}
		m.TraceID = row.TraceID
		return m, true, nil
	case "COUPON_ISSUED", "COUPON_USED":
	default:
		return push.Message{}, false, nil
	}
	e, ok := n.events[c.EventID]
	if !ok {
		var err error
		e, err = n.db.EventByID(ctx, c.EventID)
		if couponpop.ErrorCode(err) == couponpop.EEventNotFound {
			e = nil
		} else if err != nil {
			return push.Message{}, false, fmt.Errorf("event %d: %w", c.EventID, err)
		}
		n.events[c.EventID] = e
	}
	storeName, ok := n.stores[c.StoreID]
	if !ok {
		s, err := n.db.StoreByID(ctx, c.StoreID)
		if err != nil && couponpop.ErrorCode(err) != couponpop.EStoreNotFound {
			return push.Message{}, false, fmt.Errorf("store %d: %w", c.StoreID, err)
		}
		if s != nil {
			storeName = s.Name
		}
		n.stores[c.StoreID] = storeName
	}
	if e == nil || storeName == "" {
		return push.Message{}, false, nil
	}
	var m push.Message
	if row.Kind == "COUPON_ISSUED" {
		m = push.Issued(storeName, e.Name, e.TotalCount, e.IssuedCount)
	} else {
		m = push.Used(storeName, e.Name)
	}
	m.TraceID = row.TraceID
	m.Topic = push.Topic(c.MemberID, c.EventID)
	return m, true, nil
}
