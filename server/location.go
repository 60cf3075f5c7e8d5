package server

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

// Area-entry settings beyond nudge.AreaRules.
const (
	// locationMaxAge is how long a device's last report is kept and used.
	locationMaxAge = 24 * time.Hour
	// nearbyEventsMeters is the radius of the events a report returns.
	nearbyEventsMeters = 1000
	nearbyEventsMax    = 20
)

func (s *Server) locationRoutes(r chi.Router) {
	r.With(requireMember(s)).Post("/locations/current", s.handleLocation)
	r.With(requireMember(s)).Get("/locations/events", s.handleLocationEvents)
}

type locationRequest struct {
	Latitude         *float64 `json:"latitude"`
	Longitude        *float64 `json:"longitude"`
	DeviceIdentifier string   `json:"deviceIdentifier"`
}

type areaJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// nearEvent is a running event near a report, with its store, as every
// shard that holds some answers (GET /locations/events).
type nearEvent struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	StoreID        int64   `json:"storeId"`
	StoreName      string  `json:"storeName"`
	Latitude       float64 `json:"latitude"` // the store's
	Longitude      float64 `json:"longitude"`
	DistanceMeters float64 `json:"distanceMeters"`
	TotalCount     int     `json:"totalCount"`
	IssuedCount    int     `json:"issuedCount"`
	EndAt          string  `json:"endAt"`
	Claimed        bool    `json:"claimed"` // the caller holds one of its coupons
}

func (s *Server) handleLocation(w http.ResponseWriter, r *http.Request) {
	if !s.writesHere(w, r, store.GlobalShard) {
		return
	}
	var in locationRequest
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	var p couponpop.Problems
	p.Add(in.Latitude == nil || in.Longitude == nil, "latitude and longitude are required")
	p.Add(in.Latitude != nil && in.Longitude != nil && !couponpop.ValidLatLng(*in.Latitude, *in.Longitude),
		"latitude must be in [-90, 90] and longitude in [-180, 180]")
	p.Add(utf8.RuneCountInString(in.DeviceIdentifier) > 200, "deviceIdentifier must be at most 200 characters")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	now := s.now()
	point := geo.LatLng{Lat: *in.Latitude, Lng: *in.Longitude}
	areas := s.gazetteer.AreasAt(point)
	// The events come from every shard the circle touches, held here or
	// not, as GET /locations/events answers them.
	part := r.Clone(ctx)
	part.Method = http.MethodGet
	part.URL = &url.URL{Path: "/api/v1/locations/events", RawQuery: url.Values{
		"latitude": {strconv.FormatFloat(point.Lat, 'f', -1, 64)}, "longitude": {strconv.FormatFloat(point.Lng, 'f', -1, 64)}}.Encode()}
	part.RequestURI = part.URL.RequestURI()
	events, missing, err := s.nearEvents(part, point, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Areas         []areaJSON  `json:"areas"`
		Events        []nearEvent `json:"events"`
		Partial       bool        `json:"partial,omitempty"`
		MissingShards []int       `json:"missingShards,omitempty"`
	}{Areas: []areaJSON{}, Events: events, Partial: len(missing) > 0, MissingShards: missing}
	for _, a := range areas {
		out.Areas = append(out.Areas, areaJSON{a.ID, a.Name})
	}
	pos, err := s.applyAreaRules(ctx, callerFrom(ctx).MemberID, strings.TrimSpace(in.DeviceIdentifier), point, now, areas, events)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if pos > 0 {
		setPosition(w, store.GlobalShard, pos)
	}
	writeData(w, http.StatusOK, out)
}

