package cluster

import (
	"fmt"
	"path/filepath"
	"slices"
)

// ShardMapFile is the name of the shard map file inside a cluster
// directory, written when Spec.ShardMap is set.
const ShardMapFile = "shardmap.yml"

// Spread places district shards 1..shards each on its own nodesPerShard
// nodes: shard s on nodes (s-1)*nodesPerShard+1 .. s*nodesPerShard, the
// first of them its primary, so every district shard has its primary on a
// different node. Shard 0 is on every node with node1 as primary. It sets
// Nodes, Shards and Placement.
//
// With shards=2, nodesPerShard=2: nodes 1–2 hold shard 1 (primary node1),
// nodes 3–4 hold shard 2 (primary node3), all four hold shard 0.
func (s *Spec) Spread(shards, nodesPerShard int) error {
	switch {
	case shards < 1 || shards > MaxShard:
		return fmt.Errorf("cluster: %d district shards: want 1..%d", shards, MaxShard)
	case nodesPerShard < 1:
		return fmt.Errorf("cluster: %d nodes per shard: want at least 1", nodesPerShard)
	case shards*nodesPerShard > MaxNodes:
		return fmt.Errorf("cluster: %d shards × %d nodes per shard = %d nodes: at most %d fit the port scheme",
			shards, nodesPerShard, shards*nodesPerShard, MaxNodes)
	}
	s.Nodes = shards * nodesPerShard
	s.Shards = []int{0}
	s.Placement = map[int][]int{}
	for sh := 1; sh <= shards; sh++ {
		s.Shards = append(s.Shards, sh)
		for i := range nodesPerShard {
			s.Placement[sh] = append(s.Placement[sh], (sh-1)*nodesPerShard+i+1)
		}
	}
	return nil
}

// validateShardMap checks that a shard map names exactly the district
// shards of s, each with at least one district.
func (s Spec) validateShardMap() error {
	if s.ShardMap == nil {
		return nil
	}
	for sh, districts := range s.ShardMap {
		if sh == 0 {
			return fmt.Errorf("cluster: ShardMap: shard 0 is the global shard and holds no districts")
		}
		if !slices.Contains(s.Shards, sh) {
			return fmt.Errorf("cluster: ShardMap: shard %d is not in Shards", sh)
		}
		if len(districts) == 0 {
			return fmt.Errorf("cluster: ShardMap: shard %d has no districts", sh)
		}
	}
	for _, sh := range s.Shards {
		if _, ok := s.ShardMap[sh]; sh != 0 && !ok {
			return fmt.Errorf("cluster: ShardMap: shard %d of Shards has no districts", sh)
		}
	}
	return nil
}

// shardMapConfig is the shard map file `couponpop serve` reads
// (--shard-map; cmd/couponpop/shardmap.go parses it strictly).
type shardMapConfig struct {
	// Shards are the districts of each district shard.
	Shards map[int][]string `yaml:"shards"`
	// Nodes are the app URLs of the nodes holding each district shard,
	// primary first.
	Nodes map[int][]string `yaml:"nodes"`
}

// shardMapConfig is the shard map of c: its districts and, per district
// shard, the nodes holding it.
func (c *Cluster) shardMapConfig() shardMapConfig {
	sm := shardMapConfig{Shards: c.Districts, Nodes: map[int][]string{}}
	for sh := range c.Districts {
		if n, _, ok := c.Primary(sh); ok {
			sm.Nodes[sh] = append(sm.Nodes[sh], n.URL)
		}
		for _, o := range c.Nodes {
			if m, ok := o.Mount(sh); ok && !m.Primary {
				sm.Nodes[sh] = append(sm.Nodes[sh], o.URL)
			}
		}
	}
	return sm
}

// writeShardMap writes c's shard map file, if it has one.
func (c *Cluster) writeShardMap() error {
	if c.ShardMap == "" {
		return nil
	}
	header := fmt.Sprintf("Shard map of the local cluster in %s: districts of each shard and the nodes\n"+
		"holding it (primary first). Every nodeN.yml names it as shard-map.\n"+
		"Written by `couponpop cluster up`: edits are overwritten.", c.Dir)
	return writeYAML(c.ShardMap, header, c.shardMapConfig())
}

// shardMapPath is where plan puts the shard map file of dir.
func shardMapPath(dir string) string { return filepath.Join(dir, ShardMapFile) }
