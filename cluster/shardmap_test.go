package cluster

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSpec_Spread(t *testing.T) {
	s := Spec{Dir: "/tmp/c"}
	if err := s.Spread(2, 2); err != nil {
		t.Fatal(err)
	}
	if s.Nodes != 4 || !reflect.DeepEqual(s.Shards, []int{0, 1, 2}) ||
		!reflect.DeepEqual(s.Placement, map[int][]int{1: {1, 2}, 2: {3, 4}}) {
		t.Fatalf("Spread(2, 2) = nodes %d shards %v placement %v", s.Nodes, s.Shards, s.Placement)
	}
	s = s.withDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	c := plan(s, "/tmp/c", "litefs", "couponpop")
	for _, tt := range []struct {
		node, role string
		shards     int
	}{
		{"node1", "primary", 2}, {"node2", "replica", 2},
		{"node3", "primary:2 replica:0", 2}, {"node4", "replica", 2},
	} {
		n, _ := c.Node(tt.node)
		if n.Role() != tt.role || len(n.Mounts) != tt.shards {
			t.Errorf("%s: role %q with %d shards, want %q with %d", tt.node, n.Role(), len(n.Mounts), tt.role, tt.shards)
		}
	}

	for _, tt := range []struct {
		shards, perShard int
		want             string
	}{
		{0, 1, "district shards"},
		{2, 0, "nodes per shard"},
		{4, 3, "12 nodes"},
	} {
		if err := (&Spec{}).Spread(tt.shards, tt.perShard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Spread(%d, %d) = %v, want an error about %q", tt.shards, tt.perShard, err, tt.want)
		}
	}
}

func TestSpec_ValidateShardMap(t *testing.T) {
	ok := Spec{Dir: "/tmp/c", Nodes: 2, Shards: []int{0, 1, 2},
		ShardMap: map[int][]string{1: {"마포구"}, 2: {"강남구"}}}.withDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		sm   map[int][]string
		want string
	}{
		{"shard 0", map[int][]string{0: {"중구"}, 1: {"마포구"}, 2: {"강남구"}}, "shard 0"},
		{"unknown shard", map[int][]string{1: {"마포구"}, 2: {"강남구"}, 3: {"중구"}}, "shard 3 is not in Shards"},
		{"empty shard", map[int][]string{1: {"마포구"}, 2: {}}, "shard 2 has no districts"},
		{"missing shard", map[int][]string{1: {"마포구"}}, "shard 2 of Shards"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			s.ShardMap = tt.sm
			if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// TestWriteConfigs_ShardMap: a spread cluster writes D/shardmap.yml (read
// back strictly) and points every node config at it.
func TestWriteConfigs_ShardMap(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{Dir: dir, BasePort: 9000, ShardMap: map[int][]string{1: {"마포구", "중구"}, 2: {"강남구"}}}
	if err := spec.Spread(2, 2); err != nil {
		t.Fatal(err)
	}
	spec = spec.withDefaults()
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	c := plan(spec, dir, "litefs", "couponpop")
	if err := c.writeConfigs(); err != nil {
		t.Fatal(err)
	}

	var sm shardMapConfig
	readStrict(t, filepath.Join(dir, ShardMapFile), &sm)
	want := shardMapConfig{
		Shards: map[int][]string{1: {"마포구", "중구"}, 2: {"강남구"}},
		Nodes: map[int][]string{
			1: {"http://127.0.0.1:9001", "http://127.0.0.1:9002"},
			2: {"http://127.0.0.1:9003", "http://127.0.0.1:9004"},
		},
	}
	if !reflect.DeepEqual(sm, want) {
		t.Fatalf("shardmap.yml = %+v, want %+v", sm, want)
	}
	for _, n := range c.Nodes {
		var nc nodeConfig
		readStrict(t, n.Config, &nc)
		if nc.ShardMap != filepath.Join(dir, ShardMapFile) {
			t.Errorf("%s: shard-map %q", n.Name, nc.ShardMap)
		}
		var ids []int
		for _, s := range nc.Shards {
			ids = append(ids, s.ID)
		}
		wantIDs := []int{0, 1}
		if n.Name == "node3" || n.Name == "node4" {
			wantIDs = []int{0, 2}
		}
		if !reflect.DeepEqual(ids, wantIDs) {
			t.Errorf("%s holds shards %v, want %v", n.Name, ids, wantIDs)
		}
	}
}
