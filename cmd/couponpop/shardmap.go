package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
//	  2: [http://10.0.0.3:8080]
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
	for shard, urls := range f.Nodes {
		if shard != 0 && !slices.Contains(m.Shards(), shard) {
			return shardPlan{}, fmt.Errorf("shard map %s: nodes: shard %d has no districts", path, shard)
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				return shardPlan{}, fmt.Errorf("shard map %s: nodes: shard %d: %q is not an http(s) URL", path, shard, u)
			}
		}
	}
	return shardPlan{Map: m, Nodes: f.Nodes}, nil
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
	assign := map[string]int{}
	for shard, names := range f.Shards {
		for _, name := range names {
			if prev, ok := assign[name]; ok {
				return nil, f, fmt.Errorf("shard map %s: district %s is in shard %d and shard %d", path, name, prev, shard)
			}
			assign[name] = shard
		}
	}
	m, err := geo.NewShardMap(districts, assign)
	if err != nil {
		return nil, f, fmt.Errorf("shard map %s: %w", path, err)
	}
	return m, f, nil
}
