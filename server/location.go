package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
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

type nearEventJSON struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	StoreID        int64   `json:"storeId"`
	StoreName      string  `json:"storeName"`
	DistanceMeters float64 `json:"distanceMeters"`
	TotalCount     int     `json:"totalCount"`
	IssuedCount    int     `json:"issuedCount"`
	EndAt          string  `json:"endAt"`
}

// nearEvent is a running event near the report, with its store.
type nearEvent struct {
	event *couponpop.Event
	store *couponpop.Store
	json  nearEventJSON
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
	events, err := s.nearEvents(ctx, point, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Areas  []areaJSON      `json:"areas"`
		Events []nearEventJSON `json:"events"`
	}{Areas: []areaJSON{}, Events: []nearEventJSON{}}
	for _, a := range areas {
		out.Areas = append(out.Areas, areaJSON{a.ID, a.Name})
	}
	for _, e := range events {
		out.Events = append(out.Events, e.json)
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

// nearEvents returns the running events of stores near point, nearest
// first, from the point's shard when this node holds it (none otherwise).
func (s *Server) nearEvents(ctx context.Context, point geo.LatLng, now time.Time) ([]nearEvent, error) {
	shard, _, ok := s.shards.Map.ShardAt(point.Lat, point.Lng)
	db := s.shards.District[shard]
	if !ok || db == nil {
		return nil, nil
	}
	stores, err := db.Nearby(ctx, store.NearbyQuery{Latitude: point.Lat, Longitude: point.Lng, RadiusMeters: nearbyEventsMeters, Limit: 200})
	if err != nil || len(stores) == 0 {
		return nil, err
	}
	ids := make([]int64, len(stores))
	byID := map[int64]store.NearbyStore{}
	for i, st := range stores {
		ids[i], byID[st.ID] = st.ID, st
	}
	running, err := db.RunningEvents(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	var out []nearEvent
	for _, e := range running {
		st := byID[e.StoreID]
		out = append(out, nearEvent{event: e, store: st.Store, json: nearEventJSON{ID: e.ID, Name: e.Name, StoreID: st.ID,
			StoreName: st.Name, DistanceMeters: st.DistanceMeters, TotalCount: e.TotalCount, IssuedCount: e.IssuedCount,
			EndAt: couponpop.FormatTime(e.EndAt)}})
	}
	slices.SortStableFunc(out, func(a, b nearEvent) int {
		switch {
		case a.json.DistanceMeters < b.json.DistanceMeters:
			return -1
		case a.json.DistanceMeters > b.json.DistanceMeters:
			return 1
		}
		return 0
	})
	if len(out) > nearbyEventsMax {
		out = out[:nearbyEventsMax]
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
	var toSend []push.Message
	var pushed []int64
	if s.pushSender != nil && len(events) > 0 {
		if toSend, pushed, err = s.areaPushes(ctx, memberID, prev, report, cur, areas, events); err != nil {
			return 0, err
		}
	}
	pos, err := g.SaveLocation(ctx, memberID, device, cur, pushed)
	if err != nil {
		return 0, err
	}
	if len(toSend) > 0 {
		s.sendAdvertising(memberID, toSend)
	}
	return pos, nil
}

// areaPushes decides, with nudge.AreaRules, which events to push about.
func (s *Server) areaPushes(ctx context.Context, memberID int64, prev *nudge.Report, report nudge.Report, cur store.LocationReport,
	areas []geo.Area, events []nearEvent) ([]push.Message, []int64, error) {
	g := s.shards.Global
	settings, err := g.NotificationSettingsOf(ctx, memberID)
	if err != nil || !settings.Marketing {
		return nil, nil, err
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.event.ID
	}
	from, to := s.areaRules.Day(report.At)
	today, pushedBefore, err := g.AreaPushState(ctx, memberID, from, to, ids)
	if err != nil {
		return nil, nil, err
	}
	member := nudge.Member{Marketing: settings.Marketing, Night: settings.Night, PushesToday: today}
	var msgs []push.Message
	var pushed []int64
	for _, a := range areas {
		for _, e := range events {
			if slices.Contains(pushed, e.event.ID) || !s.gazetteer.Contains(a, geo.LatLng{Lat: e.store.Latitude, Lng: e.store.Longitude}) {
				continue
			}
			db := s.shards.District[couponpop.ShardOfID(e.event.ID)]
			claimed, err := db.HasCoupon(ctx, memberID, e.event.ID)
			if err != nil {
				return nil, nil, err
			}
			d := s.areaRules.Decide(nudge.AreaInput{Last: prev, Report: report, EnteredAt: cur.Entered[a.ID], Member: member,
				Event: nudge.Event{ID: e.event.ID, SoldOut: e.event.IssuedCount >= e.event.TotalCount, Claimed: claimed, Pushed: pushedBefore[e.event.ID]}})
			if !d.Push {
				continue
			}
			m := push.AreaEntry(a.Name, e.store.Name, e.event.Name)
			m.Topic = push.Topic(memberID, e.event.ID)
			m.TraceID = "area-" + strconv.FormatInt(memberID, 10) + "-" + strconv.FormatInt(e.event.ID, 10)
			msgs = append(msgs, m)
			pushed = append(pushed, e.event.ID)
			member.PushesToday++
		}
	}
	return msgs, pushed, nil
}

// sendAdvertising sends msgs to every subscription of the member, after
// the request (the pushes are already recorded: at most once).
func (s *Server) sendAdvertising(memberID int64, msgs []push.Message) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		subs, err := s.shards.Global.PushSubscriptions(ctx, memberID)
		if err != nil {
			s.log.Warn("area push: subscriptions", "err", err)
			return
		}
		for _, m := range msgs {
			m = push.Advertise(m)
			for _, sub := range subs {
				res := s.pushSender.Send(ctx, push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, m)
				s.metrics.pushSent.WithLabelValues(outcomeLabel(res.Outcome)).Inc()
				if res.Outcome == push.Gone {
					_ = s.shards.Global.DeleteGoneSubscription(ctx, sub.Endpoint)
				}
			}
		}
	}()
}

// outcomeLabel names an outcome as the dispatcher's history does.
func outcomeLabel(o push.Outcome) string {
	switch o {
	case push.Delivered:
		return store.PushDelivered
	case push.Gone:
		return store.PushGone
	case push.RetryLater:
		return store.PushRetry
	}
	return store.PushFailed
}
