package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/push/pushtest"
	"github.com/couponpop/couponpop/store"
)

const districtShard = 1

// fixture is shard 0 and one district shard on real SQLite files, a store
// with an event, and a local push service.
type fixture struct {
	t       testing.TB
	dir     string
	global  *store.DB
	shard   *store.DB
	svc     *pushtest.Server
	sender  *push.Sender
	event   *couponpop.Event
	storeID int64
}

func newFixture(t testing.TB, total int) *fixture {
	t.Helper()
	return newFixtureWith(t, total, store.Options{})
}

// newFixtureWith opens the files with opts.
func newFixtureWith(t testing.TB, total int, opts store.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, dir: t.TempDir(), svc: pushtest.NewServer(t)}
	f.global = f.open(store.GlobalShard, opts)
	f.shard = f.open(districtShard, opts)
	t.Cleanup(func() { f.global.Close(); f.shard.Close() })
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	f.svc.VAPIDPublicKey = keys.Public
	allow, err := push.ParseAllowList(f.svc.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if f.sender, err = push.NewSender(push.SenderConfig{Keys: keys, Subscriber: "ops@couponpop.test", Allow: allow}); err != nil {
		t.Fatal(err)
	}
	st := &couponpop.Store{MemberID: 7, MemberUsername: "owner", StoreInput: couponpop.StoreInput{
		Name: "망원 커피", Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울특별시 마포구 망원로 1",
		Dong: "망원동", Latitude: 37.556, Longitude: 126.910, StoreCategory: couponpop.CategoryCafe,
		WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}}
	if _, err := f.shard.CreateStore(ctx, st, "마포구"); err != nil {
		t.Fatal(err)
	}
	f.storeID = st.ID
	f.event = &couponpop.Event{StoreID: st.ID, MemberID: 7, Name: "아메리카노 무료", StartAt: time.Now().Add(-time.Minute),
		EndAt: time.Now().Add(time.Hour), TotalCount: total}
	if _, err := f.shard.CreateEvent(ctx, f.event); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) open(shard int, opts store.Options) *store.DB {
	f.t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(f.dir, store.FileName(shard)), shard, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return db
}

// subscribe gives member a fresh subscription on the push service.
func (f *fixture) subscribe(memberID int64) push.Subscription {
	f.t.Helper()
	sub := f.svc.NewSubscription(f.t)
	if _, err := f.global.UpsertPushSubscription(context.Background(), store.PushSubscription{MemberID: memberID,
		Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, DeviceIdentifier: "phone"}); err != nil {
		f.t.Fatal(err)
	}
	return sub
}

func (f *fixture) claim(memberID int64) int64 {
	f.t.Helper()
	res, err := f.shard.Claim(context.Background(), store.ClaimRequest{EventID: f.event.ID, MemberID: memberID})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.CouponID
}

// start runs a dispatcher (of the district shard, unless cfg names a
// shard) until the returned stop is called.
func (f *fixture) start(cfg notify.Config) (stop func()) {
	f.t.Helper()
	if cfg.Shard == nil {
		cfg.Shard = f.shard
	}
	cfg.Subscriptions, cfg.Sender = f.global, f.sender
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	d, err := notify.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				f.t.Errorf("dispatcher: %v", err)
			}
		})
	}
	f.t.Cleanup(stop)
	return stop
}

// waitFor polls cond for up to timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func payloadOf(t testing.TB, r pushtest.Received) push.Payload {
	t.Helper()
	var p push.Payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		t.Fatalf("payload %q: %v", r.Payload, err)
	}
	return p
}

