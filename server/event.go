package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

func (s *Server) eventRoutes(r chi.Router) {
	r.Route("/owner/coupons/events", func(r chi.Router) {
		r.Use(requireMember(s), requireRole(s, couponpop.MemberOwner))
		r.Post("/", s.handleCreateEvent)
		r.Get("/", s.handleListEvents)
		r.Get("/statistics", s.handleEventStatistics)
		r.Get("/{eventId}", s.handleGetEvent)
		r.Patch("/{eventId}", s.handlePatchEvent)
	})
}

type eventCreated struct {
	EventID           int64          `json:"eventId"`
	StoreID           int64          `json:"storeId"`
	Name              string         `json:"name"`
	EventStartAt      couponpop.Time `json:"eventStartAt"`
	EventEndAt        couponpop.Time `json:"eventEndAt"`
	TotalCount        int            `json:"totalCount"`
	ClaimRadiusMeters *float64       `json:"claimRadiusMeters,omitempty"`
	CouponValidHours  *int           `json:"couponValidHours,omitempty"`
	CreatedAt         couponpop.Time `json:"createdAt"`
}

type period struct {
	Start couponpop.Time `json:"start"`
	End   couponpop.Time `json:"end"`
}

type eventSummary struct {
	Total     int `json:"total"`
	Unclaimed int `json:"unclaimed"`
	Issued    int `json:"issued"`
	Used      int `json:"used"`
	Unused    int `json:"unused"`
}

// eventResponse is the owner's view of an event.
type eventResponse struct {
	ID                int64          `json:"id"`
	StoreID           int64          `json:"storeId"`
	EventName         string         `json:"eventName"`
	EventPeriod       period         `json:"eventPeriod"`
	Summary           eventSummary   `json:"summary"`
	Status            string         `json:"status"`
	Phase             string         `json:"phase"`
	ClaimRadiusMeters float64        `json:"claimRadiusMeters,omitempty"`
	CouponValidHours  int            `json:"couponValidHours,omitempty"`
	CreatedAt         couponpop.Time `json:"createdAt"`
	UpdatedAt         couponpop.Time `json:"updatedAt"`
}

func newEventResponse(e *couponpop.Event, now time.Time) eventResponse {
	return eventResponse{
		ID: e.ID, StoreID: e.StoreID, EventName: e.Name,
		EventPeriod: period{couponpop.Time{Time: e.StartAt}, couponpop.Time{Time: e.EndAt}},
		Summary: eventSummary{Total: e.TotalCount, Unclaimed: e.Remaining(), Issued: e.IssuedCount,
			Used: e.UsedCount, Unused: e.IssuedCount - e.UsedCount},
		Status: e.Status, Phase: e.Phase(now), ClaimRadiusMeters: e.ClaimRadiusMeters, CouponValidHours: e.CouponValidHours,
		CreatedAt: couponpop.Time{Time: e.CreatedAt}, UpdatedAt: couponpop.Time{Time: e.UpdatedAt},
	}
}

// storeEvent is a running event shown with a nearby store.
type storeEvent struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	EventStartAt couponpop.Time `json:"eventStartAt"`
	EventEndAt   couponpop.Time `json:"eventEndAt"`
	TotalCount   int            `json:"totalCount"`
	Remaining    int            `json:"remaining"`
}

