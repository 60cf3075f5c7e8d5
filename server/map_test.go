package server_test

import (
	"fmt"
	"testing"

	"github.com/couponpop/couponpop"
)

type mapAnswer struct {
	Type     string
	Features []struct {
		Geometry struct {
			Type        string
			Coordinates [2]float64
		}
		Properties struct {
			Cell       string
			Count      int
			StoreID    int64
			Categories map[string]int
		}
	}
}

func TestMap_ClustersAndMarkers(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	want := map[int64]bool{}
	for i := 0; i < 6; i++ {
		want[ts.createStore(owner, hongdaeLat+float64(i)*0.0007, hongdaeLng+float64(i%3)*0.0006)] = true
	}
	ts.createStore(owner, 37.4979, 127.0286) // Gangnam: outside the viewport
	viewport := fmt.Sprintf("swLat=%f&swLng=%f&neLat=%f&neLng=%f", hongdaeLat-0.01, hongdaeLng-0.01, hongdaeLat+0.01, hongdaeLng+0.01)

	r := ts.do("GET", "/api/v1/map?zoom=10&"+viewport, owner, nil)
	ts.expect(r, 200, "")
	var low mapAnswer
	r.data(t, &low)
	total := 0
	for _, f := range low.Features {
		total += f.Properties.Count
		if f.Geometry.Type != "Point" || f.Properties.Categories["CAFE"] != f.Properties.Count {
			t.Fatalf("feature %+v", f)
		}
	}
	if low.Type != "FeatureCollection" || total != 6 || len(low.Features) > 2 {
		t.Fatalf("zoom 10: %d features holding %d stores, want 6 stores in at most 2 clusters", len(low.Features), total)
	}

	r = ts.do("GET", "/api/v1/map?zoom=18&"+viewport, owner, nil)
	ts.expect(r, 200, "")
	var high mapAnswer
	r.data(t, &high)
	if len(high.Features) != 6 {
		t.Fatalf("zoom 18: %d features, want one per store (6)", len(high.Features))
	}
	for _, f := range high.Features {
		if !want[f.Properties.StoreID] || f.Properties.Count != 1 {
			t.Fatalf("zoom 18 feature %+v is not one of the viewport's stores", f.Properties)
		}
	}

	for _, bad := range []string{
		"zoom=10",             // no viewport
		"zoom=99&" + viewport, // zoom out of range
		"swLat=37.6&swLng=126.9&neLat=37.5&neLng=127", // corners swapped
		"swLat=37&swLng=126&neLat=38&neLng=127",       // too large
	} {
		ts.expect(ts.do("GET", "/api/v1/map?"+bad, owner, nil), 400, couponpop.EINVALID)
	}
	ts.expect(ts.do("GET", "/api/v1/map?"+viewport, "", nil), 401, couponpop.EUNAUTHORIZED)
}

// TestShards_MapAcrossNodes: a viewport across the Han is answered from
// both nodes' shards; with B gone, A's part comes back marked partial.
func TestShards_MapAcrossNodes(t *testing.T) {
	a, b := startShardNodes(t)
	owner := mintToken(t, 4242, couponpop.MemberOwner)
	for _, p := range borderStores {
		a.createStore(owner, p[0], p[1])
	}
	viewport := fmt.Sprintf("/api/v1/map?zoom=18&swLat=%f&swLng=%f&neLat=%f&neLng=%f", borderLat-0.01, borderLng-0.01, borderLat+0.01, borderLng+0.01)
	var m mapAnswer
	r := a.do("GET", viewport, owner, nil)
	a.expect(r, 200, "")
	r.data(t, &m)
	if len(m.Features) != len(borderStores) {
		t.Fatalf("%d features across both nodes, want %d", len(m.Features), len(borderStores))
	}
	b.stop()
	r = a.do("GET", viewport, owner, nil)
	a.expect(r, 200, "")
	r.data(t, &m)
	if r.Header.Get("Couponpop-Partial") == "" || len(m.Features) != 2 {
		t.Fatalf("with B gone: partial=%q, %d features, want A's 2 marked partial", r.Header.Get("Couponpop-Partial"), len(m.Features))
	}
}
