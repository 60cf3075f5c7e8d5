package geo

import (
	_ "embed"
	"fmt"
	"sync"
)

//go:embed seoul_gu.geojson
var seoulGeoJSON []byte

// seoul parses the embedded districts once.
var seoul = sync.OnceValue(func() *Districts {
	d, err := ParseDistricts(seoulGeoJSON)
	if err != nil {
		panic(fmt.Sprintf("geo: embedded seoul_gu.geojson: %v", err))
	}
	return d
})

// defaultShardMap builds the default Seoul shard map once.
var defaultShardMap = sync.OnceValue(func() *ShardMap {
	m, err := NewShardMap(Seoul(), SeoulShards())
	if err != nil {
		panic(fmt.Sprintf("geo: default Seoul shard map: %v", err))
	}
	return m
})

// Seoul returns the 25 districts (gu) of Seoul embedded in the package (see
// SOURCES.md), parsed on first use. It panics only if the embedded file is
// broken.
func Seoul() *Districts { return seoul() }

// SeoulShards returns the default assignment of Seoul's districts to four
// shards, split along the Han river: 1 and 2 north (west and east), 3 and 4
// south (west and east). The map is a fresh copy.
func SeoulShards() map[string]int {
	return shardsOf(map[int][]string{
		1: {"마포구", "서대문구", "은평구", "용산구", "중구", "종로구"},
		2: {"성북구", "강북구", "도봉구", "노원구", "중랑구", "동대문구", "성동구", "광진구"},
		3: {"강서구", "양천구", "구로구", "금천구", "영등포구", "동작구", "관악구"},
		4: {"서초구", "강남구", "송파구", "강동구"},
	})
}

// SeoulNorthSouth returns a two-shard assignment of Seoul's districts: 1 north
// of the Han river (SeoulShards 1 and 2), 2 south of it (3 and 4). The map is
// a fresh copy.
func SeoulNorthSouth() map[string]int {
	m := SeoulShards()
	for name, shard := range m {
		m[name] = (shard + 1) / 2
	}
	return m
}

// DefaultShardMap returns NewShardMap(Seoul(), SeoulShards()), built once.
func DefaultShardMap() *ShardMap { return defaultShardMap() }

// shardsOf inverts a shard -> names listing.
func shardsOf(names map[int][]string) map[string]int {
	m := make(map[string]int)
	for shard, list := range names {
		for _, name := range list {
			m[name] = shard
		}
	}
	return m
}
