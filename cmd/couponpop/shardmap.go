package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/couponpop/couponpop/geo"
	"gopkg.in/yaml.v3"
)

// shardMapFile is the YAML form of a shard map:
//
//	districts: seoul.geojson   # optional: GeoJSON polygons; default built-in Seoul gu
//	shards:
//	  1: [마포구, 서대문구, ...]
//	  2: [강남구, ...]
type shardMapFile struct {
	Districts string           `yaml:"districts"`
	Shards    map[int][]string `yaml:"shards"`
}

// loadShardMap reads a shard map file, or returns the built-in Seoul map
// when path is empty.
func loadShardMap(path string) (*geo.ShardMap, error) {
	if path == "" {
		return geo.DefaultShardMap(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read shard map: %w", err)
	}
	var f shardMapFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("shard map %s: %w", path, err)
	}
	districts := geo.Seoul()
	if f.Districts != "" {
		gj := f.Districts
		if !filepath.IsAbs(gj) {
			gj = filepath.Join(filepath.Dir(path), gj)
		}
		raw, err := os.ReadFile(gj)
		if err != nil {
			return nil, fmt.Errorf("shard map %s: districts: %w", path, err)
		}
		if districts, err = geo.ParseDistricts(raw); err != nil {
			return nil, fmt.Errorf("shard map %s: districts %s: %w", path, gj, err)
		}
	}
	assign := map[string]int{}
	for shard, names := range f.Shards {
		for _, name := range names {
			if prev, ok := assign[name]; ok {
				return nil, fmt.Errorf("shard map %s: district %s is in shard %d and shard %d", path, name, prev, shard)
			}
			assign[name] = shard
		}
	}
	m, err := geo.NewShardMap(districts, assign)
	if err != nil {
		return nil, fmt.Errorf("shard map %s: %w", path, err)
	}
	return m, nil
}
