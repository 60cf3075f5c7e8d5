package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
	"golang.org/x/time/rate"
)

// Rate is a token bucket: Events per Per on average, in bursts of up to
// Burst (0: Events). Events 0 means no limit.
type Rate struct {
	Events int
	Per    time.Duration
	Burst  int
}

// ParseRate reads "20/1h", "10/1s burst 20" or "off".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	bad := fmt.Errorf("rate %q: want N/DURATION, N/DURATION burst B, or off (e.g. 20/1h, 10/1s burst 20)", s)
	spec, burst, hasBurst := strings.Cut(s, " burst ")
	n, per, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return Rate{}, bad
	}
	var r Rate
	var err1, err2, err3 error
	r.Events, err1 = strconv.Atoi(n)
	r.Per, err2 = time.ParseDuration(per)
	if hasBurst {
		r.Burst, err3 = strconv.Atoi(strings.TrimSpace(burst))
	}
	if err := errors.Join(err1, err2, err3); err != nil || r.Events < 1 || r.Per <= 0 || r.Burst < 0 {
		return Rate{}, bad
	}
	return r, nil
}

// String is the form ParseRate reads.
func (r Rate) String() string {
	switch {
	case r.Events <= 0:
		return "off"
	case r.Burst > 0:
		return fmt.Sprintf("%d/%s burst %d", r.Events, r.Per, r.Burst)
	}
	return fmt.Sprintf("%d/%s", r.Events, r.Per)
}

func (r Rate) burst() int {
	if r.Burst > 0 {
		return r.Burst
	}
	return r.Events
}

// Limits are the request rate limits. They are held per node, in memory:
// a client spreading its requests over n nodes gets up to n times them.
type Limits struct {
	SignupPerIP           Rate // default 20/1h
	LoginPerIP            Rate // default 30/1m
	RefreshPerIP          Rate // default 60/1m
	FailedLoginPerAccount Rate // default 10/15m: past it, logins to the account answer 429
	ClaimPerMember        Rate // default 10/1s burst 20; never per IP (carrier NAT)
	// ClientIP says where a request's client address comes from.
	ClientIP ClientIPConfig
}

// DefaultLimits are the limits of issue 15.
func DefaultLimits() Limits {
	return Limits{
		SignupPerIP:           Rate{Events: 20, Per: time.Hour},
		LoginPerIP:            Rate{Events: 30, Per: time.Minute},
		RefreshPerIP:          Rate{Events: 60, Per: time.Minute},
		FailedLoginPerAccount: Rate{Events: 10, Per: 15 * time.Minute},
		ClaimPerMember:        Rate{Events: 10, Per: time.Second, Burst: 20},
	}
}

// rateLimits are a server's limiters; a nil set is no limit.
type rateLimits struct {
	signup, login, refresh, failedLogin, claim *limiterSet
	clientIP                                   clientIPResolver
}

func newRateLimits(l *Limits, nodeToken string, now func() time.Time) *rateLimits {
	if l == nil {
		return &rateLimits{clientIP: clientIPResolver{nodeToken: nodeToken}}
	}
	return &rateLimits{
		signup:      newLimiterSet(l.SignupPerIP, now),
		login:       newLimiterSet(l.LoginPerIP, now),
		refresh:     newLimiterSet(l.RefreshPerIP, now),
		failedLogin: newLimiterSet(l.FailedLoginPerAccount, now),
		claim:       newLimiterSet(l.ClaimPerMember, now),
		clientIP:    clientIPResolver{cfg: l.ClientIP, nodeToken: nodeToken},
	}
}

// limiterShards splits a limiterSet's map to keep its locks uncontended.
const limiterShards = 32

// maxLimiterEntries bounds one shard's entries between sweeps: past it the
// shard sweeps early, so memory stays bounded however many keys arrive.
const maxLimiterEntries = 1 << 16

// limiterSet holds one token bucket per key (an IP, an account, a member).
// A bucket left idle until it is full again is the same as a new one, so
// each shard keeps two generations: the keys used in this period and in
// the last. Every period (the time a bucket takes to refill), the older
// generation is dropped.
type limiterSet struct {
	rate   Rate
	limit  rate.Limit
	period time.Duration
	now    func() time.Time
	seed   maphash.Seed
	shards [limiterShards]limiterShard
}

