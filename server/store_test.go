package server_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
)

// Points with a known shard in the default Seoul map.
const (
	gangnamLat, gangnamLng     = 37.4979, 127.0286 // Gangnam station: 강남구, shard 4
	seongsuLat, seongsuLng     = 37.5446, 127.0557 // Seongsu: 성동구, shard 2
	yeouidoLat, yeouidoLng     = 37.5219, 126.9245 // Yeouido: 영등포구, shard 3
	busanLat, busanLng         = 35.1796, 129.0756 // outside Seoul
	seongnamLat, seongnamLng   = 37.4200, 127.1265 // Seongnam, just south-east of Seoul
	jongnoLat, jongnoLng       = 37.5700, 126.9920 // 종로구, shard 1
	storeMessageLatLng         = "latitude must be in [-90, 90] and longitude in [-180, 180]"
	storeMessageCategory       = "storeCategory must be CAFE, FOOD or CONVENIENCE"
	storeMessageName           = "name is required"
	storeMessagePhone          = "phone must be 11 digits"
	storeMessageDescription    = "description must be at most 500 characters"
	storeMessageBusinessNumber = "businessNumber must be 10 digits"
)

// metersPerDegree is the length of a degree of latitude.
const metersPerDegree = geo.EarthRadiusMeters * math.Pi / 180

// offset returns the point northMeters north and eastMeters east of (lat, lng).
func offset(lat, lng, northMeters, eastMeters float64) (float64, float64) {
	return lat + northMeters/metersPerDegree, lng + eastMeters/(metersPerDegree*math.Cos(lat*math.Pi/180))
}

// storeView is the StoreResponse.
type storeView struct {
	ID               int64
	MemberID         int64
	MemberUsername   string
	Name             string
	Phone            string
	Description      string
	BusinessNumber   string
	Address          string
	Dong             string
	Latitude         float64
	Longitude        float64
	ImageURL         string `json:"imageUrl"`
	StoreCategory    string
	WeekdayOpenTime  string
	WeekdayCloseTime string
	WeekendOpenTime  string
	WeekendCloseTime string
	CreatedAt        string
	UpdatedAt        string
}

// nearbyRow is a row of GET /stores.
type nearbyRow struct {
	ID            int64
	Name          string
	Address       string
	Dong          string
	StoreCategory string
	Latitude      float64
	Longitude     float64
	ImageURL      string `json:"imageUrl"`
	Distance      float64
	Events        []struct {
		ID           int64
		Name         string
		EventStartAt string
		EventEndAt   string
		TotalCount   int
		Remaining    int
	}
}

// postStore creates a store from body and returns the answer.
func (ts *testServer) postStore(token string, body map[string]any) storeView {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/owner/stores", token, body)
	ts.expect(r, 201, "")
	var st storeView
	r.data(ts.t, &st)
	return st
}

// nearby asks GET /stores with the query and returns the rows.
func (ts *testServer) nearby(token string, q url.Values) []nearbyRow {
	ts.t.Helper()
	r := ts.do("GET", "/api/v1/stores?"+q.Encode(), token, nil)
	ts.expect(r, 200, "")
	var rows []nearbyRow
	r.data(ts.t, &rows)
	if rows == nil {
		ts.t.Fatalf("nearby answered %s, want a list", r.Body)
	}
	return rows
}

