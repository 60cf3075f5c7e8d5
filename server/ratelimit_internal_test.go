package server

import (
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name    string
		cfg     ClientIPConfig
		remote  string
		headers map[string]string
		want    string
	}{
		{"socket", ClientIPConfig{}, "192.0.2.1:5000", nil, "192.0.2.1"},
		{"xff from untrusted peer ignored", ClientIPConfig{TrustedProxies: trusted}, "192.0.2.1:5000",
			map[string]string{"X-Forwarded-For": "198.51.100.7"}, "192.0.2.1"},
		{"xff from trusted proxy", ClientIPConfig{TrustedProxies: trusted}, "10.1.2.3:5000",
			map[string]string{"X-Forwarded-For": "203.0.113.5, 198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"xff all trusted", ClientIPConfig{TrustedProxies: trusted}, "10.1.2.3:5000",
			map[string]string{"X-Forwarded-For": "10.4.4.4"}, "10.4.4.4"},
		{"fly off", ClientIPConfig{}, "192.0.2.1:5000", map[string]string{"Fly-Client-IP": "203.0.113.5"}, "192.0.2.1"},
		{"fly on", ClientIPConfig{FlyClientIP: true}, "192.0.2.1:5000", map[string]string{"Fly-Client-IP": "203.0.113.5"}, "203.0.113.5"},
		{"node without token", ClientIPConfig{}, "192.0.2.1:5000",
			map[string]string{nodeTokenHeader: "wrong", nodeClientIPHeader: "203.0.113.5"}, "192.0.2.1"},
		{"node with token", ClientIPConfig{}, "192.0.2.1:5000",
			map[string]string{nodeTokenHeader: "admin-token", nodeClientIPHeader: "203.0.113.5"}, "203.0.113.5"},
		{"ipv4 in ipv6", ClientIPConfig{}, "[::ffff:192.0.2.1]:5000", nil, "192.0.2.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := (clientIPResolver{cfg: tc.cfg, nodeToken: "admin-token"}).of(r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestLimiterSet_IdleKeysAreDropped(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	set := newLimiterSet(Rate{Events: 10, Per: time.Second, Burst: 20}, func() time.Time { return now })
	for i := range 10_000 {
		set.allow(strconv.Itoa(i))
	}
	if n := set.len(); n != 10_000 {
		t.Fatalf("%d keys held, want 10000", n)
	}
	// Two refill periods later (2 s each), fresh keys have pushed the
	// idle ones out.
	for round := range 2 {
		now = now.Add(2 * time.Second)
		for i := range 1000 {
			set.allow("fresh" + strconv.Itoa(round*1000+i))
		}
	}
	if n := set.len(); n > 2000 {
		t.Fatalf("%d keys held after 10000 went idle, want at most the 2000 fresh ones", n)
	}
}

func TestLimiterSet_RetryAfter(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	set := newLimiterSet(Rate{Events: 10, Per: 15 * time.Minute}, func() time.Time { return now })
	for range 10 {
		if ok, _ := set.allow("a"); !ok {
			t.Fatal("refused within the burst")
		}
	}
	ok, wait := set.allow("a")
	if ok || wait < 80*time.Second || wait > 95*time.Second {
		t.Fatalf("11th: ok %v, retry after %s; want refused for 90 s", ok, wait)
	}
	now = now.Add(wait)
	if ok, _ := set.allow("a"); !ok {
		t.Fatal("refused after Retry-After")
	}
}

// BenchmarkLimiterSet_NewKeys is a claim limit's cost when every claim is
// a new member's (as bench claims does): a new bucket each time.
func BenchmarkLimiterSet_NewKeys(b *testing.B) {
	set := newLimiterSet(DefaultLimits().ClaimPerMember, time.Now)
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		i++
		set.allow(strconv.FormatInt(i, 10))
	}
}

// BenchmarkLimiterSet_SameKeys is its cost for members claiming again.
func BenchmarkLimiterSet_SameKeys(b *testing.B) {
	set := newLimiterSet(Rate{Events: 1 << 30, Per: time.Second}, time.Now)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var i int64
		for pb.Next() {
			i++
			set.allow(strconv.FormatInt(i%1000, 10))
		}
	})
}