func (s *Server) handleCreateEvent(w http.ResponseWriter, r *http.Request) {
	var in couponpop.EventInput
	if err := decodeValid(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := in.CheckNotOver(s.now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	db, err := s.shards.ByID(in.StoreID, couponpop.Errorf(couponpop.EStoreNotFound, "store %d not found", in.StoreID))
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	st, err := db.StoreByID(r.Context(), in.StoreID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me := callerFrom(r.Context()).MemberID
	if st.MemberID != me {
		s.writeError(w, r, couponpop.Errorf(couponpop.EStoreAccessPermissionDenied, "store %d belongs to another owner", st.ID))
		return
	}
	e := &couponpop.Event{StoreID: st.ID, MemberID: me, Name: in.Name, StartAt: in.EventStartAt.Time, EndAt: in.EventEndAt.Time,
		TotalCount: in.TotalCount}
	if in.ClaimRadiusMeters != nil {
		e.ClaimRadiusMeters = *in.ClaimRadiusMeters
	}
	if in.CouponValidHours != nil {
		e.CouponValidHours = *in.CouponValidHours
	}
	pos, err := db.CreateEvent(r.Context(), e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	writeData(w, http.StatusCreated, eventCreated{e.ID, e.StoreID, e.Name, couponpop.Time{Time: e.StartAt}, couponpop.Time{Time: e.EndAt},
		e.TotalCount, in.ClaimRadiusMeters, in.CouponValidHours, couponpop.Time{Time: e.CreatedAt}})
}

// ownEventFromPath loads {eventId} and checks the caller created it.
func (s *Server) ownEventFromPath(r *http.Request) (*couponpop.Event, *store.DB, error) {
	id, err := pathID(chi.URLParam(r, "eventId"), "eventId")
	if err != nil {
		return nil, nil, err
	}
	db, err := s.shards.ByID(id, couponpop.Errorf(couponpop.EEventNotFound, "event %d not found", id))
	if err != nil {
		return nil, nil, err
	}
	e, err := db.EventByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if e.MemberID != callerFrom(r.Context()).MemberID {
		return nil, nil, couponpop.Errorf(couponpop.EEventOwnerMismatch, "event %d belongs to another owner", id)
	}
	return e, db, nil
}

func (s *Server) handleGetEvent(w http.ResponseWriter, r *http.Request) {
	e, _, err := s.ownEventFromPath(r)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	writeData(w, http.StatusOK, newEventResponse(e, s.now()))
}

func (s *Server) handlePatchEvent(w http.ResponseWriter, r *http.Request) {
	e, db, err := s.ownEventFromPath(r)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	var p couponpop.EventPatch
	if err := decodeValid(r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, pos, err := db.PatchEvent(r.Context(), e.ID, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	writeData(w, http.StatusOK, newEventResponse(e, s.now()))
}

type eventCursor struct {
	LastStartAt couponpop.Time `json:"lastStartAt"`
	LastEndAt   couponpop.Time `json:"lastEndAt"`
	LastEventID int64          `json:"lastEventId"`
}

type eventPage struct {
	StoreID    int64           `json:"storeId"`
	Events     []eventResponse `json:"events"`
	NextCursor *eventCursor    `json:"nextCursor"`
	Size       int             `json:"size"`
	HasNext    bool            `json:"hasNext"`
}

func (s *Server) handleListEvents(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	storeID := q.id("storeId")
	q.p.Add(storeID == 0, "storeId is required")
	phase := cmp.Or(q.str("status"), couponpop.PhaseInProgress) // v2's default
	q.p.Add(phase != "" && phase != couponpop.PhaseScheduled && phase != couponpop.PhaseInProgress && phase != couponpop.PhaseCompleted,
		"status must be SCHEDULED, IN_PROGRESS or COMPLETED")
	size := q.int("size", 10, 1, 100)
	after := q.eventCursor()
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	db, err := s.shards.ByID(storeID, couponpop.Errorf(couponpop.EStoreNotFound, "store %d not found", storeID))
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	st, err := db.StoreByID(r.Context(), storeID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if st.MemberID != callerFrom(r.Context()).MemberID {
		s.writeError(w, r, couponpop.Errorf(couponpop.EStoreOwnerMismatch, "store %d belongs to another owner", st.ID))
		return
	}
	now := s.now()
	events, err := db.EventsByStore(r.Context(), storeID, phase, now, after, size+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := eventPage{StoreID: storeID, Size: size, Events: []eventResponse{}}
	if len(events) > size {
		events, page.HasNext = events[:size], true
		last := events[size-1]
		page.NextCursor = &eventCursor{couponpop.Time{Time: last.StartAt}, couponpop.Time{Time: last.EndAt}, last.ID}
	}
	for _, e := range events {
		page.Events = append(page.Events, newEventResponse(e, now))
	}
	writeData(w, http.StatusOK, page)
}

// eventCursor reads lastStartAt, lastEndAt and lastEventId: all or none.
func (q *query) eventCursor() *store.EventCursor {
	start, end, id := q.str("lastStartAt"), q.str("lastEndAt"), q.id("lastEventId")
	if start == "" && end == "" && id == 0 {
		return nil
	}
	st, err1 := couponpop.ParseTime(start)
	en, err2 := couponpop.ParseTime(end)
	if err1 != nil || err2 != nil || id == 0 {
		q.p.Add(true, "lastStartAt, lastEndAt and lastEventId go together: two times like 2025-10-25T12:00:00 and an ID")
		return nil
	}
	return &store.EventCursor{StartAt: st, EndAt: en, EventID: id}
}

type storeStatistics struct {
	StoreID        int64          `json:"storeId"`
	StoreName      string         `json:"storeName"`
	CouponStats    couponStats    `json:"couponStats"`
	LastEventEndAt couponpop.Time `json:"lastEventEndAt"`
}

type couponStats struct {
	Total     int `json:"total"`
	Unclaimed int `json:"unclaimed"`
	Used      int `json:"used"`
	Unused    int `json:"unused"`
}

type statisticsCursor struct {
	LastStoreID int64 `json:"lastStoreId"`
}

type statisticsPage struct {
	Statistics []storeStatistics `json:"statistics"`
	NextCursor *statisticsCursor `json:"nextCursor"`
	Size       int               `json:"size"`
	HasNext    bool              `json:"hasNext"`
}

// handleEventStatistics pages the owner's stores by ID, descending as v2
// did, with their coupon totals. Each shard answers its own stores below
// lastStoreId (at most size+1, held or from a node of the shard); IDs carry
// the shard, so the merged ID order is one keyset across shards.
func (s *Server) handleEventStatistics(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	lastStoreID := q.id("lastStoreId")
	size := q.int("size", 10, 1, 100)
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	me := callerFrom(r.Context()).MemberID
	var remoteHasMore atomic.Bool
	all, missing, err := gather(s, r, s.shardNumbers(), func(ctx context.Context, db *store.DB) ([]storeStatistics, error) {
		return s.shardStatistics(ctx, db, me, lastStoreID, size+1)
	}, func(data json.RawMessage) ([]storeStatistics, error) {
		var p statisticsPage
		err := json.Unmarshal(data, &p)
		if p.HasNext {
			remoteHasMore.Store(true) // a remote page holds size; more follow there
		}
		return p.Statistics, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	slices.SortFunc(all, func(a, b storeStatistics) int { return cmp.Compare(b.StoreID, a.StoreID) })
	page := statisticsPage{Size: size, Statistics: all, HasNext: remoteHasMore.Load()}
	if len(all) > size {
		page.Statistics, page.HasNext = all[:size], true
	}
	if page.HasNext {
		page.NextCursor = &statisticsCursor{page.Statistics[len(page.Statistics)-1].StoreID}
	}
	if page.Statistics == nil {
		page.Statistics = []storeStatistics{}
	}
	writeGathered(w, page, missing)
}

// shardStatistics returns the statistics of the owner's stores in db with
// IDs below lastStoreID (any when 0), at most limit, in descending ID order.
func (s *Server) shardStatistics(ctx context.Context, db *store.DB, ownerID, lastStoreID int64, limit int) ([]storeStatistics, error) {
	stores, err := db.StoresByMember(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	stores = slices.DeleteFunc(stores, func(st *couponpop.Store) bool { return lastStoreID != 0 && st.ID >= lastStoreID })
	slices.SortFunc(stores, func(a, b *couponpop.Store) int { return cmp.Compare(b.ID, a.ID) })
	stores = stores[:min(len(stores), limit)]
	ids := make([]int64, len(stores))
	for i, st := range stores {
		ids[i] = st.ID
	}
	stats, err := db.StoreStats(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]storeStatistics, len(stores))
	for i, st := range stores {
		cs := stats[st.ID]
		out[i] = storeStatistics{st.ID, st.Name, couponStats{cs.Total, cs.Unclaimed, cs.Used, cs.Unused},
			couponpop.Time{Time: cs.LastEventEndAt}}
	}
	return out, nil
}