type limiterShard struct {
	mu        sync.Mutex
	cur, prev map[string]*rate.Limiter
	rotatedAt time.Time
}

func newLimiterSet(r Rate, now func() time.Time) *limiterSet {
	if r.Events <= 0 {
		return nil
	}
	per := r.Per / time.Duration(r.Events)
	s := &limiterSet{rate: r, limit: rate.Every(per), period: per * time.Duration(r.burst()), now: now, seed: maphash.MakeSeed()}
	s.period = max(s.period, time.Second)
	for i := range s.shards {
		s.shards[i].cur, s.shards[i].prev = map[string]*rate.Limiter{}, map[string]*rate.Limiter{}
	}
	return s
}

// get returns key's bucket, making it on first use.
func (s *limiterSet) get(key string, now time.Time) *rate.Limiter {
	sh := &s.shards[maphash.String(s.seed, key)%limiterShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if now.Sub(sh.rotatedAt) >= s.period || len(sh.cur) >= maxLimiterEntries {
		sh.prev, sh.cur, sh.rotatedAt = sh.cur, make(map[string]*rate.Limiter, len(sh.cur)/2), now
	}
	lim, ok := sh.cur[key]
	if !ok {
		if lim, ok = sh.prev[key]; ok {
			delete(sh.prev, key)
		} else {
			lim = rate.NewLimiter(s.limit, s.rate.burst())
		}
		sh.cur[key] = lim
	}
	return lim
}

// allow takes a token from key's bucket, or says how long until one is
// there.
func (s *limiterSet) allow(key string) (ok bool, retryAfter time.Duration) {
	now := s.now()
	res := s.get(key, now).ReserveN(now, 1)
	if !res.OK() {
		return false, s.period
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// blocked reports, without taking a token, whether key's bucket is empty,
// and how long until it is not.
func (s *limiterSet) blocked(key string) (bool, time.Duration) {
	now := s.now()
	lim := s.get(key, now)
	if lim.TokensAt(now) >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - lim.TokensAt(now)) / float64(s.limit) * float64(time.Second))
}

// take takes a token from key's bucket, if one is there.
func (s *limiterSet) take(key string) {
	now := s.now()
	s.get(key, now).AllowN(now, 1)
}

// len counts the keys held, for tests and metrics.
func (s *limiterSet) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.cur) + len(sh.prev)
		sh.mu.Unlock()
	}
	return n
}

// rateLimited answers 429 RATE_LIMITED with Retry-After in whole seconds.
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request, retryAfter time.Duration, what string) {
	secs := int64(math.Ceil(retryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	s.writeError(w, r, couponpop.Errorf(eRateLimited, "too many %s; retry in %d s", what, max(secs, 1)))
}

// limitIP limits a route per client IP.
func (s *Server) limitIP(set *limiterSet, what string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if set == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, wait := set.allow(s.limits.clientIP.of(r)); !ok {
				s.rateLimited(w, r, wait, what)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitClaims limits claims per member; it runs behind requireMember.
func (s *Server) limitClaims(next http.Handler) http.Handler {
	set := s.limits.claim
	if set == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r.Context())
		if c == nil {
			next.ServeHTTP(w, r)
			return
		}
		if ok, wait := set.allow(strconv.FormatInt(c.MemberID, 10)); !ok {
			s.rateLimited(w, r, wait, "claims")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitFailedLogins refuses logins to an account that failed too often
// lately, and counts each login answered 400 or 401 (a wrong email or
// password) against its account. It reads the body, so it runs after the
// per-IP limit.
func (s *Server) limitFailedLogins(next http.Handler) http.Handler {
	set := s.limits.failedLogin
	if set == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		account := loginAccount(r)
		if account == "" {
			next.ServeHTTP(w, r)
			return
		}
		if blocked, wait := set.blocked(account); blocked {
			s.rateLimited(w, r, wait, "failed logins for this account")
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusBadRequest || rec.status == http.StatusUnauthorized {
			set.take(account)
		}
	})
}

// loginAccount is the normalized email of a login body, or "".
func loginAccount(r *http.Request) string {
	data, err := requestBody(r)
	if err != nil {
		return ""
	}
	var in struct {
		Email string `json:"email"`
	}
	if json.Unmarshal(data, &in) != nil {
		return ""
	}
	return couponpop.NormalEmail(in.Email)
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (rec *statusRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *statusRecorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(p)
}

func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