// handleLocationEvents answers the running events within
// nearbyEventsMeters of latitude, longitude, nearest first, with whether
// the caller claimed each: the events part of POST /locations/current,
// which asks the nodes of the shards it does not hold.
func (s *Server) handleLocationEvents(w http.ResponseWriter, r *http.Request) {
	var p couponpop.Problems
	q := r.URL.Query()
	lat, errLat := strconv.ParseFloat(q.Get("latitude"), 64)
	lng, errLng := strconv.ParseFloat(q.Get("longitude"), 64)
	p.Add(errLat != nil || errLng != nil || !couponpop.ValidLatLng(lat, lng),
		"latitude must be in [-90, 90] and longitude in [-180, 180]")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	events, missing, err := s.nearEvents(r, geo.LatLng{Lat: lat, Lng: lng}, s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeGathered(w, events, missing)
}

// nearEvents gathers, for r (a GET /locations/events), the running events
// of stores near point from every shard the circle touches, nearest first;
// missing are the shards whose nodes did not answer.
func (s *Server) nearEvents(r *http.Request, point geo.LatLng, now time.Time) ([]nearEvent, []int, error) {
	memberID := callerFrom(r.Context()).MemberID
	shards := s.shards.Map.ShardsTouching(point.Lat, point.Lng, nearbyEventsMeters)
	events, missing, err := gather(s, r, shards, func(ctx context.Context, db *store.DB) ([]nearEvent, error) {
		return shardNearEvents(ctx, db, point, now, memberID)
	}, unwrapList[nearEvent])
	if err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(events, func(a, b nearEvent) int { return cmp.Compare(a.DistanceMeters, b.DistanceMeters) })
	if len(events) > nearbyEventsMax {
		events = events[:nearbyEventsMax]
	}
	if events == nil {
		events = []nearEvent{}
	}
	return events, missing, nil
}

// shardNearEvents returns one shard's running events near point.
func shardNearEvents(ctx context.Context, db *store.DB, point geo.LatLng, now time.Time, memberID int64) ([]nearEvent, error) {
	stores, err := db.AppendNearbyListings(ctx, nil, store.NearbyQuery{Latitude: point.Lat, Longitude: point.Lng,
		RadiusMeters: nearbyEventsMeters, Limit: 200})
	if err != nil || len(stores) == 0 {
		return nil, err
	}
	ids := make([]int64, len(stores))
	byID := make(map[int64]store.NearbyListing, len(stores))
	for i, st := range stores {
		ids[i], byID[st.ID()] = st.ID(), st
	}
	running, err := db.RunningEvents(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	out := make([]nearEvent, 0, len(running))
	for _, e := range running {
		claimed, err := db.HasCoupon(ctx, memberID, e.ID)
		if err != nil {
			return nil, err
		}
		st := byID[e.StoreID]
		out = append(out, nearEvent{ID: e.ID, Name: e.Name, StoreID: st.ID(), StoreName: st.Name(), Latitude: st.Latitude, Longitude: st.Longitude,
			DistanceMeters: st.DistanceMeters, TotalCount: e.TotalCount, IssuedCount: e.IssuedCount, EndAt: couponpop.FormatTime(e.EndAt), Claimed: claimed})
	}
	return out, nil
}

// applyAreaRules stores the report as the device's last (unless the
// spoofing guard refuses it) and sends the area-entry pushes the rules
// allow: for each area the member is in, its events nearest first.
func (s *Server) applyAreaRules(ctx context.Context, memberID int64, device string, point geo.LatLng, now time.Time,
	areas []geo.Area, events []nearEvent) (store.Position, error) {
	g := s.shards.Global
	last, hasLast, err := g.LastLocation(ctx, memberID, device, locationMaxAge)
	if err != nil {
		return 0, err
	}
	report := nudge.Report{At: now, Point: point}
	var prev *nudge.Report
	if hasLast {
		prev = &nudge.Report{At: last.At, Point: geo.LatLng{Lat: last.Latitude, Lng: last.Longitude}}
	}
	if !s.areaRules.Plausible(prev, report) {
		s.metrics.locationSpoofed.Inc()
		return 0, nil
	}
	cur := store.LocationReport{Latitude: point.Lat, Longitude: point.Lng, At: now, Entered: map[string]time.Time{}}
	for _, a := range areas {
		cur.Entered[a.ID] = nudge.EnteredAt(last.Entered[a.ID], true, now)
	}
	var queue []store.OutboxPush
	var pushed []int64
	if s.pushSender != nil && len(events) > 0 {
		if queue, pushed, err = s.areaPushes(ctx, memberID, prev, report, cur, areas, events); err != nil {
			return 0, err
		}
	}
	return g.SaveLocation(ctx, memberID, device, cur, pushed, queue)
}

// areaPushes decides, with nudge.AreaRules, which events to push about,
// and builds their advertising pushes for shard 0's outbox.
func (s *Server) areaPushes(ctx context.Context, memberID int64, prev *nudge.Report, report nudge.Report, cur store.LocationReport,
	areas []geo.Area, events []nearEvent) ([]store.OutboxPush, []int64, error) {
	g := s.shards.Global
	settings, err := g.NotificationSettingsOf(ctx, memberID)
	if err != nil || !settings.Marketing {
		return nil, nil, err
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	from, to := s.areaRules.Day(report.At)
	today, pushedBefore, err := g.AreaPushState(ctx, memberID, from, to, ids)
	if err != nil {
		return nil, nil, err
	}
	member := nudge.Member{Marketing: settings.Marketing, Night: settings.Night, PushesToday: today}
	var queue []store.OutboxPush
	var pushed []int64
	for _, a := range areas {
		for _, e := range events {
			if slices.Contains(pushed, e.ID) || !s.gazetteer.Contains(a, geo.LatLng{Lat: e.Latitude, Lng: e.Longitude}) {
				continue
			}
			d := s.areaRules.Decide(nudge.AreaInput{Last: prev, Report: report, EnteredAt: cur.Entered[a.ID], Member: member,
				Event: nudge.Event{ID: e.ID, SoldOut: e.IssuedCount >= e.TotalCount, Claimed: e.Claimed, Pushed: pushedBefore[e.ID]}})
			if !d.Push {
				continue
			}
			m := push.AreaEntry(a.Name, e.StoreName, e.Name)
			m.Topic = push.Topic(memberID, e.ID)
			m.TraceID = "area-" + strconv.FormatInt(memberID, 10) + "-" + strconv.FormatInt(e.ID, 10)
			q, err := notify.OutboxPush(memberID, push.Advertise(m))
			if err != nil {
				return nil, nil, err
			}
			queue = append(queue, q)
			pushed = append(pushed, e.ID)
			member.PushesToday++
		}
	}
	return queue, pushed, nil
}
