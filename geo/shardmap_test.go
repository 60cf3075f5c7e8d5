package geo

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestNewShardMap_Errors(t *testing.T) {
	without := func(m map[string]int, names ...string) map[string]int {
		for _, n := range names {
			delete(m, n)
		}
		return m
	}
	with := func(m map[string]int, name string, shard int) map[string]int {
		m[name] = shard
		return m
	}
	tests := []struct {
		name     string
		shardOf  map[string]int
		wantErrs []string
	}{
		{"unknown district", with(SeoulShards(), "해운대구", 2), []string{`unknown district "해운대구"`}},
		{"unassigned district", without(SeoulShards(), "마포구"), []string{`district "마포구" has no shard`}},
		{"two unassigned", without(SeoulShards(), "마포구", "강남구"), []string{`"마포구" has no shard`, `"강남구" has no shard`}},
		{"shard zero", with(SeoulShards(), "중구", 0), []string{`district "중구": shard 0, want >= 1`}},
		{"negative shard", with(SeoulShards(), "중구", -3), []string{`district "중구": shard -3`}},
		{"prefixed name assigned twice", with(SeoulShards(), "서울시도봉구", 4), []string{`district "도봉구": assigned both shard`}},
		{"empty map", map[string]int{}, []string{`"종로구" has no shard`, `"강동구" has no shard`}},
		{"everything wrong", with(without(SeoulShards(), "송파구"), "부산", 0), []string{`unknown district "부산"`, `"송파구" has no shard`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewShardMap(Seoul(), tt.shardOf)
			if err == nil {
				t.Fatalf("NewShardMap succeeded with shards %v", m.Shards())
			}
			for _, want := range tt.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	if _, err := NewShardMap(nil, SeoulShards()); err == nil {
		t.Error("NewShardMap(nil) succeeded")
	}
}

func TestNewShardMap_PrefixedNames(t *testing.T) {
	shardOf := SeoulShards()
	delete(shardOf, "도봉구")
	shardOf["서울시도봉구"] = 2
	m, err := NewShardMap(Seoul(), shardOf)
	if err != nil {
		t.Fatal(err)
	}
	if got := districtNames(m.DistrictsOf(2)); !slices.Contains(got, "도봉구") {
		t.Errorf("DistrictsOf(2) = %v, want 도봉구 in it", got)
	}
}

func TestDefaultShardMap(t *testing.T) {
	m := DefaultShardMap()
	if m != DefaultShardMap() {
		t.Error("DefaultShardMap built twice")
	}
	if m.Districts() != Seoul() {
		t.Error("Districts() is not Seoul()")
	}
	if got := m.Shards(); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("Shards = %v, want [1 2 3 4]", got)
	}
	want := map[int][]string{
		1: {"종로구", "중구", "용산구", "은평구", "서대문구", "마포구"},
		2: {"성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구", "도봉구", "노원구"},
		3: {"양천구", "강서구", "구로구", "금천구", "영등포구", "동작구", "관악구"},
		4: {"서초구", "강남구", "송파구", "강동구"},
	}
	for shard, names := range want {
		if got := districtNames(m.DistrictsOf(shard)); !slices.Equal(got, names) {
			t.Errorf("DistrictsOf(%d) = %v, want %v", shard, got, names)
		}
	}
	if got := m.DistrictsOf(0); len(got) != 0 {
		t.Errorf("DistrictsOf(0) = %v, want none", districtNames(got))
	}
}

func TestSeoulNorthSouth(t *testing.T) {
	four, two := SeoulShards(), SeoulNorthSouth()
	if !slices.Equal(slices.Sorted(maps.Keys(four)), slices.Sorted(maps.Keys(two))) {
		t.Fatal("SeoulShards and SeoulNorthSouth name different districts")
	}
	for name, s := range four {
		if want := map[int]int{1: 1, 2: 1, 3: 2, 4: 2}[s]; two[name] != want {
			t.Errorf("%s: north/south shard %d, want %d", name, two[name], want)
		}
	}
	two["마포구"] = 99
	if SeoulNorthSouth()["마포구"] != 1 {
		t.Error("SeoulNorthSouth returns a shared map")
	}
}

func TestShardMap_ShardAt(t *testing.T) {
	tests := []struct {
		name         string
		lat, lng     float64
		wantShard    int
		wantDistrict string
	}{
		{"Hongdae", 37.5563, 126.9236, 1, "마포구"},
		{"City Hall", 37.5663, 126.9779, 1, "중구"},
		{"Konkuk Univ.", 37.5404, 127.0692, 2, "광진구"},
		{"Yeouido", 37.5219, 126.9245, 3, "영등포구"},
		{"Gangnam station east side", 37.4979, 127.0286, 4, "강남구"},
		{"Incheon", 37.4563, 126.7052, 0, ""},
	}
	m := DefaultShardMap()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shard, d, ok := m.ShardAt(tt.lat, tt.lng)
			if shard != tt.wantShard || d.Name != tt.wantDistrict || ok != (tt.wantShard != 0) {
				t.Errorf("ShardAt = %d %q %v, want %d %q", shard, d.Name, ok, tt.wantShard, tt.wantDistrict)
			}
		})
	}
}

func TestShardMap_ShardsTouching(t *testing.T) {
	northSouth, err := NewShardMap(Seoul(), SeoulNorthSouth())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		m            *ShardMap
		lat, lng     float64
		radiusMeters float64
		want         []int
	}{
		{"Han river between Mapo and Yeongdeungpo, north/south", northSouth, 37.536, 126.915, 1000, []int{1, 2}},
		{"Han river between Mapo and Yeongdeungpo, four shards", DefaultShardMap(), 37.536, 126.915, 1000, []int{1, 3}},
		{"Hongdae, 300 m", DefaultShardMap(), 37.5563, 126.9236, 300, []int{1}},
		{"Hongdae, 300 m, north/south", northSouth, 37.5563, 126.9236, 300, []int{1}},
		{"Gangnam station, 500 m", DefaultShardMap(), 37.4979, 127.0276, 500, []int{4}},
		{"Seoul Forest to Apgujeong across the Han, 1 km", DefaultShardMap(), 37.5335, 127.0350, 1000, []int{2, 4}},
		{"City Hall, 20 km: all of Seoul", DefaultShardMap(), 37.5663, 126.9779, 20000, []int{1, 2, 3, 4}},
		{"Incheon, 1 km", DefaultShardMap(), 37.4563, 126.7052, 1000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.ShardsTouching(tt.lat, tt.lng, tt.radiusMeters); !slices.Equal(got, tt.want) {
				t.Errorf("ShardsTouching = %v, want %v", got, tt.want)
			}
		})
	}
}
