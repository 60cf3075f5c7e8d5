package geo

import (
	"errors"
	"fmt"
	"slices"
	"sort"
)

// ShardMap assigns every district of a Districts to a shard number 1..N.
// Shard 0 is reserved for global data and never appears here. A ShardMap is
// immutable and safe for concurrent use.
type ShardMap struct {
	districts *Districts
	shardOf   []int // by district position
	shards    []int // sorted, unique
}

// NewShardMap builds a shard map from district names (a "서울시" prefix is
// ignored) to shard numbers. Every district must be assigned a shard >= 1;
// the error lists every unknown name, unassigned district and bad shard.
func NewShardMap(d *Districts, shardOf map[string]int) (*ShardMap, error) {
	if d == nil {
		return nil, errors.New("geo: shard map: no districts")
	}
	m := &ShardMap{districts: d, shardOf: make([]int, len(d.list))}
	var problems []string
	listed := make([]bool, len(d.list))
	names := make([]string, 0, len(shardOf))
	for name := range shardOf {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		shard := shardOf[name]
		i, ok := d.byName[normalizeName(name)]
		if ok {
			listed[i] = true
		}
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("unknown district %q", name))
		case shard < 1:
			problems = append(problems, fmt.Sprintf("district %q: shard %d, want >= 1 (0 is the global shard)", name, shard))
		case m.shardOf[i] != 0 && m.shardOf[i] != shard:
			problems = append(problems, fmt.Sprintf("district %q: assigned both shard %d and %d", d.list[i].Name, m.shardOf[i], shard))
		default:
			m.shardOf[i] = shard
		}
	}
	for i, dist := range d.list {
		if !listed[i] {
			problems = append(problems, fmt.Sprintf("district %q has no shard", dist.Name))
		}
	}
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = errors.New(p)
		}
		return nil, fmt.Errorf("geo: shard map: %w", errors.Join(errs...))
	}
	m.shards = slices.Clone(m.shardOf)
	slices.Sort(m.shards)
	m.shards = slices.Compact(m.shards)
	return m, nil
}

// ShardAt returns the shard and the district Locate finds for (lat, lng); ok
// is false when the point lies in no district.
func (m *ShardMap) ShardAt(lat, lng float64) (shard int, district District, ok bool) {
	i := m.districts.locate(pointOf(lat, lng))
	if i < 0 {
		return 0, District{}, false
	}
	return m.shardOf[i], m.districts.list[i], true
}

// ShardsTouching returns the sorted, unique shards of the districts Touching
// returns: every shard holding a point within radiusMeters of (lat, lng). It
// is empty when the circle touches no district.
func (m *ShardMap) ShardsTouching(lat, lng, radiusMeters float64) []int {
	var out []int
	for _, i := range m.districts.touching(pointOf(lat, lng), radiusMeters) {
		out = append(out, m.shardOf[i])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Shards returns the sorted, unique shard numbers in use.
func (m *ShardMap) Shards() []int {
	return slices.Clone(m.shards)
}

// DistrictsOf returns the districts assigned to shard, in input order.
func (m *ShardMap) DistrictsOf(shard int) []District {
	var out []District
	for i, s := range m.shardOf {
		if s == shard {
			out = append(out, m.districts.list[i])
		}
	}
	return out
}

// Districts returns the districts the map assigns.
func (m *ShardMap) Districts() *Districts {
	return m.districts
}