func TestDispatcher_IssuedAndUsedText(t *testing.T) {
	f := newFixture(t, 10)
	f.start(notify.Config{Poll: 200 * time.Millisecond})
	const member = 42
	f.subscribe(member)
	claimed := time.Now()
	couponID := f.claim(member)
	waitFor(t, 5*time.Second, "the issued push", func() bool { return len(f.svc.Delivered()) == 1 })
	t.Logf("issued push arrived %v after the claim committed", time.Since(claimed).Round(time.Millisecond))
	got := f.svc.Delivered()[0]
	p := payloadOf(t, got)
	want := push.Issued("망원 커피", "아메리카노 무료", 10, 1)
	if p.Title != "[망원 커피] 쿠폰을 손님이 수령했습니다." || p.Body != want.Body {
		t.Errorf("issued push %q / %q", p.Title, p.Body)
	}
	if p.Body != "쿠폰명: 아메리카노 무료\n쿠폰 총 수량: 10\n발급된 쿠폰 수량: 1\n발급 매장: 망원 커피" {
		t.Errorf("issued body %q", p.Body)
	}
	if p.TraceID != fmt.Sprintf("issued-%d", couponID) || got.Topic != push.Topic(member, f.event.ID) || got.TTL == "" || got.Urgency != "normal" {
		t.Errorf("traceId %q topic %q ttl %q urgency %q", p.TraceID, got.Topic, got.TTL, got.Urgency)
	}

	if _, _, err := f.shard.UseCoupon(context.Background(), store.Use{CouponID: couponID, StoreID: f.storeID, Nonce: "n1"}); err != nil {
		t.Fatal(err)
	}
	used := time.Now()
	waitFor(t, 5*time.Second, "the used push", func() bool { return len(f.svc.Delivered()) == 2 })
	t.Logf("used push arrived %v after the use committed", time.Since(used).Round(time.Millisecond))
	p = payloadOf(t, f.svc.Delivered()[1])
	if p.Title != "[망원 커피] 쿠폰이 사용되었습니다." || p.Body != "쿠폰명: 아메리카노 무료\n사용 매장: 망원 커피" {
		t.Errorf("used push %q / %q", p.Title, p.Body)
	}
	var hist []store.NotificationHistory
	var err error
	waitFor(t, 5*time.Second, "both attempts recorded", func() bool { // committed up to CommitEvery after the send
		hist, err = f.shard.NotificationHistoryOf(context.Background(), member)
		return err != nil || len(hist) == 2
	})
	if err != nil || len(hist) != 2 || hist[0].Outcome != store.PushDelivered || hist[1].Kind != "COUPON_USED" {
		t.Fatalf("history %+v, %v", hist, err)
	}
}

func TestDispatcher_GoneDeletesSubscription(t *testing.T) {
	f := newFixture(t, 10)
	const member = 5
	gone := f.subscribe(member)
	live := f.subscribe(member)
	f.svc.Always(gone.Endpoint, pushtest.Reply{Status: 410})
	f.start(notify.Config{})
	f.claim(member)
	ctx := context.Background()
	waitFor(t, 5*time.Second, "the gone subscription's deletion", func() bool {
		subs, err := f.global.PushSubscriptions(ctx, member)
		return err == nil && len(subs) == 1 && subs[0].Endpoint == live.Endpoint
	})
	waitFor(t, 5*time.Second, "both attempts recorded", func() bool {
		hist, _ := f.shard.NotificationHistoryOf(ctx, member)
		return len(hist) == 2
	})
	hist, _ := f.shard.NotificationHistoryOf(ctx, member)
	outcomes := map[string]string{}
	for _, h := range hist {
		outcomes[h.Endpoint] = h.Outcome
	}
	if outcomes[gone.Endpoint] != store.PushGone || outcomes[live.Endpoint] != store.PushDelivered {
		t.Fatalf("outcomes %v", outcomes)
	}
}

