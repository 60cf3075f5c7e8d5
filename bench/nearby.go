package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/couponpop/couponpop/client"
	"github.com/golang-jwt/jwt/v5"
)

// Circle is a nearby query: a point and a radius.
type Circle struct {
	Name     string
	Lat, Lng float64
	RadiusKm float64
	// Seed, when not 0, is how many stores to seed in this circle instead
	// of NearbyConfig.SeedStores.
	Seed int
}

// DefaultCircles compare a query inside one shard with one across a shard
// border, both 1 km: around Hongik Univ. station (Mapo: shard 1 of the
// two-shard map, near no other shard's district) and on the Han between
// Mapo and Yeongdeungpo (shards 1 and 2).
var DefaultCircles = []Circle{
	{Name: "nearby one shard", Lat: 37.5572, Lng: 126.9245, RadiusKm: 1},
	{Name: "nearby border", Lat: 37.536, Lng: 126.915, RadiusKm: 1},
}

// NearbyConfig configures the nearby benchmark.
type NearbyConfig struct {
	URL       string
	JWTSecret []byte
	Circles   []Circle
	// SeedStores stores are created at random points inside each circle
	// (through URL, so they reach every shard) before the runs.
	SeedStores int
	// Limit is the query's limit parameter (stores per answer).
	Limit    int
	Clients  int
	Duration time.Duration
	Out      io.Writer
	// SeedEvents gives every seeded store a running event.
	SeedEvents bool
	// WithEvents runs each circle a second time with withEvents=true
	// (named "NAME +events").
	WithEvents bool
	// Healthz runs GET /healthz first, with the same clients and
	// duration: the baseline the circles compare with.
	Healthz bool
}

// Nearby runs GET /stores on each circle in turn with the same clients and
// duration, so that their rates compare. An answer counts as ok only when
// it is complete: a partial answer (a shard missing) is the outcome
// "partial".
func Nearby(ctx context.Context, cfg NearbyConfig) ([]*Result, error) {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Clients + 16,
		MaxIdleConnsPerHost: cfg.Clients + 16,
		IdleConnTimeout:     time.Minute,
	}}
	if cfg.SeedStores > 0 || slices.ContainsFunc(cfg.Circles, func(c Circle) bool { return c.Seed > 0 }) {
		if err := seedCircles(ctx, cfg, hc); err != nil {
			return nil, err
		}
	}
	token, err := mintToken(cfg.JWTSecret, time.Now().UnixNano()%1_000_000_000+1_000_000_000_000)
	if err != nil {
		return nil, err
	}
	var results []*Result
	run := func(name string, op Op) error {
		if out := op(ctx); out != "ok" {
			return fmt.Errorf("%s: first query: %s", name, out)
		}
		r := ClosedLoop(ctx, name, cfg.Clients, cfg.Duration, 0, op)
		results = append(results, r)
		fmt.Fprintf(cfg.Out, "%-22s done: %d requests, %.0f ok/s, p99 %s\n", name, r.Ops, r.PerSecond(), round(r.Percentile(99)))
		return nil
	}
	if cfg.Healthz {
		if err := run("healthz", healthzOp(hc, cfg.URL)); err != nil {
			return results, err
		}
	}
	for _, c := range cfg.Circles {
		if err := run(c.Name, nearbyOp(hc, cfg.URL, token, c, cfg.Limit, false)); err != nil {
			return results, err
		}
		if cfg.WithEvents {
			if err := run(c.Name+" +events", nearbyOp(hc, cfg.URL, token, c, cfg.Limit, true)); err != nil {
				return results, err
			}
		}
	}
	return results, nil
}

// healthzOp asks GET /healthz.
func healthzOp(hc *http.Client, base string) Op {
	return func(ctx context.Context) string {
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
		if err != nil {
			return err.Error()
		}
		resp, err := hc.Do(req)
		if err != nil {
			return "transport"
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return strconv.Itoa(resp.StatusCode)
		}
		return "ok"
	}
}

