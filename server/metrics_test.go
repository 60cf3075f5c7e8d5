package server_test

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/couponpop/couponpop"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape gets /metrics and parses it as the Prometheus text format, which
// fails on a malformed line or a family split in two.
func (ts *testServer) scrape() map[string]*dto.MetricFamily {
	ts.t.Helper()
	r := ts.do("GET", "/metrics", "", nil)
	ts.expect(r, 200, "")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(r.Body))
	if err != nil {
		ts.t.Fatalf("/metrics is not the Prometheus text format: %v\n%s", err, r.Body)
	}
	problems, err := promlint.New(bytes.NewReader(r.Body)).Lint()
	if err != nil {
		ts.t.Fatal(err)
	}
	for _, p := range problems {
		ts.t.Errorf("/metrics: %s: %s", p.Metric, p.Text)
	}
	return families
}

// series returns the series of family whose labels include labels (name,
// value pairs), or nil.
func series(families map[string]*dto.MetricFamily, family string, labels ...string) *dto.Metric {
	f := families[family]
	if f == nil {
		return nil
	}
	for _, m := range f.Metric {
		match := true
		for i := 0; i < len(labels); i += 2 {
			match = match && slices.ContainsFunc(m.Label, func(l *dto.LabelPair) bool {
				return l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			})
		}
		if match {
			return m
		}
	}
	return nil
}

// counter is the value of a counter series of family (0 when absent).
func counter(families map[string]*dto.MetricFamily, family string, labels ...string) float64 {
	return series(families, family, labels...).GetCounter().GetValue()
}