func TestDispatcher_RetriesTooManyAndServerErrors(t *testing.T) {
	f := newFixture(t, 10)
	const member = 9
	sub := f.subscribe(member)
	f.svc.Script(sub.Endpoint, pushtest.Reply{Status: 429, RetryAfter: "1"}, pushtest.Reply{Status: 500}, pushtest.Reply{Status: 503})
	f.start(notify.Config{Backoff: push.Backoff{Base: 50 * time.Millisecond, Max: 200 * time.Millisecond, MaxAttempts: 5}})
	f.claim(member)
	waitFor(t, 10*time.Second, "delivery after retries", func() bool { return len(f.svc.Delivered()) == 1 })
	rec := f.svc.Received()
	if len(rec) != 4 {
		t.Fatalf("%d requests, want 4 (429, 500, 503, 201)", len(rec))
	}
	if wait := rec[1].At.Sub(rec[0].At); wait < time.Second {
		t.Errorf("retried %v after a 429 with Retry-After: 1", wait)
	}
	// The delivery is recorded with the next batch of results (CommitEvery).
	var hist []store.NotificationHistory
	waitFor(t, 5*time.Second, "the fourth attempt recorded", func() bool {
		hist, _ = f.shard.NotificationHistoryOf(context.Background(), member)
		return len(hist) == 4
	})
	if hist[3].Outcome != store.PushDelivered || hist[3].Attempt != 4 || hist[0].Outcome != store.PushRetry {
		t.Fatalf("history %+v", hist)
	}
	for _, r := range rec {
		if payloadOf(t, r).TraceID != payloadOf(t, rec[0]).TraceID || r.Topic != rec[0].Topic {
			t.Fatal("a retry changed its trace id or Topic")
		}
	}
}

func TestDispatcher_GivesUp(t *testing.T) {
	f := newFixture(t, 10)
	const member = 11
	sub := f.subscribe(member)
	f.svc.Always(sub.Endpoint, pushtest.Reply{Status: 500})
	f.start(notify.Config{Backoff: push.Backoff{Base: 10 * time.Millisecond, Max: 10 * time.Millisecond, MaxAttempts: 3}})
	f.claim(member)
	ctx := context.Background()
	waitFor(t, 5*time.Second, "three attempts, the last failed", func() bool {
		hist, _ := f.shard.NotificationHistoryOf(ctx, member)
		return len(hist) == 3 && hist[2].Outcome == store.PushFailed
	})
	time.Sleep(100 * time.Millisecond)
	if n := len(f.svc.Received()); n != 3 {
		t.Fatalf("%d requests after giving up, want 3", n)
	}
}

// TestDispatcher_RestartLosesNone kills the dispatcher twice in the middle
// of 1,000 messages (a cancelled context, then a closed and reopened
// shard): every message arrives, and only sends in flight at a kill
// arrive twice, with the same trace id and Topic.
func TestDispatcher_RestartLosesNone(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 pushes")
	}
	const n, concurrency = 1000, 8
	f := newFixture(t, n)
	for m := int64(1); m <= n; m++ {
		f.subscribe(m)
	}
	var wg sync.WaitGroup
	for w := int64(0); w < 20; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := w + 1; m <= n; m += 20 {
				f.claim(m)
			}
		}()
	}
	wg.Wait()
	cfg := notify.Config{Concurrency: concurrency}
	delivered := func() int { return len(f.svc.Delivered()) }

	stop := f.start(cfg)
	waitFor(t, 30*time.Second, "300 deliveries", func() bool { return delivered() >= 300 })
	stop()
	first := delivered()

	stop = f.start(cfg)
	waitFor(t, 30*time.Second, "300 more deliveries", func() bool { return delivered() >= first+300 })
	stop()
	f.shard.Close() // the crash of a primary: the file is all that is left
	f.shard = f.open(districtShard, store.Options{})
	second := delivered()

	f.start(cfg)
	traces := map[string][]pushtest.Received{}
	waitFor(t, 60*time.Second, "every message", func() bool {
		clear(traces)
		for _, r := range f.svc.Delivered() {
			p := payloadOf(t, r)
			traces[p.TraceID] = append(traces[p.TraceID], r)
		}
		return len(traces) == n
	})
	time.Sleep(300 * time.Millisecond) // nothing more should come
	repeats := 0
	for trace, rs := range traces {
		repeats += len(rs) - 1
		for _, r := range rs[1:] {
			if r.Topic != rs[0].Topic || r.Endpoint != rs[0].Endpoint {
				t.Errorf("%s repeated with another Topic or endpoint", trace)
			}
		}
	}
	t.Logf("kills after %d and %d deliveries; %d delivered in all, %d repeats", first, second, delivered(), repeats)
	if repeats > 2*concurrency {
		t.Fatalf("%d repeats after 2 kills, want at most %d (the sends in flight)", repeats, 2*concurrency)
	}
	cursor, err := f.shard.PushCursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rest, err := f.shard.UnsentOutbox(context.Background(), 0, 10); err != nil || len(rest) != 0 || cursor < couponpop.FirstID(districtShard)+n {
		t.Fatalf("unsent %d, cursor %d, err %v", len(rest), cursor, err)
	}
}

