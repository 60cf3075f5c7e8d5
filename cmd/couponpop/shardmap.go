package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"gopkg.in/yaml.v3"
)

// shardMapFile is the YAML form of a shard map:
//
//	districts: seoul.geojson   # optional: GeoJSON polygons; default built-in Seoul gu
//	shards:
//	  1: [마포구, 서대문구, ...]
//	  2: [강남구, ...]
//	nodes:                     # optional: the app URLs of the nodes holding each shard
//	  1: [http://10.0.0.1:8080, http://10.0.0.2:8080]
//	  2: [http://10.0.0.3:8080]     # on Fly: [fly:couponpop-s2] (fly-replay app=…)
type shardMapFile struct {
	Districts string           `yaml:"districts"`
	Shards    map[int][]string `yaml:"shards"`
	Nodes     map[int][]string `yaml:"nodes"`
}

// shardPlan is a shard map and where its shards live.
type shardPlan struct {
	Map *geo.ShardMap
	// Nodes are the app URLs holding each shard (empty: this node holds all).
	Nodes map[int][]string
}

// loadShardMap reads a shard map file, or returns the built-in Seoul map
// when path is empty.
func loadShardMap(path string) (*geo.ShardMap, error) {
	plan, err := loadShardPlan(path)
	return plan.Map, err
}

// loadShardPlan reads a shard map file with its nodes; errors name the bad
// entry.
func loadShardPlan(path string) (shardPlan, error) {
	if path == "" {
		return shardPlan{Map: geo.DefaultShardMap()}, nil
	}
	m, f, err := parseShardMapFile(path)
	if err != nil {
		return shardPlan{}, err
	}
	if err := checkNodes(m, f.Nodes); err != nil {
		return shardPlan{}, fmt.Errorf("shard map %s: nodes: %w", path, err)
	}
	return shardPlan{Map: m, Nodes: f.Nodes}, nil
}

// checkNodes checks the nodes: section against the map: only its shards
// (and 0), http(s) URLs each listed once, and, once any shard lists nodes,
// nodes for every shard, so that every shard can be reached.
func checkNodes(m *geo.ShardMap, nodes map[int][]string) error {
	for _, shard := range slices.Sorted(maps.Keys(nodes)) {
		if shard != 0 && !slices.Contains(m.Shards(), shard) {
			return fmt.Errorf("shard %d has no districts (the map's shards are %s)", shard, joinInts(m.Shards()))
		}
		seen := map[string]bool{}
		for _, u := range nodes[shard] {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "fly:") {
				return fmt.Errorf("shard %d: %q is not an http(s) URL or fly:APP", shard, u)
			}
			key := strings.TrimRight(u, "/")
			if seen[key] {
				return fmt.Errorf("shard %d: %s is listed twice", shard, u)
			}
			seen[key] = true
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	for _, shard := range m.Shards() {
		if len(nodes[shard]) == 0 {
			return fmt.Errorf("shard %d has no nodes while other shards do: list the nodes holding it", shard)
		}
	}
	return nil
}

// checkHeld checks a node's config against the shard plan: the shards it
// holds on LiteFS must be in the map, and a node whose advertise-url the map
// lists for a shard must hold that shard. It returns the shards of the map
// that neither this node nor any listed node holds (their requests will be
// 503s: worth a warning, not a refusal, so that e.g. a shard-0-only node
// still starts). Plain-file nodes (no shards: in the config) hold every
// shard of the map.
func checkHeld(cfg Config, plan shardPlan, mapPath string) (unreachable []int, err error) {
	if len(cfg.Shards) == 0 {
		return nil, nil
	}
	name := "the built-in Seoul map"
	if mapPath != "" {
		name = "shard map " + mapPath
	}
	held := map[int]bool{}
	for i, sc := range cfg.Shards {
		if sc.ID != 0 && !slices.Contains(plan.Map.Shards(), sc.ID) {
			return nil, fmt.Errorf("config: shards[%d]: shard %d is not in %s (its shards are %s)", i, sc.ID, name, joinInts(plan.Map.Shards()))
		}
		held[sc.ID] = true
	}
	self := strings.TrimRight(cfg.AdvertiseURL, "/")
	for _, shard := range plan.Map.Shards() {
		if held[shard] {
			continue
		}
		var others int
		for _, u := range plan.Nodes[shard] {
			u = strings.TrimRight(u, "/")
			if self != "" && u == self {
				return nil, fmt.Errorf("config: %s lists this node (%s) for shard %d, but its shards: do not hold it", name, self, shard)
			}
			others++
		}
		if others == 0 {
			unreachable = append(unreachable, shard)
		}
	}
	return unreachable, nil
}

func joinInts(a []int) string {
	s := make([]string, len(a))
	for i, n := range a {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func parseShardMapFile(path string) (*geo.ShardMap, shardMapFile, error) {
	var f shardMapFile
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, f, fmt.Errorf("read shard map: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("empty file")
		}
		return nil, f, fmt.Errorf("shard map %s: %w", path, err)
	}
	districts := geo.Seoul()
	if f.Districts != "" {
		gj := f.Districts
		if !filepath.IsAbs(gj) {
			gj = filepath.Join(filepath.Dir(path), gj)
		}
		raw, err := os.ReadFile(gj)
		if err != nil {
			return nil, f, fmt.Errorf("shard map %s: districts: %w", path, err)
		}
		if districts, err = geo.ParseDistricts(raw); err != nil {
			return nil, f, fmt.Errorf("shard map %s: districts %s: %w", path, gj, err)
		}
	}
	if len(f.Shards) == 0 {
		return nil, f, fmt.Errorf("shard map %s: shards: none listed", path)
	}
	assign := map[string]int{}
	for _, shard := range slices.Sorted(maps.Keys(f.Shards)) {
		names := f.Shards[shard]
		switch {
		case shard < 1:
			return nil, f, fmt.Errorf("shard map %s: shards: %d: shard 0 is the global shard and holds no districts; number district shards from 1", path, shard)
		case shard > couponpop.MaxShard:
			return nil, f, fmt.Errorf("shard map %s: shards: %d: at most %d (IDs carry 13 shard bits)", path, shard, couponpop.MaxShard)
		case len(names) == 0:
			return nil, f, fmt.Errorf("shard map %s: shards: %d: no districts", path, shard)
		}
		for _, name := range names {
			d, ok := districts.ByName(name)
			if !ok {
				return nil, f, fmt.Errorf("shard map %s: shards: %d: unknown district %q", path, shard, name)
			}
			if prev, ok := assign[d.Name]; ok {
				return nil, f, fmt.Errorf("shard map %s: district %s is in shard %d and shard %d", path, d.Name, prev, shard)
			}
			assign[d.Name] = shard
		}
	}
	m, err := geo.NewShardMap(districts, assign)
	if err != nil {
		return nil, f, fmt.Errorf("shard map %s: %w", path, err)
	}
	return m, f, nil
}
