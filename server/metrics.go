package server

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are one node's Prometheus metrics, registered on the node's own
// registry, so that one process can run many nodes. Per-shard gauges
// (position, role, replication lag) are read when /metrics is scraped; see
// shardCollector.
type Metrics struct {
	reg prometheus.Registerer

	requests *requestMetrics

	claims   *prometheus.CounterVec // by outcome: "ok" or the error code
	claimsOK prometheus.Counter

	claimCommit   *prometheus.HistogramVec // by shard
	claimBatch    *prometheus.HistogramVec // by shard
	claimFailures *prometheus.CounterVec   // by shard

	// Requests sent on to another node, by reason. remote.go counts
	// forwarded: the request's shard is held by other nodes.
	forwarded, forwardedWrites, forwardedReads prometheus.Counter

	// Web Push: the dispatchers' attempts by outcome, and the location
	// reports the spoofing guard ignored.
	pushSent        *prometheus.CounterVec
	locationSpoofed prometheus.Counter
}

// NewRegistry returns a registry with the Go runtime's and the process's
// collectors: one node's, for its Metrics and its /metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// NewMetrics registers a node's metrics on reg. One Server uses them.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		reg:      reg,
		requests: newRequestMetrics(f),
		claims: f.NewCounterVec(prometheus.CounterOpts{
			Name: "couponpop_claims_total",
			Help: `Claims answered by this node, by outcome: "ok" or the error code.`,
		}, []string{"outcome"}),
		claimCommit: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "couponpop_claim_commit_seconds",
			Help: "How long this node's claim transactions took, BEGIN to the end of COMMIT (with any checkpoint in it), committed or not.",
			// From a small batch's commit (about 0.1 ms) to one that also
			// checkpoints the WAL (several ms) or waits on a slow disk;
			// bench reads the 4 ms bucket.
			Buckets: []float64{0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064},
		}, []string{"shard"}),
		claimBatch: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "couponpop_claim_batch_claims",
			Help:    "Claims in each committed transaction of this node's claim writer, granted or refused.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10), // 1 to 512, the default batch max
		}, []string{"shard"}),
		claimFailures: f.NewCounterVec(prometheus.CounterOpts{
			Name: "couponpop_claim_commit_failures_total",
			Help: "Claim transactions of this node's writer that failed: their claims were answered with the error.",
		}, []string{"shard"}),
	}
	m.claimsOK = m.claims.WithLabelValues("ok")
	m.pushSent = f.NewCounterVec(prometheus.CounterOpts{
		Name: "couponpop_push_sent_total",
		Help: `Web Push attempts of this node's dispatchers and nudges, by outcome: "delivered", "retry", "gone" (subscription deleted) or "failed".`,
	}, []string{"outcome"})
	m.locationSpoofed = f.NewCounter(prometheus.CounterOpts{
		Name: "couponpop_location_reports_ignored_total",
		Help: "Location reports the spoofing guard ignored: they imply an impossible speed since the device's last one.",
	})
	forwarded := f.NewCounterVec(prometheus.CounterOpts{
		Name: "couponpop_forwarded_requests_total",
		Help: "Requests this node sent on to another node (proxied, or answered with fly-replay), by reason: " +
			`"write" to the shard's primary, "stale_read" to the primary when this replica did not catch up in time, ` +
			`"not_held" to a node holding a shard this one does not.`,
	}, []string{"reason"})
	m.forwarded = forwarded.WithLabelValues("not_held")
	m.forwardedWrites = forwarded.WithLabelValues("write")
	m.forwardedReads = forwarded.WithLabelValues("stale_read")
	return m
}

// countClaim counts a claim's answer: "ok" or the error code.
func (m *Metrics) countClaim(outcome string) {
	if outcome == "ok" {
		m.claimsOK.Inc()
		return
	}
	m.claims.WithLabelValues(outcome).Inc()
}

// ClaimObserver returns the store.ClaimOptions.Observe of shard's claim
// writer: it times every claim transaction, sizes the committed ones and
// counts the failed ones. A nil Metrics observes nothing (nil).
func (m *Metrics) ClaimObserver(shard int) func(claims int, took time.Duration, err error) {
	if m == nil {
		return nil
	}
	label := strconv.Itoa(shard)
	commit, batch := m.claimCommit.WithLabelValues(label), m.claimBatch.WithLabelValues(label)
	failures := m.claimFailures.WithLabelValues(label)
	return func(claims int, took time.Duration, err error) {
		commit.Observe(took.Seconds())
		if err != nil {
			failures.Inc()
			return
		}
		batch.Observe(float64(claims))
	}
}

// PushObserver returns the notify.Config.Observe of a dispatcher: it counts
// each attempt by outcome. A nil Metrics observes nothing (nil).
func (m *Metrics) PushObserver() func(outcome string) {
	if m == nil {
		return nil
	}
	return func(outcome string) { m.pushSent.WithLabelValues(outcome).Inc() }
}
