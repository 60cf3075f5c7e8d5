package cluster

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// DefaultConsulKey is the prefix of the Consul keys of a cluster's leases
// when ConsulLease.Key is "".
const DefaultConsulKey = "litefs/couponpop"

// ConsulLease puts every shard of a cluster on a Consul lease instead of a
// static one: LiteFS elects each shard's primary among its candidates and,
// when the primary dies, another candidate takes the lease once the
// primary's session expires (TTL, then lock-delay). Locally the Consul API
// is a test-only stand-in on loopback; on Fly it is `fly consul attach`.
//
// Up starts each shard's first node (its Placement primary, node1 by
// default) first and waits until it holds the lease, so the cluster starts
// with the same primaries as with a static lease. Automatic promotion
// (lease.promote) stays off: with it, every candidate that joins takes the
// lease over, which suits a Fly deploy but not a cluster whose nodes restart.
type ConsulLease struct {
	// URL is Consul's HTTP API, e.g. "http://127.0.0.1:8500".
	URL string
	// Key prefixes the lease keys: shard S uses "<Key>-s<S>", one LiteFS
	// cluster per key. "" means DefaultConsulKey.
	Key string
	// Candidates are the nodes (1-based) that may hold a lease; nil means
	// every node. A shard's first node must be one.
	Candidates []int
	// TTL and LockDelay of LiteFS's Consul session; 0 keeps LiteFS's
	// defaults (10 s and 1 s). Real Consul refuses a TTL under 10 s.
	TTL       time.Duration
	LockDelay time.Duration
}

// key is the Consul key of shard's lease.
func (l *ConsulLease) key(shard int) string {
	prefix := l.Key
	if prefix == "" {
		prefix = DefaultConsulKey
	}
	return prefix + "-s" + strconv.Itoa(shard)
}

// candidate reports whether node (1-based) may hold a lease.
func (l *ConsulLease) candidate(node int) bool {
	return l.Candidates == nil || slices.Contains(l.Candidates, node)
}

// validate checks l against the spec it belongs to.
func (l *ConsulLease) validate(s Spec) error {
	u, err := url.Parse(l.URL)
	switch {
	case l.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("cluster: Consul.URL %q: want http://host:port", l.URL)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("cluster: Consul.URL %q: LiteFS takes a path as a key prefix; put it in Consul.Key", l.URL)
	case len(l.Key) > 0 && l.Key[0] == '/':
		return fmt.Errorf("cluster: Consul.Key %q must not start with /", l.Key)
	case l.TTL < 0 || l.LockDelay < 0:
		return fmt.Errorf("cluster: Consul.TTL and LockDelay must not be negative")
	}
	for _, n := range l.Candidates {
		if n < 1 || n > s.Nodes {
			return fmt.Errorf("cluster: Consul.Candidates: node %d: want 1..%d", n, s.Nodes)
		}
	}
	for _, sh := range s.Shards {
		if first := s.nodesOf(sh)[0]; !l.candidate(first) {
			return fmt.Errorf("cluster: Consul.Candidates: node %d, the first node of shard %d, must be a candidate", first, sh)
		}
	}
	return nil
}

// consulLeaseConfig is the lease.consul section of LiteFS's config.
type consulLeaseConfig struct {
	URL       string `yaml:"url"`
	Key       string `yaml:"key"`
	TTL       string `yaml:"ttl,omitempty"`
	LockDelay string `yaml:"lock-delay,omitempty"`
}

// useConsul turns lc, the config of mount m on node n, into a Consul lease
// config: the node names itself (its app URL and its LiteFS API), since
// LiteFS passes the primary's names to replicas through Consul.
func (lc *litefsConfig) useConsul(l *ConsulLease, n Node, m Mount) {
	lc.Lease.Type = "consul"
	lc.Lease.Hostname = n.URL
	lc.Lease.AdvertiseURL = m.URL
	lc.Lease.Candidate = m.Candidate
	cc := &consulLeaseConfig{URL: l.URL, Key: l.key(m.Shard)}
	if l.TTL > 0 {
		cc.TTL = l.TTL.String()
	}
	if l.LockDelay > 0 {
		cc.LockDelay = l.LockDelay.String()
	}
	lc.Lease.Consul = cc
}
