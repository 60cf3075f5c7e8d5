package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop/client"
	"github.com/golang-jwt/jwt/v5"
)

// Scenarios of the claims benchmark, in the order they run.
var Scenarios = []string{"lock", "spike", "ramp", "healthz", "throughput", "open"}

// ClaimsConfig configures the claims benchmark.
type ClaimsConfig struct {
	URL       string
	JWTSecret []byte
	// AdminToken is sent to read the node's /metrics; "" sends none.
	AdminToken string
	// Scenarios to run; nil means all.
	Scenarios []string
	// Clients is the throughput scenario's concurrency (closed loop).
	Clients int
	// Duration is how long the throughput, healthz and open runs last.
	Duration time.Duration
	// OpenRate is the open-loop scenario's fixed arrival rate per second.
	OpenRate float64
	// StoreLat, StoreLng place the bench store, and so pick its shard;
	// zero means Hongik Univ. station (Mapo-gu).
	StoreLat, StoreLng float64
	Out                io.Writer
}

// Claims runs the claim scenarios against a running node: the old system's
// lock test (1,000 users, 100 coupons), spike (50 users for 15 s), steady
// ramp to 40 req/s, the bare /healthz baseline, a closed-loop throughput run
// and an open-loop run at a fixed rate. It verifies after each that the
// event's issued count equals the claims that succeeded and never exceeds
// its total.
func Claims(ctx context.Context, cfg ClaimsConfig) ([]*Result, error) {
	b, err := newClaimBench(ctx, cfg)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, s := range cfg.Scenarios {
		want[s] = true
	}
	var results []*Result
	for _, name := range Scenarios {
		if len(want) > 0 && !want[name] {
			continue
		}
		r, err := b.run(ctx, name)
		if err != nil {
			return results, fmt.Errorf("%s: %w", name, err)
		}
		results = append(results, r)
		fmt.Fprintf(cfg.Out, "%-22s done: %d requests, %.0f ok/s, p99 %s\n", name, r.Ops, r.PerSecond(), round(r.Percentile(99)))
	}
	return results, nil
}

type claimBench struct {
	cfg   ClaimsConfig
	http  *http.Client
	owner *client.Client
	// ownerToken is the owner's access token (the live bench's streams).
	ownerToken string
	storeID    int64
	members    atomic.Int64
	pool       *tokenPool // tokens minted ahead of the current run
}

func newClaimBench(ctx context.Context, cfg ClaimsConfig) (*claimBench, error) {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Clients + 500,
		MaxIdleConnsPerHost: cfg.Clients + 500,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	b := &claimBench{cfg: cfg, http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	// Member ids for minted tokens: a fresh range each run, so every claim
	// is a new member's first.
	b.members.Store((time.Now().UnixNano() / 1e6 % 1_000_000) * 10_000_000)
	c := client.New(cfg.URL)
	c.HTTP = b.http
	email := fmt.Sprintf("bench-owner-%d@bench.couponpop.dev", time.Now().UnixNano())
	const password = "Bench1234!"
	if _, err := c.Signup(ctx, client.Signup{Email: email, Username: "benchowner", Password: password,
		ConfirmPassword: password, PhoneNumber: "01000000000", MemberType: "OWNER"}); err != nil {
		return nil, fmt.Errorf("sign up the bench owner: %w", err)
	}
	tok, err := c.Login(ctx, email, password)
	if err != nil {
		return nil, fmt.Errorf("log in the bench owner: %w", err)
	}
	b.owner, b.ownerToken = c.WithToken(tok.AccessToken), tok.AccessToken
	lat, lng := 37.5572, 126.9245
	if cfg.StoreLat != 0 || cfg.StoreLng != 0 {
		lat, lng = cfg.StoreLat, cfg.StoreLng
	}
	st, err := b.owner.CreateStore(ctx, client.Store{Name: fmt.Sprintf("벤치마크 카페 %d", time.Now().Unix()), Phone: "01000000000",
		Description: "부하 테스트용 매장", BusinessNumber: "1234567890", Address: "서울특별시 마포구 양화로 160", Dong: "서교동",
		Latitude: lat, Longitude: lng, StoreCategory: "CAFE", WeekdayOpenTime: "00:00", WeekdayCloseTime: "24:00",
		WeekendOpenTime: "00:00", WeekendCloseTime: "24:00"})
	if err != nil {
		return nil, fmt.Errorf("create the bench store: %w", err)
	}
	b.storeID = st.ID
	return b, nil
}

func (b *claimBench) run(ctx context.Context, name string) (*Result, error) {
	if name == "healthz" {
		return ClosedLoop(ctx, name, b.cfg.Clients, b.cfg.Duration, 0, b.healthz), nil
	}
	total := 1_000_000
	if name == "lock" {
		total = 100
	}
	eventID, err := b.newEvent(ctx, name, total)
	if err != nil {
		return nil, err
	}
	// Mint the tokens of the longer runs ahead: generous for 25,000 claims/s.
	switch name {
	case "throughput":
		err = b.premint(int(25_000 * b.cfg.Duration.Seconds()))
	case "open":
		err = b.premint(int(b.cfg.OpenRate * b.cfg.Duration.Seconds()))
	default:
		b.pool = nil
	}
	if err != nil {
		return nil, err
	}
	op := b.claimOp(eventID)
	before, metricsErr := writerCounters(ctx, b.http, b.cfg.URL, b.cfg.AdminToken)
	began := time.Now()
	var r *Result
	switch name {
	case "lock":
		r = ClosedLoop(ctx, name, 1000, time.Minute, 1000, op)
	case "spike":
		r = ClosedLoop(ctx, name, 50, 15*time.Second, 0, op)
	case "ramp":
		r = Ramp(ctx, name, 40, 20*time.Second, op)
	case "throughput":
		r = ClosedLoop(ctx, name, b.cfg.Clients, b.cfg.Duration, 0, op)
	case "open":
		r = OpenLoop(ctx, fmt.Sprintf("open %.0f/s", b.cfg.OpenRate), b.cfg.OpenRate, b.cfg.Duration, 5000, op)
	default:
		return nil, fmt.Errorf("unknown scenario %q", name)
	}
	if after, err := writerCounters(ctx, b.http, b.cfg.URL, b.cfg.AdminToken); err == nil && metricsErr == nil {
		load := after.since(before, time.Since(began))
		r.Writer = &load
	}
	return r, b.verify(ctx, eventID, total, r)
}

func (b *claimBench) newEvent(ctx context.Context, name string, total int) (int64, error) {
	kst := time.FixedZone("KST", 9*3600)
	start := time.Now().Add(-time.Minute).In(kst)
	return b.owner.CreateEvent(ctx, client.NewEvent{StoreID: b.storeID, Name: "bench " + name,
		EventStartAt: start.Format("2006-01-02T15:04:05"), EventEndAt: start.Add(47 * time.Hour).Format("2006-01-02T15:04:05"),
		TotalCount: total})
}

// verify checks the event's issued count against the successful claims.
// Loaded through a replica, the event may trail the primary for a moment:
// a count below the successes is read again for up to 5 s.
func (b *claimBench) verify(ctx context.Context, eventID int64, total int, r *Result) error {
	var e client.Event
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if e, err = b.owner.Event(ctx, eventID); err != nil {
			return fmt.Errorf("read event: %w", err)
		}
		if e.Summary.Issued >= r.OK || time.Now().After(deadline) {
			break
		}
	}
	if e.Summary.Issued != r.OK || e.Summary.Issued > total {
		return fmt.Errorf("event %d: issued %d, but %d claims succeeded (total %d): oversold or lost", eventID, e.Summary.Issued, r.OK, total)
	}
	return nil
}

