package geo

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

func districtNames(ds []District) []string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return names
}

func TestSeoul(t *testing.T) {
	all := Seoul().All()
	if len(all) != 25 {
		t.Fatalf("Seoul has %d districts, want 25", len(all))
	}
	if Seoul() != Seoul() {
		t.Error("Seoul() parsed twice")
	}
	codes := map[string]bool{}
	for _, d := range all {
		if len(d.Code) != 5 || d.Code[:2] != "11" {
			t.Errorf("%s: code %q, want 11xxx", d.Name, d.Code)
		}
		if codes[d.Code] {
			t.Errorf("duplicate code %q", d.Code)
		}
		codes[d.Code] = true
		if _, ok := SeoulShards()[d.Name]; !ok {
			t.Errorf("district %q is not in SeoulShards", d.Name)
		}
	}
	all[0].Name = "changed"
	if Seoul().All()[0].Name == "changed" {
		t.Error("All returns the internal slice")
	}
}

func TestDistricts_ByName(t *testing.T) {
	tests := []struct {
		name, wantName, wantCode string
		ok                       bool
	}{
		{"마포구", "마포구", "11440", true},
		{"도봉구", "도봉구", "11320", true},
		{"노원구", "노원구", "11350", true},
		{"서울시도봉구", "도봉구", "11320", true},
		{"서울특별시 강남구", "강남구", "11680", true},
		{" 중구 ", "중구", "11140", true},
		{"서울시", "", "", false},
		{"해운대구", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Seoul().ByName(tt.name)
			if ok != tt.ok || d.Name != tt.wantName || d.Code != tt.wantCode {
				t.Errorf("ByName(%q) = %q %q %v, want %q %q %v", tt.name, d.Name, d.Code, ok, tt.wantName, tt.wantCode, tt.ok)
			}
		})
	}
}

func TestDistricts_Locate(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		want     string // "" for not found
	}{
		{"Hongdae", 37.5563, 126.9236, "마포구"},
		{"Hongik Univ. station", 37.5572, 126.9245, "마포구"},
		{"Gangnam station east side", 37.4979, 127.0286, "강남구"},
		{"Gangnam station west side", 37.4979, 127.0266, "서초구"},
		{"City Hall", 37.5663, 126.9779, "중구"},
		{"Gwanghwamun", 37.5759, 126.9768, "종로구"},
		{"Jamsil station", 37.5133, 127.1001, "송파구"},
		{"Yeouido", 37.5219, 126.9245, "영등포구"},
		{"Gimpo airport", 37.5586, 126.7945, "강서구"},
		{"Han river north of Yeouido (river is split between districts)", 37.536, 126.915, "영등포구"},
		{"Han river off Mapo", 37.5430, 126.9150, "마포구"},
		{"Incheon City Hall", 37.4563, 126.7052, ""},
		{"Suwon", 37.2636, 127.0286, ""},
		{"Uijeongbu", 37.7381, 127.0337, ""},
		{"Null Island", 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Seoul().Locate(tt.lat, tt.lng)
			if ok != (tt.want != "") || d.Name != tt.want {
				t.Errorf("Locate(%v, %v) = %q %v, want %q", tt.lat, tt.lng, d.Name, ok, tt.want)
			}
		})
	}
}

func TestDistricts_LocateInteriorPoints(t *testing.T) {
	for _, want := range Seoul().All() {
		lat, lng := want.InteriorPoint()
		got, ok := Seoul().Locate(lat, lng)
		if !ok || got != want {
			t.Errorf("%s: interior point (%v, %v) locates to %q %v", want.Name, lat, lng, got.Name, ok)
		}
		if i := Seoul().containing(pointOf(lat, lng)); i < 0 || Seoul().list[i] != want {
			t.Errorf("%s: interior point (%v, %v) is not inside its polygon", want.Name, lat, lng)
		}
	}
}