// TestMetrics_AfterClaims: after claims, /metrics is valid exposition that
// passes Prometheus' lint, with the claims by outcome, the shard writer's
// batch sizes and commit times, and request durations labelled by route
// pattern, never by raw path.
func TestMetrics_AfterClaims(t *testing.T) {
	ts := newTestServer(t)
	_, _, eventID := ts.ownerWithEvent(100, nil)
	var tokens []string
	for range 5 {
		_, tok := ts.member(couponpop.MemberCustomer)
		tokens = append(tokens, tok)
	}
	if got := ts.claimAll(eventID, tokens, 1, nil); got["204"] != 5 {
		t.Fatalf("claims = %v, want 5 × 204", got)
	}
	if got := ts.claimAll(eventID, tokens[:1], 1, nil); got["400 COUPON_ALREADY_ISSUED"] != 1 {
		t.Fatalf("second claim = %v, want COUPON_ALREADY_ISSUED", got)
	}
	holder := ts.memberToken()
	couponID := ts.claimCoupon(holder, eventID)
	ts.showCoupon(holder, couponID)
	ts.do("GET", "/no/such/route", "", nil)
	ts.do("GET", "/api/v1/no/such/route", "", nil)

	db, err := ts.Shards.ByID(eventID, nil)
	if err != nil {
		t.Fatal(err)
	}
	shard := strconv.Itoa(db.Shard())
	batches, claims := db.ClaimStats()
	f := ts.scrape()

	for outcome, want := range map[string]float64{"ok": 6, "COUPON_ALREADY_ISSUED": 1} {
		if m := series(f, "couponpop_claims_total", "outcome", outcome); m.GetCounter().GetValue() != want {
			t.Errorf("couponpop_claims_total{outcome=%q} = %v, want %v", outcome, m, want)
		}
	}
	batch := series(f, "couponpop_claim_batch_claims", "shard", shard).GetHistogram()
	if batch.GetSampleCount() != uint64(batches) || batch.GetSampleSum() != float64(claims) || claims != 7 {
		t.Errorf("batch sizes of shard %s: %d transactions of %v claims, want %d of %d", shard,
			batch.GetSampleCount(), batch.GetSampleSum(), batches, claims)
	}
	commit := series(f, "couponpop_claim_commit_seconds", "shard", shard).GetHistogram()
	if commit.GetSampleCount() != uint64(batches) || commit.GetSampleSum() <= 0 {
		t.Errorf("commit times of shard %s: %d, sum %v; want %d with a positive sum", shard,
			commit.GetSampleCount(), commit.GetSampleSum(), batches)
	}
	// bench reads the 4 ms bucket; the bounds are those the writer always had.
	var bounds []float64
	for _, b := range commit.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	if want := []float64{0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, math.Inf(1)}; !slices.Equal(bounds, want) {
		t.Errorf("commit time buckets %v, want %v", bounds, want)
	}
	if m := series(f, "couponpop_claim_commit_failures_total", "shard", shard); m == nil || m.GetCounter().GetValue() != 0 {
		t.Errorf("commit failures of shard %s = %v, want 0", shard, m)
	}

	for _, c := range []struct {
		route, method, code string
		count               uint64
	}{
		{"/api/v1/coupons/issue", "POST", "204", 6},
		{"/api/v1/coupons/issue", "POST", "400", 1},
		{"/api/v1/coupons/{couponId}", "GET", "200", 1},
		{"unmatched", "GET", "404", 2},
	} {
		m := series(f, "couponpop_http_request_duration_seconds", "route", c.route, "method", c.method, "code", c.code)
		if m.GetHistogram().GetSampleCount() != c.count {
			t.Errorf("request durations %s %s %s: %v, want %d", c.method, c.route, c.code, m, c.count)
		}
	}
	for _, m := range f["couponpop_http_request_duration_seconds"].GetMetric() {
		for _, l := range m.Label {
			if l.GetName() == "route" && l.GetValue() != "unmatched" && l.GetValue()[0] != '/' {
				t.Errorf("route label %q is not a pattern", l.GetValue())
			}
			if l.GetName() == "route" && slices.Contains([]string{strconv.FormatInt(couponID, 10), "no"}, l.GetValue()) {
				t.Errorf("route label %q is a raw path", l.GetValue())
			}
		}
	}
	for _, name := range []string{"couponpop_shard_position", "couponpop_shard_primary"} {
		if m := series(f, name, "shard", shard); m == nil || (name == "couponpop_shard_primary" && m.GetGauge().GetValue() != 1) {
			t.Errorf("%s{shard=%s} = %v, want present (primary: 1)", name, shard, m)
		}
	}
	if f["go_goroutines"] == nil || f["process_cpu_seconds_total"] == nil {
		t.Error("/metrics lacks the Go and process collectors")
	}
}

// TestMetrics_TwoNodesInOneProcess: two servers in one process each count
// only their own claims, on their own registries.
func TestMetrics_TwoNodesInOneProcess(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	_, _, eventID := a.ownerWithEvent(10, nil)
	a.claimCoupon(a.memberToken(), eventID)
	a.claimCoupon(a.memberToken(), eventID)
	b.do("GET", "/healthz", "", nil)

	fa, fb := a.scrape(), b.scrape()
	if m := series(fa, "couponpop_claims_total", "outcome", "ok"); m.GetCounter().GetValue() != 2 {
		t.Errorf("a: claims ok = %v, want 2", m)
	}
	if m := series(fb, "couponpop_claims_total", "outcome", "ok"); m.GetCounter().GetValue() != 0 {
		t.Errorf("b: claims ok = %v, want 0", m)
	}
	if m := series(fb, "couponpop_http_request_duration_seconds", "route", "/api/v1/coupons/issue"); m != nil {
		t.Errorf("b has a's claim requests: %v", m)
	}
	if m := series(fb, "couponpop_http_request_duration_seconds", "route", "/healthz", "code", "200"); m == nil {
		t.Error("b lacks its own /healthz requests")
	}
}

// memberToken returns a new customer's token.
func (ts *testServer) memberToken() string {
	_, tok := ts.member(couponpop.MemberCustomer)
	return tok
}
