// Package cluster starts, inspects and stops a real CouponPop cluster on one
// machine: per node and per shard one `litefs mount` process (static lease)
// on loopback ports, then one `couponpop serve` per node. `couponpop cluster`
// and the integration tests use it.
//
// Layout of a cluster directory D:
//
//	D/cluster.json            what runs: binaries, ports, pids, roles (see Cluster)
//	D/nodeN.yml               the app config of node N (addr, data, advertise-url, shards+peers)
//	D/shardmap.yml            districts and nodes of each shard (with Spec.ShardMap)
//	D/nodeN/app.log           the app's stdout and stderr
//	D/nodeN/data/             the node's plain-file shards (those not on LiteFS)
//	D/nodeN/sS/litefs.yml     the LiteFS config of shard S on node N
//	D/nodeN/sS/litefs.log     its stdout and stderr
//	D/nodeN/sS/mnt/           its FUSE mount; the database is mnt/shard-S.db
//	D/nodeN/sS/data/          its LiteFS data directory (LTX files)
//
// Ports, from the base port P (default 8080):
//
//	P+N                 app of node N (N = 1..9): 8081, 8082, ...
//	P+100+10*S+N        LiteFS HTTP API of shard S on node N (S = 0..89):
//	                    shard 0 → 8181, 8182, ...; shard 1 → 8191, 8192, ...
//
// LiteFS needs no other port: replication streams over its HTTP API and its
// built-in proxy stays off (off Fly it drops writes; the app forwards them).
//
// Each node's LiteFS lease.hostname is the app URL of the shard's primary
// node and its advertise-url the primary's LiteFS API: with a static lease a
// replica learns nothing from the primary, so every config names the primary.
// A replica thus finds the primary's app URL in /info primary.hostname.
package cluster

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Limits of the port scheme.
const (
	MaxNodes = 9
	MaxShard = 89
)

// DefaultBasePort is the base port when Spec.BasePort is 0.
const DefaultBasePort = 8080

// Spec describes a cluster to bring up.
type Spec struct {
	// Dir is the cluster directory; created if missing. A directory left by
	// an earlier cluster is reused (its LiteFS data survives a down/up).
	Dir string
	// Nodes is the number of nodes, named node1..nodeN (1..MaxNodes).
	Nodes int
	// Shards are the shards kept on LiteFS (0..MaxShard); nil means [0].
	Shards []int
	// Placement maps a shard to the nodes (1-based) holding it; the first is
	// its primary. A shard missing from it is on every node with node1 as
	// primary. Shard 0 is always on every node.
	Placement map[int][]int
	// ShardMap, when set, lists the districts of each district shard (its
	// keys are Shards without 0). Up then writes D/shardmap.yml with these
	// districts and the nodes holding each shard, and every nodeN.yml names
	// it as shard-map. Nil leaves the apps on the built-in Seoul map.
	ShardMap map[int][]string
	// BasePort is P of the port scheme; 0 means DefaultBasePort.
	BasePort int
	// LiteFSBin is the litefs binary; "" means FindLiteFS("").
	LiteFSBin string
	// AppBin is the couponpop binary; "" means os.Executable().
	AppBin string
	// NoApp starts the LiteFS mounts only.
	NoApp bool
	// Consul, when set, puts every shard on a Consul lease (failover among
	// candidates) instead of a static lease (a fixed primary).
	Consul *ConsulLease
	// Timeout bounds each wait for readiness; 0 means 30 s.
	Timeout time.Duration
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
}

func (s Spec) withDefaults() Spec {
	if s.Shards == nil {
		s.Shards = []int{0}
	}
	if s.BasePort == 0 {
		s.BasePort = DefaultBasePort
	}
	if s.Timeout <= 0 {
		s.Timeout = 30 * time.Second
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s
}

// Validate reports the first invalid field of s (after defaults).
func (s Spec) Validate() error {
	switch {
	case s.Dir == "":
		return fmt.Errorf("cluster: Dir required")
	case strings.Contains(s.Dir, "$"):
		return fmt.Errorf("cluster: Dir %q: LiteFS expands $ in its config", s.Dir)
	case s.Nodes < 1 || s.Nodes > MaxNodes:
		return fmt.Errorf("cluster: Nodes %d: want 1..%d", s.Nodes, MaxNodes)
	case len(s.Shards) == 0:
		return fmt.Errorf("cluster: Shards: want at least one")
	case s.BasePort < 1024 || s.BasePort+100+10*MaxShard+MaxNodes > 65535:
		return fmt.Errorf("cluster: BasePort %d: want 1024..%d", s.BasePort, 65535-100-10*MaxShard-MaxNodes)
	}
	seen := map[int]bool{}
	for _, sh := range s.Shards {
		if sh < 0 || sh > MaxShard {
			return fmt.Errorf("cluster: Shards: shard %d: want 0..%d", sh, MaxShard)
		}
		if seen[sh] {
			return fmt.Errorf("cluster: Shards: shard %d listed twice", sh)
		}
		seen[sh] = true
	}
	for sh, nodes := range s.Placement {
		if !seen[sh] {
			return fmt.Errorf("cluster: Placement: shard %d is not in Shards", sh)
		}
		if len(nodes) == 0 {
			return fmt.Errorf("cluster: Placement: shard %d on no node", sh)
		}
		for _, n := range nodes {
			if n < 1 || n > s.Nodes {
				return fmt.Errorf("cluster: Placement: shard %d on node %d: want 1..%d", sh, n, s.Nodes)
			}
		}
		if sh == 0 && len(uniq(nodes)) != s.Nodes {
			return fmt.Errorf("cluster: Placement: shard 0 must be on every node")
		}
		if len(uniq(nodes)) != len(nodes) {
			return fmt.Errorf("cluster: Placement: shard %d names a node twice", sh)
		}
	}
	if s.Consul != nil {
		if err := s.Consul.validate(s); err != nil {
			return err
		}
	}
	return s.validateShardMap()
}

func uniq(a []int) []int {
	b := slices.Clone(a)
	slices.Sort(b)
	return slices.Compact(b)
}

// nodesOf returns the nodes holding shard, primary first.
func (s Spec) nodesOf(shard int) []int {
	if nodes, ok := s.Placement[shard]; ok {
		return nodes
	}
	all := make([]int, s.Nodes)
	for i := range all {
		all[i] = i + 1
	}
	return all
}

// AppPort is the app port of node (1-based) for base port p.
func AppPort(p, node int) int { return p + node }

// LiteFSPort is the LiteFS API port of shard on node (1-based) for base
// port p.
func LiteFSPort(p, shard, node int) int { return p + 100 + 10*shard + node }

func loopbackURL(port int) string { return fmt.Sprintf("http://127.0.0.1:%d", port) }