// TestDistricts_LocateSlivers pins down the sliver gaps and the overlap in the
// Seoul data: points there lie in no polygon (or in two), yet Locate returns
// one district.
func TestDistricts_LocateSlivers(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		polygons int
		oneOf    []string
	}{
		{"gap between 서대문구 and 마포구", 37.57646, 126.90168, 0, []string{"서대문구", "마포구"}},
		{"gap between 은평구 and 서대문구", 37.60996, 126.94946, 0, []string{"은평구", "서대문구"}},
		{"gap on the Han between 마포구 and 영등포구", 37.55623, 126.88050, 0, []string{"마포구", "영등포구", "강서구"}},
		{"overlap of 은평구 and 서대문구", 37.5831, 126.9199, 2, []string{"은평구"}},
	}
	d := Seoul()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pointOf(tt.lat, tt.lng)
			n := 0
			for _, x := range d.list {
				if x.shape.polygon.ContainsPoint(p) {
					n++
				}
			}
			if n != tt.polygons {
				t.Errorf("point is in %d polygons, want %d (has the data changed?)", n, tt.polygons)
			}
			got, ok := d.Locate(tt.lat, tt.lng)
			if !ok || !slices.Contains(tt.oneOf, got.Name) {
				t.Errorf("Locate = %q %v, want one of %v", got.Name, ok, tt.oneOf)
			}
			touching := districtNames(d.Touching(tt.lat, tt.lng, 0))
			if !slices.Contains(touching, got.Name) {
				t.Errorf("Touching(r=0) = %v misses the located %q", touching, got.Name)
			}
		})
	}
}

func TestDistricts_Touching(t *testing.T) {
	tests := []struct {
		name         string
		lat, lng     float64
		radiusMeters float64
		want         []string // exact, in input order
	}{
		{"middle of 마포구, small circle", 37.5563, 126.9236, 50, []string{"마포구"}},
		{"Gangnam station straddles 서초구 and 강남구", 37.4979, 127.0276, 100, []string{"서초구", "강남구"}},
		{"City Hall, 300 m", 37.5663, 126.9779, 300, []string{"중구"}},
		{"City Hall, 800 m reaches 종로구", 37.5663, 126.9779, 800, []string{"종로구", "중구"}},
		{"Incheon, 1 km", 37.4563, 126.7052, 1000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := districtNames(Seoul().Touching(tt.lat, tt.lng, tt.radiusMeters))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("Touching = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDistricts_TouchingNeverMisses checks Touching against Locate: every
// point within the radius locates to a district Touching returned.
func TestDistricts_TouchingNeverMisses(t *testing.T) {
	d := Seoul()
	for i := range 300 {
		lat := 37.43 + float64(i%17)*0.016
		lng := 126.77 + float64(i%23)*0.018
		radiusMeters := []float64{50, 300, 1000, 3000}[i%4]
		touching := districtNames(d.Touching(lat, lng, radiusMeters))
		for bearing := 0.0; bearing < 360; bearing += 10 {
			for _, f := range []float64{0, 0.3, 0.7, 1} {
				plat, plng := destination(lat, lng, bearing, radiusMeters*f)
				if got, ok := d.Locate(plat, plng); ok && !slices.Contains(touching, got.Name) {
					t.Fatalf("Touching(%v, %v, %v) = %v misses %s at (%v, %v)", lat, lng, radiusMeters, touching, got.Name, plat, plng)
				}
			}
		}
	}
}

func BenchmarkLocate(b *testing.B) {
	d := Seoul()
	for _, bm := range []struct {
		name     string
		lat, lng float64
	}{
		{"inside", 37.5563, 126.9236},
		{"outside far", 37.4563, 126.7052},
		{"grid", 0, 0},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				lat, lng := bm.lat, bm.lng
				if bm.name == "grid" {
					lat, lng = 37.43+float64(i%97)*0.0028, 126.77+float64(i%89)*0.0045
				}
				d.Locate(lat, lng)
			}
		})
	}
}

func BenchmarkTouching(b *testing.B) {
	d := Seoul()
	for _, radiusMeters := range []float64{300, 1000} {
		b.Run(fmt.Sprint(radiusMeters, "m"), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				d.Touching(37.43+float64(i%97)*0.0028, 126.77+float64(i%89)*0.0045, radiusMeters)
			}
		})
	}
}

// TestDistricts_Concurrent exercises the shared indexes from many goroutines;
// run with -race.
func TestDistricts_Concurrent(t *testing.T) {
	d, err := ParseDistricts(seoulGeoJSON) // fresh, so the first queries race
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewShardMap(d, SeoulShards())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				lat, lng := 37.43+float64((i+g)%29)*0.009, 126.77+float64((i*g)%31)*0.013
				d.Locate(lat, lng)
				m.ShardsTouching(lat, lng, 500)
			}
		})
	}
	wg.Wait()
}
