package bench

import (
	"strings"
	"testing"
	"time"
)

// TestParseWriterCounters sums the writer counters over shards, counts a
// commit as slow above the 4 ms bucket, and ignores other metrics.
func TestParseWriterCounters(t *testing.T) {
	text := `# TYPE couponpop_claim_batch_claims histogram
couponpop_claim_batch_claims_bucket{shard="0",le="+Inf"} 0
couponpop_claim_batch_claims_sum{shard="0"} 0
couponpop_claim_batch_claims_count{shard="0"} 0
couponpop_claim_batch_claims_bucket{shard="1",le="512"} 100
couponpop_claim_batch_claims_bucket{shard="1",le="+Inf"} 100
couponpop_claim_batch_claims_sum{shard="1"} 900
couponpop_claim_batch_claims_count{shard="1"} 100
couponpop_claims_total{outcome="ok"} 900
# TYPE couponpop_claim_commit_seconds histogram
couponpop_claim_commit_seconds_bucket{shard="0",le="0.004"} 0
couponpop_claim_commit_seconds_sum{shard="0"} 0
couponpop_claim_commit_seconds_count{shard="0"} 0
couponpop_claim_commit_seconds_bucket{shard="1",le="0.002"} 80
couponpop_claim_commit_seconds_bucket{shard="1",le="0.004"} 97
couponpop_claim_commit_seconds_bucket{shard="1",le="+Inf"} 100
couponpop_claim_commit_seconds_sum{shard="1"} 0.25
couponpop_claim_commit_seconds_count{shard="1"} 100
`
	l, err := parseWriterCounters(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := WriterLoad{Commits: 100, Claims: 900, SlowCommits: 3, CommitTime: 250 * time.Millisecond}
	if l != want {
		t.Fatalf("got %+v, want %+v", l, want)
	}
	d := l.since(WriterLoad{Commits: 40, Claims: 400, SlowCommits: 1, CommitTime: 50 * time.Millisecond}, time.Second)
	if d.Commits != 60 || d.Claims != 500 || d.SlowCommits != 2 || d.Busy() != 0.2 {
		t.Fatalf("since: %+v, busy %v", d, d.Busy())
	}
}