func nearbyQuery(lat, lng float64, kv ...string) url.Values {
	q := url.Values{"lat": {fmt.Sprint(lat)}, "lng": {fmt.Sprint(lng)}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func rowIDs(rows []nearbyRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

func storeViewIDs(stores []storeView) []int64 {
	ids := make([]int64, len(stores))
	for i, s := range stores {
		ids[i] = s.ID
	}
	return ids
}

func TestCreateStore(t *testing.T) {
	ts := newTestServer(t)
	ownerID, owner := ts.member("OWNER")

	body := storeBody("홍대 카페", hongdaeLat, hongdaeLng)
	body["imageUrl"] = "https://img.example.com/a.png"
	body["phone"] = "010-9876-5432"
	body["businessNumber"] = "123-45-67890"
	body["description"] = strings.Repeat("가", 500)
	r := ts.do("POST", "/api/v1/owner/stores", owner, body)
	ts.expect(r, 201, "")
	want := []string{"address", "businessNumber", "createdAt", "description", "dong", "id", "imageUrl", "latitude",
		"longitude", "memberId", "memberUsername", "name", "phone", "storeCategory", "updatedAt",
		"weekdayCloseTime", "weekdayOpenTime", "weekendCloseTime", "weekendOpenTime"}
	if got := keys(t, r.rawData(t)); !slices.Equal(got, want) {
		t.Errorf("store fields = %v, want %v", got, want)
	}
	var st storeView
	r.data(t, &st)
	if st.MemberID != ownerID || !strings.HasPrefix(st.MemberUsername, "user") || st.Name != "홍대 카페" ||
		st.Phone != "01098765432" || st.BusinessNumber != "1234567890" || st.Latitude != hongdaeLat ||
		st.Longitude != hongdaeLng || st.StoreCategory != "CAFE" || st.ImageURL != "https://img.example.com/a.png" ||
		st.WeekdayOpenTime != "08:00" || st.WeekendCloseTime != "22:00" || st.Dong != "서교동" {
		t.Errorf("created store = %+v", st)
	}
	for _, at := range []string{st.CreatedAt, st.UpdatedAt} {
		if _, err := time.Parse("2006-01-02T15:04:05", at); err != nil {
			t.Errorf("time %q: %v", at, err)
		}
	}
	if pos := r.Header.Get("Couponpop-Position"); !strings.HasPrefix(pos, "1:") {
		t.Errorf("Couponpop-Position = %q, want shard 1's", pos)
	}

	// The shard bits of the ID are the district's shard.
	for _, tc := range []struct {
		name     string
		lat, lng float64
		shard    int64
	}{
		{"Hongdae", hongdaeLat, hongdaeLng, 1},
		{"Jongno", jongnoLat, jongnoLng, 1},
		{"Seongsu", seongsuLat, seongsuLng, 2},
		{"Yeouido", yeouidoLat, yeouidoLng, 3},
		{"Gangnam station", gangnamLat, gangnamLng, 4},
	} {
		id := ts.createStore(owner, tc.lat, tc.lng)
		if id>>40 != tc.shard {
			t.Errorf("%s: store id %d has shard %d, want %d", tc.name, id, id>>40, tc.shard)
		}
	}

	// Only owners create stores.
	_, customer := ts.member("CUSTOMER")
	ts.expect(ts.do("POST", "/api/v1/owner/stores", customer, storeBody("x", hongdaeLat, hongdaeLng)), 403, "ACCESS_DENIED")
	ts.expect(ts.do("POST", "/api/v1/owner/stores", "", storeBody("x", hongdaeLat, hongdaeLng)), 401, "AUTHENTICATION_REQUIRED")
	ts.expect(ts.do("POST", "/api/v1/owner/stores", mintToken(t, 77, "ADMIN"), storeBody("x", hongdaeLat, hongdaeLng)), 403, "ACCESS_DENIED")

	// Outside Seoul.
	for _, p := range [][2]float64{{busanLat, busanLng}, {seongnamLat, seongnamLng}, {37.4602, 126.4407}, {0, 127}, {-37.5, 126.9}} {
		r := ts.do("POST", "/api/v1/owner/stores", owner, storeBody("x", p[0], p[1]))
		ts.expect(r, 400, "OUT_OF_SERVICE_AREA")
		checkErrorBody(t, r, 400, "/api/v1/owner/stores")
	}
	// Missing coordinates are a validation error, not a point at (0, 0).
	noPoint := storeBody("x", 0, 0)
	delete(noPoint, "latitude")
	delete(noPoint, "longitude")
	for _, body := range []map[string]any{noPoint, storeBody("x", 0, 0)} {
		r := ts.do("POST", "/api/v1/owner/stores", owner, body)
		ts.expect(r, 400, "BAD_REQUEST")
		if got := r.errorMessage(); got != "latitude and longitude are required" {
			t.Errorf("message = %q", got)
		}
	}
}

// storeValidationCases are single-field failures of a store body and their
// messages.
var storeValidationCases = []struct {
	name  string
	field string
	value any
	msg   string
}{
	{"name missing", "name", "", storeMessageName},
	{"name blank", "name", "   ", storeMessageName},
	{"name long", "name", strings.Repeat("가", 256), "name must be at most 255 characters"},
	{"name NUL", "name", "카\x00페", "name must not contain control characters"},
	{"address 100000", "address", strings.Repeat("a", 100_000), "address must be at most 255 characters"},
	{"dong long", "dong", strings.Repeat("동", 51), "dong must be at most 50 characters"},
	{"imageUrl long", "imageUrl", "https://x.kr/" + strings.Repeat("a", 500), "imageUrl must be at most 500 characters"},
	{"phone 10 digits", "phone", "0109876543", storeMessagePhone},
	{"phone 12 digits", "phone", "010987654321", storeMessagePhone},
	{"phone letter", "phone", "0109876543a", storeMessagePhone},
	{"phone plus", "phone", "+8210987654", storeMessagePhone},
	{"phone missing", "phone", "", storeMessagePhone},
	{"description long", "description", strings.Repeat("가", 501), storeMessageDescription},
	{"businessNumber 9 digits", "businessNumber", "123456789", storeMessageBusinessNumber},
	{"businessNumber 11 digits", "businessNumber", "12345678901", storeMessageBusinessNumber},
	{"businessNumber letter", "businessNumber", "123-45-6789a", storeMessageBusinessNumber},
	{"businessNumber missing", "businessNumber", "", storeMessageBusinessNumber},
	{"address blank", "address", " ", "address is required"},
	{"dong missing", "dong", "", "dong is required"},
	{"latitude above 90", "latitude", 90.5, storeMessageLatLng},
	{"latitude below -90", "latitude", -91, storeMessageLatLng},
	{"longitude above 180", "longitude", 180.0001, storeMessageLatLng},
	{"longitude below -180", "longitude", -200, storeMessageLatLng},
	{"category unknown", "storeCategory", "BAR", storeMessageCategory},
	{"category lower case", "storeCategory", "cafe", storeMessageCategory},
	{"category missing", "storeCategory", "", storeMessageCategory},
	{"weekdayOpenTime one-digit hour", "weekdayOpenTime", "8:00", "weekdayOpenTime must be HH:mm"},
	{"weekdayOpenTime second 61", "weekdayOpenTime", "08:00:61", "weekdayOpenTime must be HH:mm"},
	{"weekdayCloseTime 25", "weekdayCloseTime", "25:00", "weekdayCloseTime must be HH:mm"},
	{"weekdayCloseTime 24:30", "weekdayCloseTime", "24:30", "weekdayCloseTime must be HH:mm"},
	{"weekendOpenTime minute 60", "weekendOpenTime", "12:60", "weekendOpenTime must be HH:mm"},
	{"weekendOpenTime no colon", "weekendOpenTime", "1200", "weekendOpenTime must be HH:mm"},
	{"weekendCloseTime missing", "weekendCloseTime", "", "weekendCloseTime must be HH:mm"},
	{"weekendCloseTime PM", "weekendCloseTime", "10:00PM", "weekendCloseTime must be HH:mm"},
}

func TestCreateStore_Validation(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	for _, tc := range storeValidationCases {
		t.Run(tc.name, func(t *testing.T) {
			body := storeBody("검증 카페", hongdaeLat, hongdaeLng)
			body[tc.field] = tc.value
			r := ts.do("POST", "/api/v1/owner/stores", owner, body)
			ts.expect(r, 400, "BAD_REQUEST")
			if got := r.errorMessage(); got != tc.msg {
				t.Errorf("message = %q, want %q", got, tc.msg)
			}
		})
	}

	t.Run("all at once", func(t *testing.T) {
		r := ts.do("POST", "/api/v1/owner/stores", owner, map[string]any{
			"name": "", "phone": "1", "description": strings.Repeat("a", 501), "businessNumber": "1", "address": "",
			"dong": "", "latitude": 100, "longitude": 0, "storeCategory": "BAR", "weekdayOpenTime": "x",
			"weekdayCloseTime": "", "weekendOpenTime": "99:99", "weekendCloseTime": "7"})
		ts.expect(r, 400, "BAD_REQUEST")
		want := strings.Join([]string{storeMessageName, storeMessagePhone, storeMessageDescription,
			storeMessageBusinessNumber, "address is required", "dong is required", storeMessageLatLng, storeMessageCategory,
			"weekdayOpenTime must be HH:mm", "weekdayCloseTime must be HH:mm", "weekendOpenTime must be HH:mm",
			"weekendCloseTime must be HH:mm"}, "\n")
		if got := r.errorMessage(); got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})

	t.Run("empty object", func(t *testing.T) {
		r := ts.do("POST", "/api/v1/owner/stores", owner, map[string]any{})
		ts.expect(r, 400, "BAD_REQUEST")
		want := strings.Join([]string{storeMessageName, storeMessagePhone, storeMessageBusinessNumber,
			"address is required", "dong is required", "latitude and longitude are required", storeMessageCategory, "weekdayOpenTime must be HH:mm",
			"weekdayCloseTime must be HH:mm", "weekendOpenTime must be HH:mm", "weekendCloseTime must be HH:mm"}, "\n")
		if got := r.errorMessage(); got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})

	t.Run("boundaries accepted", func(t *testing.T) {
		for _, tc := range []struct {
			field string
			value any
		}{
			{"name", strings.Repeat("가", 100)}, {"description", ""}, {"description", strings.Repeat("가", 500)},
			{"phone", "010-9876-5432"}, {"businessNumber", "123-45-67890"}, {"storeCategory", "FOOD"},
			{"storeCategory", "CONVENIENCE"}, {"weekdayOpenTime", "00:00"}, {"weekdayCloseTime", "24:00"},
			{"weekendOpenTime", "23:59"}, {"imageUrl", ""},
		} {
			body := storeBody("경계 카페", hongdaeLat, hongdaeLng)
			body[tc.field] = tc.value
			r := ts.do("POST", "/api/v1/owner/stores", owner, body)
			if r.Status != 201 {
				t.Errorf("%s = %v: %d %s", tc.field, tc.value, r.Status, r.Body)
			}
		}
	})
}

func TestOwnStore_GetUpdateDelete(t *testing.T) {
	clock := newFakeClock(time.Now())
	ts := newTestServer(t, withNow(clock.Now))
	_, owner := ts.member("OWNER")
	_, other := ts.member("OWNER")
	_, customer := ts.member("CUSTOMER")
	created := ts.postStore(owner, storeBody("원래 카페", hongdaeLat, hongdaeLng))
	path := fmt.Sprintf("/api/v1/owner/stores/%d", created.ID)

	get := func(token, p string) storeView {
		t.Helper()
		r := ts.do("GET", p, token, nil)
		ts.expect(r, 200, "")
		var st storeView
		r.data(t, &st)
		return st
	}
	if got := get(owner, path); got != created {
		t.Errorf("GET own = %+v, want %+v", got, created)
	}
	// Any member reads /stores/{id}: v2's StoreDetail, without the owner's
	// identity and business number.
	detail := created
	detail.MemberID, detail.MemberUsername, detail.BusinessNumber, detail.CreatedAt, detail.UpdatedAt = 0, "", "", "", ""
	for _, tok := range []string{owner, other, customer} {
		if got := get(tok, fmt.Sprintf("/api/v1/stores/%d", created.ID)); got != detail {
			t.Errorf("GET /stores/{id} = %+v, want %+v", got, detail)
		}
	}

	// Someone else's store.
	ts.expect(ts.do("GET", path, other, nil), 403, "STORE_ACCESS_PERMISSION_DENIED")
	ts.expect(ts.do("PUT", path, other, storeBody("탈취", hongdaeLat, hongdaeLng)), 403, "STORE_UPDATE_PERMISSION_DENIED")
	ts.expect(ts.do("PUT", path, other, []byte(`{`)), 403, "STORE_UPDATE_PERMISSION_DENIED")
	ts.expect(ts.do("DELETE", path, other, nil), 403, "STORE_DELETE_PERMISSION_DENIED")
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		ts.expect(ts.do(method, path, customer, storeBody("x", hongdaeLat, hongdaeLng)), 403, "ACCESS_DENIED")
		ts.expect(ts.do(method, path, "", storeBody("x", hongdaeLat, hongdaeLng)), 401, "AUTHENTICATION_REQUIRED")
	}
	if got := get(owner, path); got != created {
		t.Errorf("refused requests changed the store: %+v", got)
	}

	// PUT replaces every field; the store moves within its shard.
	newLat, newLng := jongnoLat, jongnoLng
	replacement := map[string]any{"name": "새 식당", "phone": "01011112222", "description": "", "businessNumber": "9876543210",
		"address": "서울특별시 종로구 종로 1", "dong": "종로1가", "latitude": newLat, "longitude": newLng,
		"storeCategory": "FOOD", "weekdayOpenTime": "11:00", "weekdayCloseTime": "21:00",
		"weekendOpenTime": "12:00", "weekendCloseTime": "20:00"}
	clock.Add(time.Minute)
	r := ts.do("PUT", path, owner, replacement)
	ts.expect(r, 200, "")
	if pos := r.Header.Get("Couponpop-Position"); !strings.HasPrefix(pos, "1:") {
		t.Errorf("Couponpop-Position = %q", pos)
	}
	var updated storeView
	r.data(t, &updated)
	want := storeView{ID: created.ID, MemberID: created.MemberID, MemberUsername: created.MemberUsername, Name: "새 식당",
		Phone: "01011112222", BusinessNumber: "9876543210", Address: "서울특별시 종로구 종로 1", Dong: "종로1가",
		Latitude: newLat, Longitude: newLng, StoreCategory: "FOOD", WeekdayOpenTime: "11:00", WeekdayCloseTime: "21:00",
		WeekendOpenTime: "12:00", WeekendCloseTime: "20:00", CreatedAt: created.CreatedAt, UpdatedAt: updated.UpdatedAt}
	if updated != want {
		t.Errorf("PUT answer = %+v, want %+v", updated, want)
	}
	if updated.UpdatedAt <= created.UpdatedAt {
		t.Errorf("updatedAt %s not after %s", updated.UpdatedAt, created.UpdatedAt)
	}
	if got := get(owner, path); got != want {
		t.Errorf("GET after PUT = %+v, want %+v", got, want)
	}
	if ids := rowIDs(ts.nearby(customer, nearbyQuery(newLat, newLng, "radius", "0.1"))); !slices.Contains(ids, created.ID) {
		t.Errorf("moved store not nearby its new place: %v", ids)
	}
	if ids := rowIDs(ts.nearby(customer, nearbyQuery(hongdaeLat, hongdaeLng, "radius", "0.1"))); slices.Contains(ids, created.ID) {
		t.Errorf("moved store still nearby its old place: %v", ids)
	}

	// Refused replacements change nothing.
	bad := storeBody("", hongdaeLat, hongdaeLng)
	bad["phone"] = "1"
	r = ts.do("PUT", path, owner, bad)
	ts.expect(r, 400, "BAD_REQUEST")
	if got := r.errorMessage(); got != storeMessageName+"\n"+storeMessagePhone {
		t.Errorf("message = %q", got)
	}
	ts.expect(ts.do("PUT", path, owner, storeBody("x", busanLat, busanLng)), 400, "OUT_OF_SERVICE_AREA")
	// Another shard's district: a store cannot change shards.
	ts.expect(ts.do("PUT", path, owner, storeBody("x", gangnamLat, gangnamLng)), 400, "BAD_REQUEST")
	ts.expect(ts.do("PUT", path, owner, nil), 400, "BAD_REQUEST")
	if got := get(owner, path); got != want {
		t.Errorf("refused PUTs changed the store: %+v", got)
	}

	// DELETE is soft: 204, then the store is gone everywhere.
	r = ts.do("DELETE", path, owner, nil)
	ts.expect(r, 204, "")
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %q", r.Body)
	}
	ts.expect(ts.do("GET", path, owner, nil), 400, "STORE_NOT_FOUND")
	ts.expect(ts.do("GET", fmt.Sprintf("/api/v1/stores/%d", created.ID), customer, nil), 400, "STORE_NOT_FOUND")
	ts.expect(ts.do("PUT", path, owner, replacement), 400, "STORE_NOT_FOUND")
	ts.expect(ts.do("DELETE", path, owner, nil), 400, "STORE_ALREADY_DELETED")
	ts.expect(ts.do("DELETE", path, other, nil), 403, "STORE_DELETE_PERMISSION_DENIED")
	if ids := rowIDs(ts.nearby(customer, nearbyQuery(newLat, newLng, "radius", "20"))); slices.Contains(ids, created.ID) {
		t.Errorf("deleted store still nearby: %v", ids)
	}
	r = ts.do("GET", "/api/v1/owner/stores", owner, nil)
	ts.expect(r, 200, "")
	if got := string(r.rawData(t)); got != "[]" {
		t.Errorf("owner's stores after delete = %s, want []", got)
	}
	r = ts.do("POST", "/api/v1/owner/coupons/events", owner, map[string]any{"storeId": created.ID, "name": "x",
		"eventStartAt": apiTime(time.Now()), "eventEndAt": apiTime(time.Now().Add(time.Hour)), "totalCount": 1})
	ts.expect(r, 400, "STORE_NOT_FOUND")
}

func TestStoreByID_BadIDs(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	ts.createStore(owner, hongdaeLat, hongdaeLng)
	notFound := []string{
		fmt.Sprint(int64(1)<<40 + 100_000), // shard 1, no such row
		fmt.Sprint(int64(4)<<40 + 1),       // shard 4, empty
		"1",                                // shard 0 holds no stores
		fmt.Sprint(int64(1)<<53 - 1),       // the largest ID: a shard nobody holds
	}
	badRequest := []string{"abc", "0", "-5", "1.5", "1e3", fmt.Sprint(int64(1) << 53), "99999999999999999999", "%20"}
	for _, tc := range []struct{ method, prefix string }{
		{"GET", "/api/v1/stores/"},
		{"GET", "/api/v1/owner/stores/"},
		{"PUT", "/api/v1/owner/stores/"},
		{"DELETE", "/api/v1/owner/stores/"},
	} {
		for _, id := range notFound {
			r := ts.do(tc.method, tc.prefix+id, owner, storeBody("x", hongdaeLat, hongdaeLng))
			ts.expect(r, 400, "STORE_NOT_FOUND")
			checkErrorBody(t, r, 400, tc.prefix+id)
		}
		for _, id := range badRequest {
			ts.expect(ts.do(tc.method, tc.prefix+id, owner, storeBody("x", hongdaeLat, hongdaeLng)), 400, "BAD_REQUEST")
		}
	}
}

func TestOwnerStores_NewestFirst(t *testing.T) {
	ts := newTestServer(t)
	_, a := ts.member("OWNER")
	_, b := ts.member("OWNER")
	_, customer := ts.member("CUSTOMER")

	r := ts.do("GET", "/api/v1/owner/stores", a, nil)
	ts.expect(r, 200, "")
	if got := string(r.rawData(t)); got != "[]" {
		t.Errorf("no stores yet: %s, want []", got)
	}

	// Across shards: shard 4's IDs are larger than shard 1's whatever the
	// order of creation, so the order must come from the creation time.
	var want []int64
	for i, p := range [][2]float64{{gangnamLat, gangnamLng}, {hongdaeLat, hongdaeLng}, {seongsuLat, seongsuLng}, {jongnoLat, jongnoLng}} {
		want = append([]int64{ts.createStore(a, p[0], p[1])}, want...)
		if i == 1 {
			ts.createStore(b, p[0], p[1])
		}
		time.Sleep(5 * time.Millisecond) // creation times are kept in milliseconds
	}
	r = ts.do("GET", "/api/v1/owner/stores", a, nil)
	ts.expect(r, 200, "")
	var got []storeView
	r.data(t, &got)
	if ids := storeViewIDs(got); !slices.Equal(ids, want) {
		t.Errorf("owner's stores = %v, want %v (newest first)", ids, want)
	}
	for _, st := range got {
		if st.Name == "" || st.CreatedAt == "" || st.MemberUsername == "" {
			t.Errorf("incomplete store in list: %+v", st)
		}
	}
	r = ts.do("GET", "/api/v1/owner/stores", b, nil)
	ts.expect(r, 200, "")
	r.data(t, &got)
	if len(got) != 1 {
		t.Errorf("other owner's stores = %v, want one", storeViewIDs(got))
	}
	ts.expect(ts.do("GET", "/api/v1/owner/stores", customer, nil), 403, "ACCESS_DENIED")
	ts.expect(ts.do("GET", "/api/v1/owner/stores", "", nil), 401, "AUTHENTICATION_REQUIRED")
}

func TestNearby(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	_, customer := ts.member("CUSTOMER")
	type placed struct {
		name               string
		northM, eastM      float64
		category           string
		id                 int64
		lat, lng, distance float64 // distance in meters from the centre
	}
	// Around Hongdae; the 5.2 km one is across the Han river (shard 3), the
	// 12 km one in Seongdong (shard 2).
	stores := []*placed{
		{name: "100m N", northM: 100, category: "CAFE"},
		{name: "800m E", eastM: 800, category: "FOOD"},
		{name: "2km W", eastM: -2000, category: "CONVENIENCE"},
		{name: "3.5km NE", northM: 2475, eastM: 2475, category: "CAFE"},
		{name: "4.9km N", northM: 4900, category: "CAFE"},
		{name: "5.2km S", northM: -5200, category: "FOOD"},
		{name: "12km E", eastM: 12000, category: "CAFE"},
		{name: "16km SE", northM: -7000, eastM: 14500, category: "FOOD"},
	}
	for _, p := range stores {
		p.lat, p.lng = offset(hongdaeLat, hongdaeLng, p.northM, p.eastM)
		body := storeBody(p.name, p.lat, p.lng)
		body["storeCategory"] = p.category
		p.id = ts.postStore(owner, body).ID
		p.distance = geo.DistanceMeters(hongdaeLat, hongdaeLng, p.lat, p.lng)
	}
	if shard := stores[5].id >> 40; shard != 3 {
		t.Fatalf("5.2 km south landed in shard %d, want 3", shard)
	}
	within := func(km float64, category string) []int64 {
		var ids []int64
		for _, p := range stores { // listed nearest first
			if p.distance <= km*1000 && (category == "" || p.category == category) {
				ids = append(ids, p.id)
			}
		}
		return ids
	}

	rows := ts.nearby(customer, nearbyQuery(hongdaeLat, hongdaeLng))
	if got, want := rowIDs(rows), within(5, ""); !slices.Equal(got, want) {
		t.Fatalf("default radius: %v, want %v (5 km, nearest first)", got, want)
	}
	for i, row := range rows {
		p := stores[i]
		if want := math.Round(p.distance/10) / 100; row.Distance != want {
			t.Errorf("%s: distance %v km, want %v", p.name, row.Distance, want)
		}
		if row.Name != p.name || row.Latitude != p.lat || row.Longitude != p.lng || row.StoreCategory != p.category ||
			row.Address == "" || row.Dong != "서교동" || row.Events != nil {
			t.Errorf("row %+v does not match %+v", row, *p)
		}
	}
	r := ts.do("GET", "/api/v1/stores?"+nearbyQuery(hongdaeLat, hongdaeLng).Encode(), customer, nil)
	var raw []map[string]any
	r.data(t, &raw)
	wantKeys := []string{"address", "distance", "distanceMeters", "dong", "id", "imageUrl", "latitude", "longitude", "name", "storeCategory"}
	for _, m := range raw {
		var got []string
		for k := range m {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, wantKeys) {
			t.Errorf("nearby row fields = %v, want %v", got, wantKeys)
			break
		}
	}

	for _, tc := range []struct {
		radius, category string
		km               float64
	}{
		{"0.5", "", 0.5}, {"1", "", 1}, {"5.3", "", 5.3}, {"13", "", 13}, {"20", "", 20}, {"20.0", "", 20},
		{"20", "FOOD", 20}, {"20", "CAFE", 20}, {"5", "CONVENIENCE", 5}, {"0.05", "", 0.05},
	} {
		q := nearbyQuery(hongdaeLat, hongdaeLng, "radius", tc.radius)
		if tc.category != "" {
			q.Set("category", tc.category)
		}
		if got, want := rowIDs(ts.nearby(customer, q)), within(tc.km, tc.category); !slices.Equal(got, want) {
			t.Errorf("radius %s category %q: %v, want %v", tc.radius, tc.category, got, want)
		}
	}
	if got, want := rowIDs(ts.nearby(customer, nearbyQuery(hongdaeLat, hongdaeLng, "limit", "2"))), within(5, "")[:2]; !slices.Equal(got, want) {
		t.Errorf("limit 2: %v, want %v", got, want)
	}
	if got := ts.nearby(customer, nearbyQuery(hongdaeLat, hongdaeLng, "limit", "500", "radius", "20")); len(got) != len(stores) {
		t.Errorf("limit 500: %d rows, want %d", len(got), len(stores))
	}
	// Valid coordinates far from every store: an empty list, not null.
	r = ts.do("GET", "/api/v1/stores?"+nearbyQuery(busanLat, busanLng).Encode(), customer, nil)
	ts.expect(r, 200, "")
	if got := string(r.rawData(t)); got != "[]" {
		t.Errorf("nearby in Busan = %s, want []", got)
	}
	// Owners ask too.
	ts.nearby(owner, nearbyQuery(hongdaeLat, hongdaeLng, "openNow", "false", "withEvents", "false"))

	for _, tc := range []struct {
		query url.Values
		msg   string
	}{
		{url.Values{}, "lat is required\nlng is required"},
		{url.Values{"lng": {"126.9"}}, "lat is required"},
		{url.Values{"lat": {"37.5"}}, "lng is required"},
		{nearbyQuery(91, 126.9), "lat must be in [-90, 90] and lng in [-180, 180]"},
		{nearbyQuery(37.5, -180.5), "lat must be in [-90, 90] and lng in [-180, 180]"},
		{url.Values{"lat": {"abc"}, "lng": {"126.9"}}, "lat must be a number"},
		{url.Values{"lat": {"37.5"}, "lng": {"1,5"}}, "lng must be a number"},
		{url.Values{"lat": {"NaN"}, "lng": {"126.9"}}, ""},
		{url.Values{"lat": {"Inf"}, "lng": {"126.9"}}, ""},
		{url.Values{"lat": {"1e400"}, "lng": {"126.9"}}, ""},
		{nearbyQuery(37.5, 126.9, "radius", "21"), "radius must be more than 0 and at most 20 km"},
		{nearbyQuery(37.5, 126.9, "radius", "20.001"), "radius must be more than 0 and at most 20 km"},
		{nearbyQuery(37.5, 126.9, "radius", "0"), "radius must be more than 0 and at most 20 km"},
		{nearbyQuery(37.5, 126.9, "radius", "-1"), "radius must be more than 0 and at most 20 km"},
		{nearbyQuery(37.5, 126.9, "radius", "NaN"), ""},
		{nearbyQuery(37.5, 126.9, "radius", "Infinity"), ""},
		{nearbyQuery(37.5, 126.9, "radius", "5km"), ""},
		{nearbyQuery(37.5, 126.9, "category", "BAR"), "category must be CAFE, FOOD or CONVENIENCE"},
		{nearbyQuery(37.5, 126.9, "category", "cafe"), "category must be CAFE, FOOD or CONVENIENCE"},
		{nearbyQuery(37.5, 126.9, "limit", "0"), "limit must be an integer from 1 to 500"},
		{nearbyQuery(37.5, 126.9, "limit", "501"), "limit must be an integer from 1 to 500"},
		{nearbyQuery(37.5, 126.9, "limit", "-3"), "limit must be an integer from 1 to 500"},
		{nearbyQuery(37.5, 126.9, "limit", "2.5"), "limit must be an integer from 1 to 500"},
		{nearbyQuery(37.5, 126.9, "limit", "99999999999999999999"), "limit must be an integer from 1 to 500"},
		{nearbyQuery(37.5, 126.9, "openNow", "yes"), "openNow must be true or false"},
		{nearbyQuery(37.5, 126.9, "withEvents", "2"), "withEvents must be true or false"},
		{nearbyQuery(37.5, 126.9, "radius", "30", "limit", "0"), "limit must be an integer from 1 to 500\nradius must be more than 0 and at most 20 km"},
	} {
		r := ts.do("GET", "/api/v1/stores?"+tc.query.Encode(), customer, nil)
		ts.expect(r, 400, "BAD_REQUEST")
		if tc.msg != "" && !strings.Contains(r.errorMessage(), tc.msg) {
			t.Errorf("%s: message %q, want it to contain %q", tc.query.Encode(), r.errorMessage(), tc.msg)
		}
		checkErrorBody(t, r, 400, "/api/v1/stores")
	}
	ts.expect(ts.do("GET", "/api/v1/stores?"+nearbyQuery(hongdaeLat, hongdaeLng).Encode(), "", nil), 401, "AUTHENTICATION_REQUIRED")
}

func TestNearby_DefaultLimit(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	_, customer := ts.member("CUSTOMER")
	const n = 105
	for i := 0; i < n; i++ {
		lat, lng := offset(gangnamLat, gangnamLng, float64(i), 0)
		ts.createStore(owner, lat, lng)
	}
	rows := ts.nearby(customer, nearbyQuery(gangnamLat, gangnamLng))
	if len(rows) != 100 {
		t.Errorf("default limit: %d rows, want 100", len(rows))
	}
	if !slices.IsSortedFunc(rows, func(a, b nearbyRow) int { return cmpFloat(a.Distance, b.Distance) }) {
		t.Error("rows not nearest first")
	}
	if rows := ts.nearby(customer, nearbyQuery(gangnamLat, gangnamLng, "limit", "500")); len(rows) != n {
		t.Errorf("limit 500: %d rows, want %d", len(rows), n)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestNearby_OpenNow(t *testing.T) {
	// Wednesday 09:00 in Seoul.
	kst := time.FixedZone("KST", 9*3600)
	clock := newFakeClock(time.Date(2025, 10, 22, 9, 0, 0, 0, kst))
	ts := newTestServer(t, withNow(clock.Now))
	// mintToken's tokens expire an hour after the real now: valid at every
	// fake time used here.
	owner := mintToken(t, 501, "OWNER")
	customer := mintToken(t, 502, "CUSTOMER")
	names := map[int64]string{}
	for i, h := range []struct{ name, wdOpen, wdClose, weOpen, weClose string }{
		{"day", "08:00", "22:00", "10:00", "22:00"},
		{"late", "10:00", "20:00", "10:00", "20:00"},
		{"overnight", "22:00", "02:00", "22:00", "02:00"},
		{"weekend-early", "12:00", "13:00", "08:00", "12:00"},
		{"always", "00:00", "24:00", "00:00", "24:00"},
	} {
		lat, lng := offset(jongnoLat, jongnoLng, float64(i)*10, 0)
		body := storeBody(h.name, lat, lng)
		body["weekdayOpenTime"], body["weekdayCloseTime"], body["weekendOpenTime"], body["weekendCloseTime"] = h.wdOpen, h.wdClose, h.weOpen, h.weClose
		names[ts.postStore(owner, body).ID] = h.name
	}
	for _, tc := range []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2025, 10, 22, 9, 0, 0, 0, kst), []string{"day", "always"}},                           // Wednesday
		{time.Date(2025, 10, 22, 7, 59, 0, 0, kst), []string{"always"}},                                 // just before opening
		{time.Date(2025, 10, 22, 20, 0, 0, 0, kst), []string{"day", "always"}},                          // "late" closes at 20:00
		{time.Date(2025, 10, 22, 23, 30, 0, 0, kst), []string{"overnight", "always"}},                   // Wednesday night
		{time.Date(2025, 10, 23, 1, 59, 0, 0, kst), []string{"overnight", "always"}},                    // after midnight
		{time.Date(2025, 10, 25, 9, 0, 0, 0, kst), []string{"weekend-early", "always"}},                 // Saturday
		{time.Date(2025, 10, 26, 11, 0, 0, 0, kst), []string{"day", "late", "weekend-early", "always"}}, // Sunday
		{time.Date(2025, 10, 25, 3, 0, 0, 0, time.UTC), []string{"day", "late", "always"}},              // Saturday 12:00 in Seoul
	} {
		clock.Set(tc.at)
		var got []string
		for _, row := range ts.nearby(customer, nearbyQuery(jongnoLat, jongnoLng, "radius", "1", "openNow", "true")) {
			got = append(got, names[row.ID])
		}
		want := slices.Clone(tc.want)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("open at %s: %v, want %v", tc.at.In(kst).Format(time.RFC3339+" Mon"), got, want)
		}
		if all := ts.nearby(customer, nearbyQuery(jongnoLat, jongnoLng, "radius", "1")); len(all) != len(names) {
			t.Errorf("without openNow: %d stores, want %d", len(all), len(names))
		}
	}
}

