package server_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/golang-jwt/jwt/v5"
)

// movableClock is a server clock a test sets and moves.
type movableClock struct{ ns atomic.Int64 }

func newMovableClock(t time.Time) *movableClock {
	c := &movableClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *movableClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *movableClock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *movableClock) option() testOption  { return withNow(c.Now) }

// clockBase is the fixed "now" of the tests that set the server clock.
var clockBase = time.Date(2025, 10, 25, 12, 0, 0, 0, couponpop.Seoul)

var mintedSeq atomic.Int64

// mintedID returns a member id no signed-up member has.
func mintedID() int64 { return 70_000_000 + mintedSeq.Add(1) }

// longToken signs a token that stays valid however far a test moves the
// server clock (mintToken's expire an hour after the real now).
func longToken(t testing.TB, memberID int64, memberType string) string {
	t.Helper()
	claims := jwt.MapClaims{"sub": fmt.Sprint(memberID), "username": fmt.Sprintf("clock%d", memberID),
		"memberType": memberType, "tokenType": "USER", "exp": time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).Unix()}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// gangnam is Gangnam station: shard 4 (Hongdae is shard 1).
const gangnamStationLat, gangnamStationLng = 37.4979, 127.0286

// localTimeRE is an API time: Seoul local, seconds, no offset.
var localTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)

const eventsPath = "/api/v1/owner/coupons/events"

func eventPath(id int64) string { return fmt.Sprintf("%s/%d", eventsPath, id) }

// eventBody is a create-event request.
func eventBody(storeID int64, start, end string, total int) map[string]any {
	return map[string]any{"storeId": storeID, "name": "라떼 1+1", "eventStartAt": start, "eventEndAt": end, "totalCount": total}
}

