package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/couponpop/couponpop"
)

// TestMetrics_ClaimCommitTimes: after claims, /metrics has the shard's
// commit-time histogram (cumulative buckets that end at the number of
// transactions, with their total time), and every metric family is one
// group under its TYPE line, as the Prometheus text format asks.
func TestMetrics_ClaimCommitTimes(t *testing.T) {
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
	db, err := ts.Shards.ByID(eventID, nil)
	if err != nil {
		t.Fatal(err)
	}
	shard := db.Shard()
	batches, _ := db.ClaimStats()

	r := ts.do("GET", "/metrics", "", nil)
	ts.expect(r, 200, "")
	text := string(r.Body)
	want := fmt.Sprintf(`couponpop_claim_commit_seconds_count{shard="%d"} %d`+"\n", shard, batches)
	if batches < 1 || !strings.Contains(text, want) {
		t.Errorf("/metrics lacks %q:\n%s", want, text)
	}
	if inf := fmt.Sprintf(`couponpop_claim_commit_seconds_bucket{shard="%d",le="+Inf"} %d`+"\n", shard, batches); !strings.Contains(text, inf) {
		t.Errorf("/metrics lacks %q", inf)
	}
	sum := regexp.MustCompile(fmt.Sprintf(`couponpop_claim_commit_seconds_sum\{shard="%d"\} (0\.\d+|[1-9][\d.]*)\n`, shard))
	if !sum.MatchString(text) {
		t.Errorf("/metrics has no positive commit time sum for shard %d", shard)
	}
	// Buckets never decrease.
	bucket := regexp.MustCompile(fmt.Sprintf(`couponpop_claim_commit_seconds_bucket\{shard="%d",le="[^"]+"\} (\d+)`, shard))
	last := -1
	for _, m := range bucket.FindAllStringSubmatch(text, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		if n < last {
			t.Errorf("bucket counts decrease: %v", m[0])
		}
		last = n
	}

	// One group per family: every sample follows its own family's TYPE
	// line, with no other family's between.
	family := ""
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			family = strings.Fields(f)[0]
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		name := line[:strings.IndexAny(line, "{ ")]
		if name != family && name != family+"_bucket" && name != family+"_sum" && name != family+"_count" {
			t.Errorf("sample %q is not under its TYPE line (last TYPE: %s)", line, family)
		}
	}
}