func TestNearby_WithEvents(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	now := time.Date(2025, 10, 22, 12, 0, 0, 0, kst)
	// Events are created 6 h early: one already over would be refused.
	clock := newMovableClock(now.Add(-6 * time.Hour))
	ts := newTestServer(t, clock.option())
	owner := mintToken(t, 601, "OWNER")
	withEvent := ts.createStore(owner, hongdaeLat, hongdaeLng)
	lat, lng := offset(hongdaeLat, hongdaeLng, 50, 0)
	without := ts.createStore(owner, lat, lng)

	running := ts.createEvent(owner, withEvent, now.Add(-time.Hour), 3*time.Hour, 10, nil)
	ts.createEvent(owner, withEvent, now.Add(time.Hour), time.Hour, 10, nil)      // scheduled
	ts.createEvent(owner, withEvent, now.Add(-5*time.Hour), 2*time.Hour, 10, nil) // ended
	ts.createEvent(owner, without, now.Add(-48*time.Hour), 48*time.Hour, 10, nil) // ended exactly now
	clock.Add(6 * time.Hour)
	for i := 0; i < 3; i++ {
		ts.expect(ts.do("POST", "/api/v1/coupons/issue", mintToken(t, int64(700+i), "CUSTOMER"), map[string]any{"eventId": running}), 204, "")
	}

	customer := mintToken(t, 602, "CUSTOMER")
	rows := ts.nearby(customer, nearbyQuery(hongdaeLat, hongdaeLng, "radius", "1", "withEvents", "true"))
	if got := rowIDs(rows); !slices.Equal(got, []int64{withEvent, without}) {
		t.Fatalf("stores = %v, want [%d %d]", got, withEvent, without)
	}
	if len(rows[0].Events) != 1 {
		t.Fatalf("events of the store = %+v, want the running one", rows[0].Events)
	}
	e := rows[0].Events[0]
	if e.ID != running || e.Name != "아메리카노 무료" || e.TotalCount != 10 || e.Remaining != 7 ||
		e.EventStartAt != apiTime(now.Add(-time.Hour)) || e.EventEndAt != apiTime(now.Add(2*time.Hour)) {
		t.Errorf("event = %+v", e)
	}
	if len(rows[1].Events) != 0 {
		t.Errorf("a store without running events has %+v", rows[1].Events)
	}
	r := ts.do("GET", "/api/v1/stores?"+nearbyQuery(hongdaeLat, hongdaeLng, "radius", "1", "withEvents", "true").Encode(), customer, nil)
	var raw []map[string]json.RawMessage
	r.data(t, &raw)
	if got, want := keys(t, firstEvent(t, raw[0]["events"])), []string{"eventEndAt", "eventStartAt", "id", "name", "remaining", "totalCount"}; !slices.Equal(got, want) {
		t.Errorf("event fields = %v, want %v", got, want)
	}

	// Without withEvents there are no events.
	for _, row := range ts.nearby(customer, nearbyQuery(hongdaeLat, hongdaeLng, "radius", "1")) {
		if row.Events != nil {
			t.Errorf("events without withEvents: %+v", row)
		}
	}
}

func firstEvent(t *testing.T, events json.RawMessage) json.RawMessage {
	t.Helper()
	var list []json.RawMessage
	if err := json.Unmarshal(events, &list); err != nil || len(list) == 0 {
		t.Fatalf("events = %s", events)
	}
	return list[0]
}