// While claims flow to members nobody subscribed, the dispatcher's only
// write is the cursor, and it takes the shard's writer about once a
// CursorEvery rather than once a CommitEvery; once claims stop, the cursor
// reaches the last message, and the rows stay unmarked.
func TestDispatcher_CursorAloneWaitsWhileClaimsFlow(t *testing.T) {
	f := newFixture(t, 1_000_000)
	ctx := context.Background()
	stop := f.start(notify.Config{BusyClaimsPerSecond: 20, CommitEvery: 10 * time.Millisecond, CursorEvery: time.Second})
	defer stop()
	pos0, _ := f.shard.Position(ctx)
	batches0, _ := f.shard.ClaimStats()
	var member int64
	for until := time.Now().Add(2 * time.Second); time.Now().Before(until); {
		member++
		f.claim(member) // one at a time: about a thousand a second, all flowing
	}
	pos, _ := f.shard.Position(ctx)
	batches, claims := f.shard.ClaimStats()
	dispatcherTx := int64(pos-pos0) - (batches - batches0)
	t.Logf("%d claims in %d transactions; the dispatcher's: %d", claims, batches-batches0, dispatcherTx)
	if claims < 200 {
		t.Fatalf("only %d claims in 2 s: claims never flowed", claims)
	}
	if dispatcherTx > 5 {
		t.Fatalf("the dispatcher wrote %d transactions in 2 s of flowing claims, want at most 5 (one a CursorEvery)", dispatcherTx)
	}
	last := couponpop.FirstID(districtShard) + member - 1
	waitFor(t, 10*time.Second, "the cursor at the last message", func() bool {
		cursor, err := f.shard.PushCursor(ctx)
		return err == nil && cursor >= last
	})
}

// A push decided whole (kind PUSH: an advertisement in shard 0's outbox)
// goes to every subscription of its member with its own headers, once per
// trace id even when queued twice, and each attempt is recorded.
func TestDispatcher_SendsOutboxPushes(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	f.subscribe(5)
	f.subscribe(5)
	m := push.Advertise(push.AreaEntry("홍익대입구", "망원 커피", "아메리카노 무료"))
	m.TraceID, m.Topic, m.TTL, m.Urgency = "area-5-1", push.Topic(5, 1), time.Hour, push.UrgencyLow
	q, err := notify.OutboxPush(5, m)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a job run twice
		if _, err := f.global.EnqueuePushes(ctx, []store.OutboxPush{q}); err != nil {
			t.Fatal(err)
		}
	}
	defer f.start(notify.Config{Shard: f.global})()
	waitFor(t, 5*time.Second, "two deliveries", func() bool { return len(f.svc.Delivered()) >= 2 })
	time.Sleep(200 * time.Millisecond)
	got := f.svc.Delivered()
	if len(got) != 2 || got[0].Endpoint == got[1].Endpoint {
		t.Fatalf("%d deliveries, want one to each of 2 subscriptions", len(got))
	}
	for _, r := range got {
		p := payloadOf(t, r)
		if p.Title != m.Title || p.Body != m.Body || p.TraceID != m.TraceID || r.Topic != m.Topic || r.TTL != "3600" || r.Urgency != "low" {
			t.Errorf("delivered %+v with Topic %q TTL %q Urgency %q, want %+v", p, r.Topic, r.TTL, r.Urgency, m)
		}
	}
	history, err := f.global.NotificationHistoryOf(ctx, 5)
	if err != nil || len(history) != 2 || history[0].Outcome != store.PushDelivered || history[0].Kind != store.OutboxPushed {
		t.Fatalf("history %+v, %v", history, err)
	}
}
