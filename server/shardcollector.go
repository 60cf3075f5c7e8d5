package server

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// shardScrapeTimeout bounds the reads of the shards' positions in a scrape.
const shardScrapeTimeout = 2 * time.Second

// shardCollector reports, when /metrics is scraped, each held shard's
// commit position, whether this node is its primary, and its replication
// lag where the Roles know it.
type shardCollector struct {
	s                      *Server
	position, primary, lag *prometheus.Desc
}

func newShardCollector(s *Server) *shardCollector {
	shard := []string{"shard"}
	return &shardCollector{
		s: s,
		position: prometheus.NewDesc("couponpop_shard_position",
			"Commit position this node has applied, per shard (absent while the shard is unreadable).", shard, nil),
		primary: prometheus.NewDesc("couponpop_shard_primary",
			"1 when this node writes the shard, else 0.", shard, nil),
		lag: prometheus.NewDesc("couponpop_replication_lag_seconds",
			"Age of the newest data from the shard's primary (LiteFS .lag; 0 on the primary), where known.", shard, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *shardCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.position
	ch <- c.primary
	ch <- c.lag
}

// Collect implements prometheus.Collector.
func (c *shardCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), shardScrapeTimeout)
	defer cancel()
	for _, st := range c.s.shardStatuses(ctx) {
		shard := strconv.Itoa(st.Shard)
		if st.Role != roleUnavailable {
			ch <- prometheus.MustNewConstMetric(c.position, prometheus.GaugeValue, float64(st.Position), shard)
		}
		primary := 0.0
		if st.Role == rolePrimary {
			primary = 1
		}
		ch <- prometheus.MustNewConstMetric(c.primary, prometheus.GaugeValue, primary, shard)
		if st.LagMillis != nil {
			ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(*st.LagMillis)/1000, shard)
		}
	}
}