// nearbyOp queries the circle and checks the answer is complete.
func nearbyOp(hc *http.Client, base, token string, c Circle, limit int, withEvents bool) Op {
	q := url.Values{"lat": {ftoa(c.Lat)}, "lng": {ftoa(c.Lng)}, "radius": {ftoa(c.RadiusKm)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if withEvents {
		q.Set("withEvents", "true")
	}
	u := base + "/api/v1/stores?" + q.Encode()
	return func(ctx context.Context) string {
		req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
		if err != nil {
			return err.Error()
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			return "transport"
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		switch {
		case resp.StatusCode != http.StatusOK:
			return strconv.Itoa(resp.StatusCode)
		case resp.Header.Get("Couponpop-Partial") != "":
			return "partial"
		}
		return "ok"
	}
}

// seedCircles creates cfg.SeedStores stores in each circle, spread
// uniformly over its disc, as one owner.
func seedCircles(ctx context.Context, cfg NearbyConfig, hc *http.Client) error {
	owner, err := signupOwner(ctx, cfg.URL, hc, "nearby")
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(5, 5))
	start := time.Now()
	kst := time.FixedZone("KST", 9*3600)
	eventStart := time.Now().Add(-time.Minute).In(kst)
	seeded := 0
	for _, c := range cfg.Circles {
		n := cfg.SeedStores
		if c.Seed != 0 {
			n = c.Seed
		}
		for i := range n {
			lat, lng := pointInDisc(rng, c)
			st, err := owner.CreateStore(ctx, client.Store{Name: fmt.Sprintf("근처 카페 %d", i), Phone: "01000000000",
				BusinessNumber: "1234567890", Address: "서울특별시", Dong: "벤치동", Latitude: lat, Longitude: lng,
				StoreCategory: "CAFE", WeekdayOpenTime: "00:00", WeekdayCloseTime: "24:00",
				WeekendOpenTime: "00:00", WeekendCloseTime: "24:00"})
			if err != nil {
				return fmt.Errorf("seed %s: %w", c.Name, err)
			}
			if cfg.SeedEvents {
				if _, err := owner.CreateEvent(ctx, client.NewEvent{StoreID: st.ID, Name: fmt.Sprintf("아메리카노 1+1 %d", i),
					EventStartAt: eventStart.Format("2006-01-02T15:04:05"),
					EventEndAt:   eventStart.Add(47 * time.Hour).Format("2006-01-02T15:04:05"), TotalCount: 100}); err != nil {
					return fmt.Errorf("seed an event in %s: %w", c.Name, err)
				}
			}
			seeded++
		}
	}
	fmt.Fprintf(cfg.Out, "seeded %d stores (events: %v) over %d circles in %s\n", seeded, cfg.SeedEvents, len(cfg.Circles),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// pointInDisc returns a uniform random point within 95% of c's radius.
func pointInDisc(rng *rand.Rand, c Circle) (lat, lng float64) {
	const metersPerDegLat = 111_320.0
	r := 0.95 * c.RadiusKm * 1000 * math.Sqrt(rng.Float64())
	theta := 2 * math.Pi * rng.Float64()
	lat = c.Lat + r*math.Sin(theta)/metersPerDegLat
	lng = c.Lng + r*math.Cos(theta)/(metersPerDegLat*math.Cos(c.Lat*math.Pi/180))
	return lat, lng
}

// signupOwner signs up and logs in a fresh owner at base.
func signupOwner(ctx context.Context, base string, hc *http.Client, what string) (*client.Client, error) {
	c := client.New(base)
	c.HTTP = hc
	email := fmt.Sprintf("bench-%s-%d@bench.couponpop.dev", what, time.Now().UnixNano())
	const password = "Bench1234!"
	if _, err := c.Signup(ctx, client.Signup{Email: email, Username: "benchowner", Password: password,
		ConfirmPassword: password, PhoneNumber: "01000000000", MemberType: "OWNER"}); err != nil {
		return nil, fmt.Errorf("sign up the bench owner: %w", err)
	}
	tok, err := c.Login(ctx, email, password)
	if err != nil {
		return nil, fmt.Errorf("log in the bench owner: %w", err)
	}
	return c.WithToken(tok.AccessToken), nil
}

// ftoa formats a coordinate for a query string.
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// mintToken signs a customer's access token for any member id, as the
// server accepts.
func mintToken(secret []byte, memberID int64) (string, error) {
	claims := jwt.MapClaims{"sub": strconv.FormatInt(memberID, 10), "username": "bench", "memberType": "CUSTOMER",
		"tokenType": "USER", "exp": time.Now().Add(time.Hour).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}
