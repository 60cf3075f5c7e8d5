package geo

import (
	"strings"
	"testing"
)

// squareRing is a closed, counter-clockwise GeoJSON ring around
// (37.0..37.1 N, 127.0..127.1 E).
const squareRing = `[[127.0,37.0],[127.1,37.0],[127.1,37.1],[127.0,37.1],[127.0,37.0]]`

func featureJSON(props, geometry string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":` + geometry + `}`
}

func collectionJSON(features ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
}

func TestParseDistricts_Generic(t *testing.T) {
	cwRing := `[[126.0,37.0],[126.0,37.1],[126.1,37.1],[126.1,37.0],[126.0,37.0]]` // clockwise
	outer := `[[128.0,37.0],[128.3,37.0],[128.3,37.3],[128.0,37.3],[128.0,37.0]]`
	hole := `[[128.1,37.1],[128.1,37.2],[128.2,37.2],[128.2,37.1],[128.1,37.1]]` // clockwise, per RFC 7946
	island := `[[128.5,37.0],[128.6,37.0],[128.6,37.1],[128.5,37.1],[128.5,37.0]]`
	data := collectionJSON(
		featureJSON(`{"code":"A1","name":"Square"}`, `{"type":"Polygon","coordinates":[`+squareRing+`]}`),
		featureJSON(`{"code":42,"name":"Clockwise"}`, `{"type":"Polygon","coordinates":[`+cwRing+`]}`),
		featureJSON(`{"sig_cd":"11320","sig_kor_nm":"서울시도봉구"}`, `{"type":"MultiPolygon","coordinates":[[`+outer+`,`+hole+`],[`+island+`]]}`),
	)
	d, err := ParseDistricts(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := districtNames(d.All()); strings.Join(got, ",") != "Square,Clockwise,도봉구" {
		t.Errorf("names = %v", got)
	}
	if c, _ := d.ByName("Clockwise"); c.Code != "42" {
		t.Errorf("numeric code = %q, want 42", c.Code)
	}
	tests := []struct {
		name     string
		lat, lng float64
		want     string
	}{
		{"inside square", 37.05, 127.05, "Square"},
		{"inside clockwise ring", 37.05, 126.05, "Clockwise"},
		{"multipolygon shell", 37.05, 128.05, "도봉구"},
		{"multipolygon hole", 37.15, 128.15, ""},
		{"multipolygon island", 37.05, 128.55, "도봉구"},
		{"outside", 36.0, 127.0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := d.Locate(tt.lat, tt.lng)
			if ok != (tt.want != "") || got.Name != tt.want {
				t.Errorf("Locate(%v, %v) = %q %v, want %q", tt.lat, tt.lng, got.Name, ok, tt.want)
			}
		})
	}
}

func TestParseDistricts_Errors(t *testing.T) {
	poly := `{"type":"Polygon","coordinates":[` + squareRing + `]}`
	good := featureJSON(`{"name":"A"}`, poly)
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"not JSON", []byte(`{`), "decode GeoJSON"},
		{"not a collection", []byte(`{"type":"Feature"}`), `type "Feature", want FeatureCollection`},
		{"no features", collectionJSON(), "no features"},
		{"point geometry", collectionJSON(good, featureJSON(`{"name":"B"}`, `{"type":"Point","coordinates":[127,37]}`)), `feature 1 (B): geometry type "Point"`},
		{"no geometry", collectionJSON(good, good, featureJSON(`{"name":"C"}`, `null`)), "feature 2 (C): no geometry"},
		{"no name", collectionJSON(featureJSON(`{"code":"1"}`, poly)), "feature 0: no name"},
		{"name of wrong type", collectionJSON(featureJSON(`{"name":["x"]}`, poly)), `feature 0: property "name" is ["x"]`},
		{"duplicate name", collectionJSON(good, good), `feature 1: name "A" already used by feature 0`},
		{"duplicate after prefix", collectionJSON(featureJSON(`{"name":"도봉구"}`, poly), featureJSON(`{"name":"서울시도봉구"}`, poly)), `feature 1: name "도봉구" already used`},
		{"duplicate code", collectionJSON(featureJSON(`{"name":"A","code":"1"}`, poly), featureJSON(`{"name":"B","code":"1"}`, poly)), `feature 1 (B): code "1" already used by feature 0`},
		{"short ring", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"Polygon","coordinates":[[[127,37],[127.1,37],[127,37]]]}`)), "feature 0 (A): polygon 0 ring 0: ring has 2 distinct positions"},
		{"lat out of range", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"Polygon","coordinates":[[[127,37],[127.1,97],[127,37.1],[127,37]]]}`)), "feature 0 (A): polygon 0 ring 0: position 1 [127.1, 97]"},
		{"one number", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"Polygon","coordinates":[[[127],[127.1,37],[127,37.1]]]}`)), "position 0 has 1 numbers"},
		{"self-intersecting", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"Polygon","coordinates":[[[127,37],[127.1,37.1],[127.1,37],[127,37.1],[127,37]]]}`)), "feature 0 (A): edges from [127.000000, 37.000000] and from [127.100000, 37.000000] ([lng, lat]) cross"},
		{"crossing rings", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"MultiPolygon","coordinates":[[`+squareRing+`],[[[127.05,37.05],[127.2,37.05],[127.2,37.2],[127.05,37.2],[127.05,37.05]]]]}`)), "feature 0 (A): edges from"},
		{"bad coordinates", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"Polygon","coordinates":[1,2]}`)), "feature 0 (A): bad Polygon coordinates"},
		{"empty multipolygon", collectionJSON(featureJSON(`{"name":"A"}`, `{"type":"MultiPolygon","coordinates":[]}`)), "feature 0 (A): no polygons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDistricts(tt.data)
			if err == nil {
				t.Fatalf("ParseDistricts succeeded with %d districts, want error containing %q", len(d.All()), tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"서울시도봉구", "도봉구"},
		{"서울시노원구", "노원구"},
		{"서울특별시 종로구", "종로구"},
		{" 마포구 ", "마포구"},
		{"서울시", "서울시"},
		{"Mapo-gu", "Mapo-gu"},
	}
	for _, tt := range tests {
		if got := normalizeName(tt.in); got != tt.want {
			t.Errorf("normalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkParseSeoul(b *testing.B) {
	for b.Loop() {
		if _, err := ParseDistricts(seoulGeoJSON); err != nil {
			b.Fatal(err)
		}
	}
}
