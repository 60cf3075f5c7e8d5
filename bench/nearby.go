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
	if cfg.SeedStores > 0 {
		if err := seedCircles(ctx, cfg, hc); err != nil {
			return nil, err
		}
	}
	token, err := mintToken(cfg.JWTSecret, time.Now().UnixNano()%1_000_000_000+1_000_000_000_000)
	if err != nil {
		return nil, err
	}
	var results []*Result
	for _, c := range cfg.Circles {
		op := nearbyOp(hc, cfg.URL, token, c, cfg.Limit)
		if out := op(ctx); out != "ok" {
			return results, fmt.Errorf("%s: first query: %s", c.Name, out)
		}
		r := ClosedLoop(ctx, c.Name, cfg.Clients, cfg.Duration, 0, op)
		results = append(results, r)
		fmt.Fprintf(cfg.Out, "%-22s done: %d requests, %.0f ok/s, p99 %s\n", c.Name, r.Ops, r.PerSecond(), round(r.Percentile(99)))
	}
	return results, nil
}

// nearbyOp queries the circle and checks the answer is complete.
func nearbyOp(hc *http.Client, base, token string, c Circle, limit int) Op {
	q := url.Values{"lat": {ftoa(c.Lat)}, "lng": {ftoa(c.Lng)}, "radius": {ftoa(c.RadiusKm)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
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
	for _, c := range cfg.Circles {
		for i := range cfg.SeedStores {
			lat, lng := pointInDisc(rng, c)
			if _, err := owner.CreateStore(ctx, client.Store{Name: fmt.Sprintf("근처 카페 %d", i), Phone: "01000000000",
				BusinessNumber: "1234567890", Address: "서울특별시", Dong: "벤치동", Latitude: lat, Longitude: lng,
				StoreCategory: "CAFE", WeekdayOpenTime: "00:00", WeekdayCloseTime: "24:00",
				WeekendOpenTime: "00:00", WeekendCloseTime: "24:00"}); err != nil {
				return fmt.Errorf("seed %s: %w", c.Name, err)
			}
		}
	}
	fmt.Fprintf(cfg.Out, "seeded %d stores in each of %d circles in %s\n", cfg.SeedStores, len(cfg.Circles),
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