// eventView is the owner's view of an event.
type eventView struct {
	ID          int64  `json:"id"`
	StoreID     int64  `json:"storeId"`
	EventName   string `json:"eventName"`
	EventPeriod struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"eventPeriod"`
	Summary   eventCounts `json:"summary"`
	Status    string      `json:"status"`
	Phase     string      `json:"phase"`
	CreatedAt string      `json:"createdAt"`
	UpdatedAt string      `json:"updatedAt"`
}

type eventCounts struct {
	Total     int `json:"total"`
	Unclaimed int `json:"unclaimed"`
	Issued    int `json:"issued"`
	Used      int `json:"used"`
	Unused    int `json:"unused"`
}

type eventListPage struct {
	StoreID    int64       `json:"storeId"`
	Events     []eventView `json:"events"`
	NextCursor *struct {
		LastStartAt string `json:"lastStartAt"`
		LastEndAt   string `json:"lastEndAt"`
		LastEventID int64  `json:"lastEventId"`
	} `json:"nextCursor"`
	Size    int  `json:"size"`
	HasNext bool `json:"hasNext"`
}

// getEvent reads one of the owner's events.
func (ts *testServer) getEvent(token string, id int64) eventView {
	ts.t.Helper()
	r := ts.do("GET", eventPath(id), token, nil)
	ts.expect(r, 200, "")
	var e eventView
	r.data(ts.t, &e)
	return e
}

// listEvents reads one page of a store's events.
func (ts *testServer) listEvents(token string, q url.Values) eventListPage {
	ts.t.Helper()
	r := ts.do("GET", eventsPath+"?"+q.Encode(), token, nil)
	ts.expect(r, 200, "")
	var p eventListPage
	r.data(ts.t, &p)
	return p
}

// walkEvents pages through a store's events with size and returns the ids
// in the order served, checking every page's cursor.
func (ts *testServer) walkEvents(token string, storeID int64, status string, size int) []int64 {
	ts.t.Helper()
	q := url.Values{"storeId": {fmt.Sprint(storeID)}, "size": {fmt.Sprint(size)}}
	if status != "" {
		q.Set("status", status)
	}
	var ids []int64
	for pages := 0; ; pages++ {
		if pages > 100 {
			ts.t.Fatal("paging never ends")
		}
		p := ts.listEvents(token, q)
		if p.StoreID != storeID || p.Size != size {
			ts.t.Fatalf("page storeId %d size %d, want %d and %d", p.StoreID, p.Size, storeID, size)
		}
		for _, e := range p.Events {
			ids = append(ids, e.ID)
		}
		if !p.HasNext {
			if p.NextCursor != nil || len(p.Events) > size {
				ts.t.Fatalf("last page: %d events, nextCursor %+v", len(p.Events), p.NextCursor)
			}
			return ids
		}
		if len(p.Events) != size || p.NextCursor == nil {
			ts.t.Fatalf("page with hasNext has %d events (want %d) and nextCursor %+v", len(p.Events), size, p.NextCursor)
		}
		last := p.Events[len(p.Events)-1]
		c := p.NextCursor
		if c.LastStartAt != last.EventPeriod.Start || c.LastEndAt != last.EventPeriod.End || c.LastEventID != last.ID {
			ts.t.Fatalf("nextCursor %+v does not name the last event %d (%s, %s)", *c, last.ID, last.EventPeriod.Start, last.EventPeriod.End)
		}
		q.Set("lastStartAt", c.LastStartAt)
		q.Set("lastEndAt", c.LastEndAt)
		q.Set("lastEventId", fmt.Sprint(c.LastEventID))
	}
}

func TestEvent_CreateAccess(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	_, other := ts.member(couponpop.MemberOwner)
	_, customer := ts.member(couponpop.MemberCustomer)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	start := time.Now().Add(time.Hour)
	body := eventBody(storeID, apiTime(start), apiTime(start.Add(2*time.Hour)), 10)

	ts.expect(ts.do("POST", eventsPath, "", body), 401, couponpop.EUNAUTHORIZED)
	ts.expect(ts.do("POST", eventsPath, customer, body), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.do("POST", eventsPath, mintToken(t, mintedID(), couponpop.MemberAdmin), body), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.do("POST", eventsPath, other, body), 403, couponpop.EStoreAccessPermissionDenied)
	for _, missing := range []int64{couponpop.MakeID(1, 999_999), couponpop.MakeID(4, 1), couponpop.MakeID(77, 1)} {
		b := eventBody(missing, apiTime(start), apiTime(start.Add(time.Hour)), 10)
		ts.expect(ts.do("POST", eventsPath, owner, b), 400, couponpop.EStoreNotFound)
	}
	ts.expect(ts.do("POST", eventsPath, owner, body), 201, "")
}

func TestEvent_CreateValidation(t *testing.T) {
	ts := newTestServer(t, withNow(func() time.Time { return clockBase.Add(-24 * time.Hour) }))
	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	const start, end = "2025-10-25T12:00:00", "2025-10-25T14:00:00"
	with := func(changes map[string]any) map[string]any {
		b := eventBody(storeID, start, end, 10)
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"missing name", with(map[string]any{"name": nil}), 400, couponpop.EINVALID},
		{"blank name", with(map[string]any{"name": "   "}), 400, couponpop.EINVALID},
		{"name of 101 characters", with(map[string]any{"name": strings.Repeat("쿠", 101)}), 400, couponpop.EINVALID},
		{"missing storeId", with(map[string]any{"storeId": nil}), 400, couponpop.EINVALID},
		{"totalCount 0", with(map[string]any{"totalCount": 0}), 400, couponpop.EINVALID},
		{"totalCount negative", with(map[string]any{"totalCount": -3}), 400, couponpop.EINVALID},
		{"missing totalCount", with(map[string]any{"totalCount": nil}), 400, couponpop.EINVALID},
		{"totalCount not a number", with(map[string]any{"totalCount": "ten"}), 400, couponpop.EINVALID},
		{"missing eventStartAt", with(map[string]any{"eventStartAt": nil}), 400, couponpop.EINVALID},
		{"empty eventEndAt", with(map[string]any{"eventEndAt": ""}), 400, couponpop.EINVALID},
		{"eventStartAt not a time", with(map[string]any{"eventStartAt": "tomorrow noon"}), 400, couponpop.EINVALID},
		{"eventStartAt month 13", with(map[string]any{"eventStartAt": "2025-13-01T12:00:00"}), 400, couponpop.EINVALID},
		{"eventEndAt date only", with(map[string]any{"eventEndAt": "2025-10-26"}), 400, couponpop.EINVALID},
		{"eventEndAt a number", with(map[string]any{"eventEndAt": 1761364800}), 400, couponpop.EINVALID},
		{"claimRadiusMeters 0", with(map[string]any{"claimRadiusMeters": 0}), 400, couponpop.EINVALID},
		{"claimRadiusMeters negative", with(map[string]any{"claimRadiusMeters": -50}), 400, couponpop.EINVALID},
		{"couponValidHours 0", with(map[string]any{"couponValidHours": 0}), 400, couponpop.EINVALID},
		{"couponValidHours negative", with(map[string]any{"couponValidHours": -1}), 400, couponpop.EINVALID},
		{"end before start", with(map[string]any{"eventEndAt": "2025-10-25T11:59:59"}), 400, couponpop.EEventEndBeforeStart},
		{"end equals start", with(map[string]any{"eventEndAt": start}), 400, couponpop.EEventEndBeforeStart},
		// Times count in whole seconds (fractions are dropped).
		{"end in the start's second", with(map[string]any{"eventStartAt": "2025-10-25T12:00:00.200", "eventEndAt": "2025-10-25T12:00:00.800"}), 400, couponpop.EEventEndBeforeStart},
		{"end before start across an offset", with(map[string]any{"eventEndAt": "2025-10-25T12:30:00Z", "eventStartAt": "2025-10-25T22:00:00"}), 400, couponpop.EEventEndBeforeStart},
		{"48 h exactly", with(map[string]any{"eventEndAt": "2025-10-27T12:00:00"}), 201, ""},
		{"48 h and 1 s", with(map[string]any{"eventEndAt": "2025-10-27T12:00:01"}), 400, couponpop.EEventDurationExceeded},
		{"48 h 59 m", with(map[string]any{"eventEndAt": "2025-10-27T12:59:00"}), 400, couponpop.EEventDurationExceeded},
		{"a week", with(map[string]any{"eventEndAt": "2025-11-01T12:00:00"}), 400, couponpop.EEventDurationExceeded},
		{"48 h exactly across offsets", with(map[string]any{"eventStartAt": "2025-10-25T03:00:00Z", "eventEndAt": "2025-10-27T12:00:00"}), 201, ""},
		{"48 h and 1 s across offsets", with(map[string]any{"eventStartAt": "2025-10-25T03:00:00Z", "eventEndAt": "2025-10-27T12:00:01"}), 400, couponpop.EEventDurationExceeded},
		{"name of 100 characters", with(map[string]any{"name": strings.Repeat("쿠", 100)}), 201, ""},
		{"1 coupon, radius and validity", with(map[string]any{"totalCount": 1, "claimRadiusMeters": 0.5, "couponValidHours": 1}), 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts.expect(ts.do("POST", eventsPath, owner, c.body), c.status, c.code)
		})
	}
	// Validation failures come before the store lookup: a bad body for a
	// missing store is a BAD_REQUEST.
	b := with(map[string]any{"totalCount": 0, "storeId": couponpop.MakeID(1, 999_999)})
	ts.expect(ts.do("POST", eventsPath, owner, b), 400, couponpop.EINVALID)
	// Every problem is reported, one per line.
	r := ts.do("POST", eventsPath, owner, with(map[string]any{"name": "", "totalCount": 0}))
	ts.expect(r, 400, couponpop.EINVALID)
	var eb struct{ Error struct{ Message string } }
	if err := json.Unmarshal(r.Body, &eb); err != nil || strings.Count(eb.Error.Message, "\n") != 1 {
		t.Errorf("message %q: want two problems joined by a newline", eb.Error.Message)
	}
}

func TestEvent_CreateResponse(t *testing.T) {
	clock := newMovableClock(clockBase.Add(1234 * time.Millisecond))
	ts := newTestServer(t, clock.option())
	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	cases := []struct{ start, end, wantStart, wantEnd string }{
		{"2025-10-25T12:00:00", "2025-10-25T18:30:00", "2025-10-25T12:00:00", "2025-10-25T18:30:00"},
		{"2025-10-25T12:00:00+09:00", "2025-10-26T12:00:00+09:00", "2025-10-25T12:00:00", "2025-10-26T12:00:00"},
		{"2025-10-25T12:00:00Z", "2025-10-26T00:00:00Z", "2025-10-25T21:00:00", "2025-10-26T09:00:00"},
		{"2025-10-25T03:00:00Z", "2025-10-25T14:00:00", "2025-10-25T12:00:00", "2025-10-25T14:00:00"},
		{"2025-10-25T12:00:00.250", "2025-10-25T13:00:00.999+09:00", "2025-10-25T12:00:00", "2025-10-25T13:00:00"},
	}
	for _, c := range cases {
		body := eventBody(storeID, c.start, c.end, 30)
		body["name"] = "  가을 맞이 이벤트  "
		r := ts.do("POST", eventsPath, owner, body)
		ts.expect(r, 201, "")
		var got map[string]any
		r.data(t, &got)
		for _, k := range []string{"eventId", "name", "eventStartAt", "eventEndAt", "totalCount", "createdAt"} {
			if _, ok := got[k]; !ok {
				t.Fatalf("%s → %s: field %s missing", c.start, r.Body, k)
			}
		}
		for _, k := range []string{"eventStartAt", "eventEndAt", "createdAt"} {
			if s, _ := got[k].(string); !localTimeRE.MatchString(s) {
				t.Errorf("%s = %v: want Seoul local time without offset", k, got[k])
			}
		}
		if got["eventStartAt"] != c.wantStart || got["eventEndAt"] != c.wantEnd {
			t.Errorf("%s – %s stored as %v – %v, want %s – %s", c.start, c.end, got["eventStartAt"], got["eventEndAt"], c.wantStart, c.wantEnd)
		}
		if got["name"] != "가을 맞이 이벤트" || got["totalCount"] != 30.0 || got["createdAt"] != "2025-10-25T12:00:01" {
			t.Errorf("response %s", r.Body)
		}
		id, _ := got["eventId"].(float64)
		if couponpop.ShardOfID(int64(id)) != couponpop.ShardOfID(storeID) || r.Header.Get("Couponpop-Position") == "" {
			t.Errorf("event id %v (store %d), position %q", got["eventId"], storeID, r.Header.Get("Couponpop-Position"))
		}
		// The owner's view agrees.
		e := ts.getEvent(owner, int64(id))
		if e.EventPeriod.Start != c.wantStart || e.EventPeriod.End != c.wantEnd || e.EventName != "가을 맞이 이벤트" {
			t.Errorf("GET event: %+v", e)
		}
	}
}

func TestEvent_Get(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(5, nil)
	_, otherOwner := ts.member(couponpop.MemberOwner)
	otherStore := ts.createStore(otherOwner, hongdaeLat, hongdaeLng)
	otherEvent := ts.createEvent(otherOwner, otherStore, time.Now().Add(-time.Minute), time.Hour, 3, nil)

	e := ts.getEvent(owner, eventID)
	if e.ID != eventID || e.StoreID != storeID || e.EventName != "아메리카노 무료" || e.Status != couponpop.EventActive ||
		e.Phase != couponpop.PhaseInProgress || e.Summary != (eventCounts{5, 5, 0, 0, 0}) {
		t.Fatalf("fresh event: %+v", e)
	}
	for _, s := range []string{e.EventPeriod.Start, e.EventPeriod.End, e.CreatedAt, e.UpdatedAt} {
		if !localTimeRE.MatchString(s) {
			t.Errorf("time %q: want Seoul local time without offset", s)
		}
	}

	var customers []string
	var coupons []int64
	for range 3 {
		tok := mintToken(t, mintedID(), couponpop.MemberCustomer)
		customers = append(customers, tok)
		coupons = append(coupons, ts.claimCoupon(tok, eventID))
	}
	ts.expect(ts.useCoupon(customers[1], ts.qrCodeOf(customers[1], coupons[1]), coupons[1], storeID), 204, "")
	// Claims on another event of another store change nothing here.
	ts.claimCoupon(customers[0], otherEvent)

	e = ts.getEvent(owner, eventID)
	if want := (eventCounts{Total: 5, Unclaimed: 2, Issued: 3, Used: 1, Unused: 2}); e.Summary != want {
		t.Fatalf("summary %+v, want %+v", e.Summary, want)
	}
	ts.expect(ts.do("PATCH", eventPath(eventID), owner, map[string]any{"addCount": 4}), 200, "")
	if want := (eventCounts{Total: 9, Unclaimed: 6, Issued: 3, Used: 1, Unused: 2}); ts.getEvent(owner, eventID).Summary != want {
		t.Fatalf("summary after addCount: %+v, want %+v", ts.getEvent(owner, eventID).Summary, want)
	}

	ts.expect(ts.do("GET", eventPath(couponpop.MakeID(1, 999_999)), owner, nil), 404, couponpop.EEventNotFound)
	ts.expect(ts.do("GET", eventPath(couponpop.MakeID(77, 1)), owner, nil), 404, couponpop.EEventNotFound)
	ts.expect(ts.do("GET", eventsPath+"/abc", owner, nil), 400, couponpop.EINVALID)
	ts.expect(ts.do("GET", eventPath(eventID), otherOwner, nil), 403, couponpop.EEventOwnerMismatch)
	ts.expect(ts.do("GET", eventPath(otherEvent), owner, nil), 403, couponpop.EEventOwnerMismatch)
	ts.expect(ts.do("GET", eventPath(eventID), customers[0], nil), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.do("GET", eventPath(eventID), "", nil), 401, couponpop.EUNAUTHORIZED)
}

func TestEvent_ListStatusAndPaging(t *testing.T) {
	clock := newMovableClock(clockBase)
	ts := newTestServer(t, clock.option())
	owner := longToken(t, mintedID(), couponpop.MemberOwner) // the test moves the clock
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	otherStoreOfOwner := ts.createStore(owner, gangnamStationLat, gangnamStationLng)
	now := clockBase

	type ev struct {
		id         int64
		start, end time.Time
	}
	var all []ev
	// Events are made a day and a half early: an event already over when
	// it is created is refused.
	clock.Add(-31 * time.Hour)
	add := func(start time.Time, dur time.Duration) int64 {
		id := ts.createEvent(owner, storeID, start, dur, 10, nil)
		all = append(all, ev{id, start, start.Add(dur)})
		return id
	}
	phase := map[int64]string{}
	for _, s := range []struct {
		start time.Duration
		dur   time.Duration
		phase string
	}{
		{time.Hour, time.Hour, couponpop.PhaseScheduled},
		{2 * time.Hour, 3 * time.Hour, couponpop.PhaseScheduled},
		{time.Second, time.Hour, couponpop.PhaseScheduled},
		{0, time.Hour, couponpop.PhaseInProgress}, // starts now: in progress
		{-time.Hour, 2 * time.Hour, couponpop.PhaseInProgress},
		{-30 * time.Minute, 30*time.Minute + time.Second, couponpop.PhaseInProgress},
		{-time.Hour, time.Hour, couponpop.PhaseCompleted}, // ends now: completed
		{-5 * time.Hour, time.Hour, couponpop.PhaseCompleted},
		{-5 * time.Hour, 2 * time.Hour, couponpop.PhaseCompleted}, // same start, later end
		{-5 * time.Hour, 2 * time.Hour, couponpop.PhaseCompleted}, // same start and end: id decides
		{-5 * time.Hour, 2 * time.Hour, couponpop.PhaseCompleted},
		{-30 * time.Hour, 48 * time.Hour, couponpop.PhaseInProgress},
	} {
		phase[add(now.Add(s.start), s.dur)] = s.phase
	}
	// An event of the owner's other store never shows up here.
	ts.createEvent(owner, otherStoreOfOwner, now.Add(-time.Minute), time.Hour, 10, nil)
	clock.Add(31 * time.Hour)

	// v2's order: start, end, then id, ascending.
	slices.SortFunc(all, func(a, b ev) int {
		return cmp.Or(a.start.Compare(b.start), a.end.Compare(b.end), cmp.Compare(a.id, b.id))
	})
	want := func(ph string) []int64 {
		ph = cmp.Or(ph, couponpop.PhaseInProgress) // v2's default status
		var ids []int64
		for _, e := range all {
			if phase[e.id] == ph {
				ids = append(ids, e.id)
			}
		}
		return ids
	}

	for _, ph := range []string{"", couponpop.PhaseScheduled, couponpop.PhaseInProgress, couponpop.PhaseCompleted} {
		// One page holds everything, in order, with the right phase.
		q := url.Values{"storeId": {fmt.Sprint(storeID)}, "size": {"100"}}
		if ph != "" {
			q.Set("status", ph)
		}
		p := ts.listEvents(owner, q)
		var got []int64
		for _, e := range p.Events {
			got = append(got, e.ID)
			if e.Phase != phase[e.ID] || e.StoreID != storeID {
				t.Errorf("event %d: phase %s store %d, want %s and %d", e.ID, e.Phase, e.StoreID, phase[e.ID], storeID)
			}
		}
		if !slices.Equal(got, want(ph)) || p.HasNext || p.NextCursor != nil {
			t.Errorf("status %q: got %v (hasNext %v), want %v", ph, got, p.HasNext, want(ph))
		}
		// Paging by 2 (and by 1 and 5) walks the same list exactly once.
		for _, size := range []int{1, 2, 5} {
			if got := ts.walkEvents(owner, storeID, ph, size); !slices.Equal(got, want(ph)) {
				t.Errorf("status %q size %d: walked %v, want %v", ph, size, got, want(ph))
			}
		}
	}
	// The default page size is 10; the default status IN_PROGRESS.
	p := ts.listEvents(owner, url.Values{"storeId": {fmt.Sprint(storeID)}})
	if len(p.Events) != len(want(couponpop.PhaseInProgress)) || p.HasNext || p.Size != 10 {
		t.Errorf("default page: %d events, hasNext %v, size %d", len(p.Events), p.HasNext, p.Size)
	}

	// The phases follow the clock.
	clock.Add(3 * time.Hour)
	if got := ts.walkEvents(owner, storeID, couponpop.PhaseScheduled, 2); len(got) != 0 {
		t.Errorf("scheduled 3 h later: %v", got)
	}

	_, stranger := ts.member(couponpop.MemberOwner)
	_, customer := ts.member(couponpop.MemberCustomer)
	list := func(token, query string) *response { return ts.do("GET", eventsPath+"?"+query, token, nil) }
	sid := fmt.Sprint(storeID)
	ts.expect(list(owner, ""), 400, couponpop.EINVALID)
	ts.expect(list(owner, "status=COMPLETED"), 400, couponpop.EINVALID)
	ts.expect(list(owner, "storeId=abc"), 400, couponpop.EINVALID)
	ts.expect(list(owner, "storeId="+sid+"&status=ACTIVE"), 400, couponpop.EINVALID)
	ts.expect(list(owner, "storeId="+sid+"&size=0"), 400, couponpop.EINVALID)
	ts.expect(list(owner, "storeId="+sid+"&size=101"), 400, couponpop.EINVALID)
	ts.expect(list(owner, "storeId="+sid+"&lastEventId=5"), 400, couponpop.EINVALID)
	ts.expect(list(owner, "storeId="+sid+"&lastStartAt=yesterday&lastEndAt=2025-10-25T12:00:00&lastEventId=5"), 400, couponpop.EINVALID)
	ts.expect(list(owner, fmt.Sprintf("storeId=%d", couponpop.MakeID(1, 999_999))), 400, couponpop.EStoreNotFound)
	ts.expect(list(stranger, "storeId="+sid), 403, couponpop.EStoreOwnerMismatch)
	ts.expect(list(customer, "storeId="+sid), 403, couponpop.EFORBIDDEN)
}

// Times with a fraction of a second are accepted on input; the API shows
// and pages by whole seconds, so paging must not lose events that share a
// second.
func TestEvent_ListPagingSubsecondTimes(t *testing.T) {
	ts := newTestServer(t, withNow(func() time.Time { return clockBase.Add(-90 * time.Minute) })) // 10:30, all in progress
	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	var ids []int64
	for _, start := range []string{"2025-10-25T10:00:00.700", "2025-10-25T10:00:00.300", "2025-10-25T10:00:00.500", "2025-10-25T09:00:00"} {
		r := ts.do("POST", eventsPath, owner, eventBody(storeID, start, "2025-10-25T11:00:00.400", 5))
		ts.expect(r, 201, "")
		var e struct{ EventID int64 }
		r.data(t, &e)
		ids = append(ids, e.EventID)
	}
	for _, size := range []int{1, 2, 3} {
		got := ts.walkEvents(owner, storeID, "", size)
		if len(got) != len(ids) {
			t.Errorf("size %d: walked %v, want all of %v exactly once", size, got, ids)
		}
		seen := map[int64]bool{}
		for _, id := range got {
			if seen[id] {
				t.Errorf("size %d: event %d twice in %v", size, id, got)
			}
			seen[id] = true
		}
	}
}

type statisticsBody struct {
	Statistics []struct {
		StoreID     int64 `json:"storeId"`
		CouponStats struct {
			Total     int `json:"total"`
			Unclaimed int `json:"unclaimed"`
			Used      int `json:"used"`
			Unused    int `json:"unused"`
		} `json:"couponStats"`
		LastEventEndAt *string `json:"lastEventEndAt"`
	} `json:"statistics"`
	NextCursor *struct {
		LastStoreID int64 `json:"lastStoreId"`
	} `json:"nextCursor"`
	Size    int  `json:"size"`
	HasNext bool `json:"hasNext"`
}

func (ts *testServer) statistics(token, query string) statisticsBody {
	ts.t.Helper()
	r := ts.do("GET", eventsPath+"/statistics?"+query, token, nil)
	ts.expect(r, 200, "")
	var s statisticsBody
	r.data(ts.t, &s)
	return s
}

func TestEvent_Statistics(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	hongdae := ts.createStore(owner, hongdaeLat, hongdaeLng)
	gangnam := ts.createStore(owner, gangnamStationLat, gangnamStationLng)
	empty := ts.createStore(owner, hongdaeLat+0.001, hongdaeLng)
	_, stranger := ts.member(couponpop.MemberOwner)
	strangerStore := ts.createStore(stranger, hongdaeLat, hongdaeLng)

	start := time.Now().Truncate(time.Second).Add(-time.Minute)
	e1 := ts.createEvent(owner, hongdae, start, 2*time.Hour, 10, nil)
	e2 := ts.createEvent(owner, hongdae, start, 5*time.Hour, 5, nil)
	e3 := ts.createEvent(owner, gangnam, start, 3*time.Hour, 7, nil)
	ts.createEvent(owner, gangnam, start.Add(time.Hour), time.Hour, 4, nil) // scheduled, no claims
	e5 := ts.createEvent(stranger, strangerStore, start, 2*time.Hour, 100, nil)

	// claimAndUse claims n coupons of an event and uses the first used of them.
	claimAndUse := func(eventID, storeID int64, n, used int) {
		for i := range n {
			tok := mintToken(t, mintedID(), couponpop.MemberCustomer)
			c := ts.claimCoupon(tok, eventID)
			if i < used {
				ts.expect(ts.useCoupon(tok, ts.qrCodeOf(tok, c), c, storeID), 204, "")
			}
		}
	}
	claimAndUse(e1, hongdae, 4, 1)
	claimAndUse(e2, hongdae, 3, 2)
	claimAndUse(e3, gangnam, 2, 0)
	claimAndUse(e5, strangerStore, 3, 3)

	type stat struct {
		total, unclaimed, used, unused int
		lastEnd                        string
	}
	want := map[int64]stat{
		hongdae: {15, 8, 3, 4, apiTime(start.Add(5 * time.Hour))},
		gangnam: {11, 9, 0, 2, apiTime(start.Add(3 * time.Hour))},
		empty:   {0, 0, 0, 0, ""},
	}
	order := []int64{hongdae, gangnam, empty}
	slices.Sort(order)
	slices.Reverse(order) // v2's order: store id descending
	if couponpop.ShardOfID(gangnam) != 4 || order[0] != gangnam {
		t.Fatalf("stores %v: Gangnam (%d) should be in shard 4 and sort first", order, gangnam)
	}
	check := func(s statisticsBody, ids []int64) {
		t.Helper()
		if len(s.Statistics) != len(ids) {
			t.Fatalf("statistics of %d stores, want %v", len(s.Statistics), ids)
		}
		for i, st := range s.Statistics {
			w := want[ids[i]]
			got := stat{st.CouponStats.Total, st.CouponStats.Unclaimed, st.CouponStats.Used, st.CouponStats.Unused, ""}
			if st.LastEventEndAt != nil {
				got.lastEnd = *st.LastEventEndAt
			}
			if st.StoreID != ids[i] || got != w {
				t.Errorf("store %d: %+v, want store %d %+v", st.StoreID, got, ids[i], w)
			}
		}
	}

	all := ts.statistics(owner, "")
	check(all, order)
	if all.HasNext || all.NextCursor != nil || all.Size != 10 {
		t.Errorf("one page: hasNext %v nextCursor %+v size %d", all.HasNext, all.NextCursor, all.Size)
	}

	first := ts.statistics(owner, "size=2")
	check(first, order[:2])
	if !first.HasNext || first.NextCursor == nil || first.NextCursor.LastStoreID != order[1] || first.Size != 2 {
		t.Fatalf("first page: hasNext %v nextCursor %+v size %d", first.HasNext, first.NextCursor, first.Size)
	}
	second := ts.statistics(owner, fmt.Sprintf("size=2&lastStoreId=%d", first.NextCursor.LastStoreID))
	check(second, order[2:])
	if second.HasNext || second.NextCursor != nil {
		t.Errorf("second page: hasNext %v nextCursor %+v", second.HasNext, second.NextCursor)
	}
	// Exactly size stores left: no further page.
	exact := ts.statistics(owner, fmt.Sprintf("size=2&lastStoreId=%d", order[0]))
	check(exact, order[1:])
	if exact.HasNext || exact.NextCursor != nil {
		t.Errorf("exact page: hasNext %v nextCursor %+v", exact.HasNext, exact.NextCursor)
	}
	if past := ts.statistics(owner, fmt.Sprintf("lastStoreId=%d", order[2])); len(past.Statistics) != 0 || past.HasNext {
		t.Errorf("after the last store: %+v", past)
	}

	// The stranger sees only their store, with sums per event.
	s := ts.statistics(stranger, "")
	if len(s.Statistics) != 1 || s.Statistics[0].StoreID != strangerStore || s.Statistics[0].CouponStats.Total != 100 ||
		s.Statistics[0].CouponStats.Unclaimed != 97 || s.Statistics[0].CouponStats.Used != 3 || s.Statistics[0].CouponStats.Unused != 0 {
		t.Errorf("stranger: %+v", s)
	}
	// An owner without stores gets an empty list.
	_, newcomer := ts.member(couponpop.MemberOwner)
	r := ts.do("GET", eventsPath+"/statistics", newcomer, nil)
	ts.expect(r, 200, "")
	if !strings.Contains(string(r.Body), `"statistics":[]`) {
		t.Errorf("no stores: %s", r.Body)
	}

	_, customer := ts.member(couponpop.MemberCustomer)
	ts.expect(ts.do("GET", eventsPath+"/statistics", customer, nil), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.do("GET", eventsPath+"/statistics?size=0", owner, nil), 400, couponpop.EINVALID)
	ts.expect(ts.do("GET", eventsPath+"/statistics?lastStoreId=x", owner, nil), 400, couponpop.EINVALID)
}

func TestEvent_Patch(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(5, nil)
	_, stranger := ts.member(couponpop.MemberOwner)
	_, customer := ts.member(couponpop.MemberCustomer)
	patch := func(token string, body any) *response { return ts.do("PATCH", eventPath(eventID), token, body) }
	patched := func(body any) eventView {
		t.Helper()
		r := patch(owner, body)
		ts.expect(r, 200, "")
		var e eventView
		r.data(t, &e)
		return e
	}

	if e := patched(map[string]any{"status": "PAUSED"}); e.Status != couponpop.EventPaused || e.ID != eventID {
		t.Fatalf("paused: %+v", e)
	}
	if e := ts.getEvent(owner, eventID); e.Status != couponpop.EventPaused {
		t.Fatalf("GET after pause: %+v", e)
	}
	if e := patched(map[string]any{"addCount": 3}); e.Summary.Total != 8 || e.Status != couponpop.EventPaused {
		t.Fatalf("addCount while paused: %+v", e)
	}
	if e := patched(map[string]any{"status": "ACTIVE"}); e.Status != couponpop.EventActive || e.Summary.Total != 8 {
		t.Fatalf("resumed: %+v", e)
	}

	ts.expect(patch(owner, map[string]any{"status": "PAUSED", "addCount": 1}), 400, couponpop.EINVALID)
	ts.expect(patch(owner, map[string]any{}), 400, couponpop.EINVALID)
	ts.expect(patch(owner, map[string]any{"status": "DONE"}), 400, couponpop.EINVALID)
	ts.expect(patch(owner, map[string]any{"status": "IN_PROGRESS"}), 400, couponpop.EINVALID)
	ts.expect(patch(owner, map[string]any{"addCount": 0}), 400, couponpop.EINVALID)
	ts.expect(patch(owner, map[string]any{"addCount": -2}), 400, couponpop.EINVALID)
	ts.expect(patch(owner, nil), 400, couponpop.EINVALID)
	ts.expect(patch(stranger, map[string]any{"status": "CANCELED"}), 403, couponpop.EEventOwnerMismatch)
	ts.expect(patch(customer, map[string]any{"status": "CANCELED"}), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.do("PATCH", eventPath(couponpop.MakeID(1, 999_999)), owner, map[string]any{"status": "PAUSED"}), 404, couponpop.EEventNotFound)
	if e := ts.getEvent(owner, eventID); e.Status != couponpop.EventActive || e.Summary.Total != 8 {
		t.Fatalf("refused patches changed the event: %+v", e)
	}

	// Cancel keeps what was issued: the coupon stays the holder's and usable.
	tok := mintToken(t, mintedID(), couponpop.MemberCustomer)
	couponID := ts.claimCoupon(tok, eventID)
	if e := patched(map[string]any{"status": "CANCELED"}); e.Status != couponpop.EventCanceled || e.Summary.Issued != 1 || e.Summary.Total != 8 {
		t.Fatalf("canceled: %+v", e)
	}
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", mintToken(t, mintedID(), couponpop.MemberCustomer), map[string]any{"eventId": eventID}), 400, couponpop.EEventNotActive)
	if c := ts.showCoupon(tok, couponID); c.Status != couponpop.CouponIssued || c.QRCode == nil {
		t.Fatalf("coupon after cancel: %+v", c)
	}

	// A canceled event stays canceled.
	ts.expect(patch(owner, map[string]any{"status": "ACTIVE"}), 400, couponpop.EEventNotActive)
	ts.expect(patch(owner, map[string]any{"status": "PAUSED"}), 400, couponpop.EEventNotActive)
	ts.expect(patch(owner, map[string]any{"status": "CANCELED"}), 400, couponpop.EEventNotActive)
	ts.expect(patch(owner, map[string]any{"addCount": 1}), 400, couponpop.EEventNotActive)
	if e := ts.getEvent(owner, eventID); e.Status != couponpop.EventCanceled || e.Summary != (eventCounts{8, 7, 1, 0, 1}) {
		t.Fatalf("after refused resume: %+v", e)
	}
	ts.expect(ts.useCoupon(tok, ts.qrCodeOf(tok, couponID), couponID, storeID), 204, "")
	if e := ts.getEvent(owner, eventID); e.Summary != (eventCounts{8, 7, 1, 1, 0}) {
		t.Fatalf("after using a coupon of the canceled event: %+v", e.Summary)
	}
}