// claimOp claims a coupon of the event as a new member each time.
func (b *claimBench) claimOp(eventID int64) Op {
	body := []byte(`{"eventId":` + strconv.FormatInt(eventID, 10) + `}`)
	url := b.cfg.URL + "/api/v1/coupons/issue"
	return func(ctx context.Context) string {
		token, err := b.nextToken()
		if err != nil {
			return "mint: " + err.Error()
		}
		req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
		if err != nil {
			return err.Error()
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		return b.send(req, http.StatusNoContent)
	}
}

func (b *claimBench) healthz(ctx context.Context) string {
	req, err := http.NewRequestWithContext(ctx, "GET", b.cfg.URL+"/healthz", nil)
	if err != nil {
		return err.Error()
	}
	return b.send(req, http.StatusOK)
}

// send does req and names its outcome.
func (b *claimBench) send(req *http.Request, okStatus int) string {
	resp, err := b.http.Do(req)
	if err != nil {
		return transportOutcome(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == okStatus {
		return "ok"
	}
	var e struct{ Error struct{ Code string } }
	_ = json.Unmarshal(data, &e)
	if e.Error.Code == "" {
		return strconv.Itoa(resp.StatusCode)
	}
	return strconv.Itoa(resp.StatusCode) + " " + e.Error.Code
}

// tokenPool holds tokens minted before a run, so that signing them does not
// take the load generator's CPU from the server it measures.
type tokenPool struct {
	tokens []string
	next   atomic.Int64
}

// premint fills the pool with n tokens of new members, on every core.
func (b *claimBench) premint(n int) error {
	tokens := make([]string, n)
	first := b.members.Add(int64(n)) - int64(n)
	var wg sync.WaitGroup
	errs := make(chan error, runtime.NumCPU())
	for w := range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += runtime.NumCPU() {
				t, err := b.mint(first + int64(i) + 1)
				if err != nil {
					errs <- err
					return
				}
				tokens[i] = t
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	b.pool = &tokenPool{tokens: tokens}
	return nil
}

// nextToken takes a pre-minted token, or mints one when the pool is spent.
func (b *claimBench) nextToken() (string, error) {
	if p := b.pool; p != nil {
		if i := p.next.Add(1) - 1; i < int64(len(p.tokens)) {
			return p.tokens[i], nil
		}
	}
	return b.mint(b.members.Add(1))
}

// mint signs an access token for any member id, as the server accepts.
func (b *claimBench) mint(memberID int64) (string, error) {
	claims := jwt.MapClaims{"sub": strconv.FormatInt(memberID, 10), "username": "bench", "memberType": "CUSTOMER",
		"tokenType": "USER", "exp": time.Now().Add(time.Hour).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(b.cfg.JWTSecret)
}

// transportOutcome names a request that got no answer by what failed.
func transportOutcome(err error) string {
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &opErr):
		return "transport:" + opErr.Op + ":" + syscallName(opErr.Err)
	default:
		return "transport"
	}
}

// syscallName shortens an error like "connect: connection refused".
func syscallName(err error) string {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	return err.Error()
}
