package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/couponpop/couponpop/store"
)

// metrics are the server's counters, written as Prometheus text at /metrics.
type metrics struct {
	forwarded atomic.Int64
	mu        sync.Mutex
	claims    map[string]int64 // by outcome: "ok" or the error code
}

func (m *metrics) countClaim(outcome string) {
	m.mu.Lock()
	if m.claims == nil {
		m.claims = map[string]int64{}
	}
	m.claims[outcome]++
	m.mu.Unlock()
}

// handleMetrics writes the counters, and per shard the role, commit
// position and claim batches, in the Prometheus text format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP couponpop_forwarded_requests_total Requests this node forwarded to a shard's primary.")
	fmt.Fprintln(w, "# TYPE couponpop_forwarded_requests_total counter")
	fmt.Fprintf(w, "couponpop_forwarded_requests_total %d\n", s.metrics.forwarded.Load())

	fmt.Fprintln(w, "# HELP couponpop_claims_total Claims answered by this node, by outcome.")
	fmt.Fprintln(w, "# TYPE couponpop_claims_total counter")
	s.metrics.mu.Lock()
	outcomes := make([]string, 0, len(s.metrics.claims))
	for k := range s.metrics.claims {
		outcomes = append(outcomes, k)
	}
	sort.Strings(outcomes)
	for _, k := range outcomes {
		fmt.Fprintf(w, "couponpop_claims_total{outcome=%q} %d\n", k, s.metrics.claims[k])
	}
	s.metrics.mu.Unlock()

	statuses := s.shardStatuses(r)
	perShard := func(name, typ, help string, value func(shardStatus) (float64, bool)) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, st := range statuses {
			if v, ok := value(st); ok {
				fmt.Fprintf(w, "%s{shard=\"%d\"} %s\n", name, st.Shard, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
	}
	perShard("couponpop_shard_position", "gauge", "Commit position this node has applied, per shard.",
		func(st shardStatus) (float64, bool) { return float64(st.Position), true })
	perShard("couponpop_shard_primary", "gauge", "1 when this node writes the shard.",
		func(st shardStatus) (float64, bool) {
			if st.Role == rolePrimary {
				return 1, true
			}
			return 0, true
		})
	perShard("couponpop_claim_batches_total", "counter", "Claim transactions committed by this node's writer.",
		func(st shardStatus) (float64, bool) { return float64(st.ClaimBatches), true })
	perShard("couponpop_claim_batched_total", "counter", "Claims committed in those transactions.",
		func(st shardStatus) (float64, bool) { return float64(st.ClaimsCommitted), true })
	perShard("couponpop_replication_lag_seconds", "gauge", "Age of the newest data from the shard's primary (LiteFS .lag; 0 on the primary).",
		func(st shardStatus) (float64, bool) {
			if st.LagMillis == nil {
				return 0, false
			}
			return float64(*st.LagMillis) / 1000, true
		})
	writeCommitTimes(w, statuses)
}

// writeCommitTimes writes each shard's claim commit times as a Prometheus
// histogram: its sum over time is how busy the shard's writer was.
func writeCommitTimes(w io.Writer, statuses []shardStatus) {
	const name = "couponpop_claim_commit_seconds"
	fmt.Fprintf(w, "# HELP %s How long this node's claim transactions took, BEGIN to the end of COMMIT (with any checkpoint in it).\n", name)
	fmt.Fprintf(w, "# TYPE %s histogram\n", name)
	for _, st := range statuses {
		var cumulative int64
		for i, n := range st.commitTimes.Counts {
			cumulative += n
			le := "+Inf"
			if i < len(store.CommitTimeBounds) {
				le = strconv.FormatFloat(store.CommitTimeBounds[i].Seconds(), 'g', -1, 64)
			}
			fmt.Fprintf(w, "%s_bucket{shard=\"%d\",le=%q} %d\n", name, st.Shard, le, cumulative)
		}
		fmt.Fprintf(w, "%s_sum{shard=\"%d\"} %s\n", name, st.Shard, strconv.FormatFloat(st.commitTimes.Total.Seconds(), 'f', -1, 64))
		fmt.Fprintf(w, "%s_count{shard=\"%d\"} %d\n", name, st.Shard, cumulative)
	}
}
