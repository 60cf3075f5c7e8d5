package server

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
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

	fmt.Fprintln(w, "# HELP couponpop_shard_position Commit position this node has applied, per shard.")
	fmt.Fprintln(w, "# TYPE couponpop_shard_position gauge")
	fmt.Fprintln(w, "# HELP couponpop_shard_primary 1 when this node writes the shard.")
	fmt.Fprintln(w, "# TYPE couponpop_shard_primary gauge")
	fmt.Fprintln(w, "# HELP couponpop_claim_batches_total Claim transactions committed by this node's writer.")
	fmt.Fprintln(w, "# TYPE couponpop_claim_batches_total counter")
	fmt.Fprintln(w, "# HELP couponpop_claim_batched_total Claims committed in those transactions.")
	fmt.Fprintln(w, "# TYPE couponpop_claim_batched_total counter")
	fmt.Fprintln(w, "# HELP couponpop_replication_lag_seconds Age of the newest data from the shard's primary (LiteFS .lag; 0 on the primary).")
	fmt.Fprintln(w, "# TYPE couponpop_replication_lag_seconds gauge")
	for _, st := range s.shardStatuses(r) {
		primary := 0
		if st.Role == rolePrimary {
			primary = 1
		}
		fmt.Fprintf(w, "couponpop_shard_position{shard=\"%d\"} %d\n", st.Shard, st.Position)
		fmt.Fprintf(w, "couponpop_shard_primary{shard=\"%d\"} %d\n", st.Shard, primary)
		fmt.Fprintf(w, "couponpop_claim_batches_total{shard=\"%d\"} %d\n", st.Shard, st.ClaimBatches)
		fmt.Fprintf(w, "couponpop_claim_batched_total{shard=\"%d\"} %d\n", st.Shard, st.ClaimsCommitted)
		if st.LagMillis != nil {
			fmt.Fprintf(w, "couponpop_replication_lag_seconds{shard=\"%d\"} %g\n", st.Shard, float64(*st.LagMillis)/1000)
		}
	}
}
