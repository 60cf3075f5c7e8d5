package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/couponpop/couponpop/cluster"
	"github.com/couponpop/couponpop/geo"
	"gopkg.in/yaml.v3"
)

// northSouth is the two-shard Seoul map as `cluster up --shards 2` writes
// it, with two nodes per shard.
func northSouth(t *testing.T) shardMapFile {
	t.Helper()
	districts, err := seoulDistricts(2)
	if err != nil {
		t.Fatal(err)
	}
	return shardMapFile{Shards: districts, Nodes: map[int][]string{
		1: {"http://127.0.0.1:8081", "http://127.0.0.1:8082"},
		2: {"http://127.0.0.1:8083", "http://127.0.0.1:8084"},
	}}
}

func writeShardMap(t *testing.T, v any) string {
	t.Helper()
	var data []byte
	switch v := v.(type) {
	case string:
		data = []byte(v)
	default:
		var err error
		if data, err = yaml.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "shardmap.yml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadShardPlan_NorthSouth(t *testing.T) {
	plan, err := loadShardPlan(writeShardMap(t, northSouth(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Map.Shards(); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Fatalf("shards %v", got)
	}
	// Mapo is north of the Han, Yeongdeungpo south: a 1 km circle between
	// them touches both shards.
	if s, d, _ := plan.Map.ShardAt(37.5572, 126.9245); s != 1 || d.Name != "마포구" {
		t.Errorf("Hongdae: shard %d %s", s, d.Name)
	}
	if s, d, _ := plan.Map.ShardAt(37.5264, 126.8962); s != 2 || d.Name != "영등포구" {
		t.Errorf("Yeongdeungpo: shard %d %s", s, d.Name)
	}
	if got := plan.Map.ShardsTouching(37.536, 126.915, 1000); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("1 km around (37.536, 126.915) touches shards %v, want [1 2]", got)
	}
	if len(plan.Nodes[2]) != 2 {
		t.Errorf("nodes %v", plan.Nodes)
	}
}

// TestLoadShardPlan_Errors: each bad entry is named in the error.
func TestLoadShardPlan_Errors(t *testing.T) {
	for _, tt := range []struct {
		name string
		mod  func(f *shardMapFile) any
		want string
	}{
		{"unknown district", func(f *shardMapFile) any {
			f.Shards[2] = append(f.Shards[2], "판교구")
			return f
		}, `shards: 2: unknown district "판교구"`},
		{"district in two shards", func(f *shardMapFile) any {
			f.Shards[2] = append(f.Shards[2], "마포구")
			return f
		}, "district 마포구 is in shard 1 and shard 2"},
		{"district without shard", func(f *shardMapFile) any {
			f.Shards[1] = f.Shards[1][1:]
			return f
		}, "has no shard"},
		{"shard 0 with districts", func(f *shardMapFile) any {
			f.Shards[0] = []string{f.Shards[1][0]}
			f.Shards[1] = f.Shards[1][1:]
			return f
		}, "shards: 0: shard 0 is the global shard"},
		{"shard without districts", func(f *shardMapFile) any {
			f.Shards[3] = nil
			return f
		}, "shards: 3: no districts"},
		{"shard without nodes", func(f *shardMapFile) any {
			delete(f.Nodes, 2)
			return f
		}, "nodes: shard 2 has no nodes while other shards do"},
		{"nodes of an unknown shard", func(f *shardMapFile) any {
			f.Nodes[7] = []string{"http://127.0.0.1:8087"}
			return f
		}, "nodes: shard 7 has no districts"},
		{"not a URL", func(f *shardMapFile) any {
			f.Nodes[1][1] = "127.0.0.1:8082"
			return f
		}, `nodes: shard 1: "127.0.0.1:8082" is not an http(s) URL`},
		{"node twice", func(f *shardMapFile) any {
			f.Nodes[1][1] = f.Nodes[1][0] + "/"
			return f
		}, "nodes: shard 1: http://127.0.0.1:8081/ is listed twice"},
		{"unknown key", func(f *shardMapFile) any {
			return "shards:\n  1: [마포구]\nnode:\n  1: [http://x]\n"
		}, "field node not found"},
		{"empty", func(f *shardMapFile) any { return "" }, "empty file"},
		{"duplicate shard key", func(f *shardMapFile) any {
			return "shards:\n  1: [마포구]\n  1: [중구]\n"
		}, "already defined"},
		{"missing geojson", func(f *shardMapFile) any {
			f.Districts = "nope.geojson"
			return f
		}, "districts:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := northSouth(t)
			_, err := loadShardPlan(writeShardMap(t, tt.mod(&f)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadShardPlan = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestCheckHeld: a node's shards must fit the map, and every shard of the
// map must be reachable.
func TestCheckHeld(t *testing.T) {
	path := writeShardMap(t, northSouth(t))
	plan, err := loadShardPlan(path)
	if err != nil {
		t.Fatal(err)
	}
	node := func(self string, ids ...int) Config {
		cfg := defaultConfig()
		cfg.AdvertiseURL = self
		for _, id := range ids {
			cfg.Shards = append(cfg.Shards, ShardConfig{ID: id, Dir: "/mnt", LiteFSURL: "http://127.0.0.1:20202"})
		}
		return cfg
	}
	if un, err := checkHeld(node("http://127.0.0.1:8083", 0, 2), plan, path); err != nil || len(un) > 0 {
		t.Fatalf("node3 holding shards 0 and 2: unreachable %v, %v", un, err)
	}
	if un, err := checkHeld(defaultConfig(), plan, path); err != nil || len(un) > 0 {
		t.Fatalf("a plain-file node holds every shard: unreachable %v, %v", un, err)
	}
	// A node holding shard 0 and 1 of a map without nodes: shard 2 is held
	// by nobody, which serve warns about.
	if un, err := checkHeld(node("http://127.0.0.1:8081", 0, 1), shardPlan{Map: plan.Map}, path); err != nil || !reflect.DeepEqual(un, []int{2}) {
		t.Fatalf("unreachable %v, %v; want [2]", un, err)
	}
	for _, tt := range []struct {
		name string
		cfg  Config
		plan shardPlan
		want string
	}{
		{"shard not in the map", node("http://127.0.0.1:8083", 0, 2, 3), plan, "shards[2]: shard 3 is not in shard map"},
		{"listed but not held", node("http://127.0.0.1:8083", 0), plan, "lists this node (http://127.0.0.1:8083) for shard 2"},
		{"built-in map", node("http://127.0.0.1:8081", 0, 5), shardPlan{Map: geo.DefaultShardMap()}, "shard 5 is not in the built-in Seoul map"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mapPath := path
			if tt.name == "built-in map" {
				mapPath = ""
			}
			if _, err := checkHeld(tt.cfg, tt.plan, mapPath); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("checkHeld = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestSeoulDistricts(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4} {
		districts, err := seoulDistricts(n)
		if err != nil {
			t.Fatal(err)
		}
		assign := map[string]int{}
		for shard, names := range districts {
			for _, name := range names {
				assign[name] = shard
			}
		}
		m, err := geo.NewShardMap(geo.Seoul(), assign)
		if err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		if len(m.Shards()) != n {
			t.Fatalf("%d shards: map has %v", n, m.Shards())
		}
		switch n {
		case 2:
			if !reflect.DeepEqual(assign, geo.SeoulNorthSouth()) {
				t.Errorf("2 shards differ from geo.SeoulNorthSouth")
			}
		case 4:
			if !reflect.DeepEqual(assign, geo.SeoulShards()) {
				t.Errorf("4 shards differ from geo.SeoulShards")
			}
		}
	}
	if _, err := seoulDistricts(5); err == nil || !strings.Contains(err.Error(), "--shards 5") {
		t.Fatalf("5 shards: %v", err)
	}
}

func TestPlaceShards(t *testing.T) {
	var spec cluster.Spec
	if err := placeShards(&spec, 2, 2, 2, false); err != nil {
		t.Fatal(err)
	}
	if spec.Nodes != 4 || len(spec.ShardMap) != 2 || !reflect.DeepEqual(spec.Placement[2], []int{3, 4}) {
		t.Fatalf("spec %+v", spec)
	}
	spec = cluster.Spec{}
	if err := placeShards(&spec, 2, 3, 0, true); err != nil {
		t.Fatal(err)
	}
	if spec.Nodes != 3 || !reflect.DeepEqual(spec.Shards, []int{0, 1, 2}) || spec.Placement != nil {
		t.Fatalf("every node holds every shard: spec %+v", spec)
	}
	if err := placeShards(&cluster.Spec{}, 2, 3, 2, true); err == nil || !strings.Contains(err.Error(), "drop --nodes") {
		t.Fatalf("--nodes 3 with 2×2: %v", err)
	}
}
