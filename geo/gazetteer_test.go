package geo

import (
	"strings"
	"testing"
)

func TestSeoulGazetteer_Counts(t *testing.T) {
	g := SeoulGazetteer()
	var gu, places int
	seen := make(map[string]bool)
	for _, a := range g.All() {
		switch a.Kind {
		case AreaGu:
			gu++
			seen[a.Name] = true
		case AreaPlace:
			places++
		}
	}
	if gu != 25 || places < 40 {
		t.Fatalf("%d gu and %d places, want 25 and at least 40", gu, places)
	}
	for _, d := range Seoul().All() {
		if !seen[d.Name] {
			t.Errorf("district %s has no gu entry", d.Name)
		}
	}
}

// TestSeoulGazetteer_PointsInTheirGu checks every hand-entered point against
// the embedded district polygons.
func TestSeoulGazetteer_PointsInTheirGu(t *testing.T) {
	for _, a := range SeoulGazetteer().All() {
		d, ok := Seoul().Locate(a.Center.Lat, a.Center.Lng)
		if !ok || d.Name != a.Gu {
			t.Errorf("%s (%s) at [%.4f, %.4f] is in %q, want %s", a.Name, a.ID, a.Center.Lat, a.Center.Lng, d.Name, a.Gu)
		}
		if a.Source == "" {
			t.Errorf("%s has no source", a.Name)
		}
	}
}

func TestGazetteer_Lookup(t *testing.T) {
	g := SeoulGazetteer()
	for name, want := range map[string]string{
		"홍대":     "홍익대입구",
		"홍익대입구":  "홍익대입구",
		"강남역":    "강남역",
		"강남":     "강남역",
		"건대":     "건대입구",
		"잠실역":    "잠실",
		"잠실":     "잠실",
		"성수역":    "성수",
		"노량진동":   "노량진",
		"서초":     "서초동",
		"신논현":    "신논현역",
		"논현역":    "논현동",
		"서교동":    "서교동",
		"동교동":    "동교동",
		"역삼동":    "역삼역",
		"ddp":    "동대문역사문화공원",
		" 서울 숲 ": "서울숲",
		"마포구":    "마포구",
		"이태원역":   "이태원",
		"여의도":    "여의도",
	} {
		a, ok := g.Lookup(name)
		if !ok || a.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, a.Name, ok, want)
		}
	}
	if a, ok := g.Lookup("부산역"); ok {
		t.Errorf("Lookup(부산역) = %q", a.Name)
	}
}

func TestGazetteer_AreasAt(t *testing.T) {
	g := SeoulGazetteer()
	hongdae, _ := g.Lookup("홍대")
	got := g.AreasAt(hongdae.Center)
	if len(got) < 2 || got[0].ID != "hongik-univ" || got[len(got)-1].Name != "마포구" {
		t.Fatalf("AreasAt(홍대) = %v, want 홍익대입구 first and 마포구 last", names(got))
	}
	// A point 2 km from any listed place: only its gu.
	far := g.AreasAt(LatLng{Lat: 37.6400, Lng: 126.9700}) // 은평구/종로구 hills
	for _, a := range far {
		if a.Kind != AreaGu {
			t.Errorf("far point is in place %s", a.Name)
		}
	}
	if got := g.AreasAt(LatLng{Lat: 35.1796, Lng: 129.0756}); len(got) != 0 { // Busan
		t.Errorf("Busan is in %v", names(got))
	}
}

func TestParseGazetteer_Errors(t *testing.T) {
	head := strings.Join(gazetteerColumns, "\t") + "\n"
	row := func(cols ...string) string { return strings.Join(cols, "\t") + "\n" }
	ok := row("a", "강남역", "place", "강남구", "37.4985", "127.0290", "500", "강남", "src")
	for name, tc := range map[string]struct{ tsv, want string }{
		"no header":     {ok, "header"},
		"dup alias":     {head + ok + row("b", "역삼", "place", "강남구", "37.5", "127.03", "400", "강남", "src"), `"강남" already names`},
		"dup id":        {head + ok + row("a", "역삼", "place", "강남구", "37.5", "127.03", "400", "", "src"), "id \"a\" used twice"},
		"bad gu":        {head + row("b", "해운대", "place", "해운대구", "35.1", "129.1", "400", "", "src"), "no district"},
		"bad radius":    {head + row("b", "역삼", "place", "강남구", "37.5", "127.03", "0", "", "src"), "radius_m"},
		"no source":     {head + row("b", "역삼", "place", "강남구", "37.5", "127.03", "1", "", ""), "source"},
		"swapped point": {head + row("b", "역삼", "place", "강남구", "127.03", "37.5", "1", "", "src"), "not a lat, lng"},
	} {
		if _, err := ParseGazetteer([]byte(tc.tsv), Seoul()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func names(as []Area) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}
