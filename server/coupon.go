package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

func (s *Server) couponRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s))
		r.With(s.limitClaims).Post("/coupons/issue", s.handleIssueCoupon)
		r.Post("/coupons/use", s.handleUseCoupon)
		r.Get("/coupons", s.handleMyCoupons)
		r.Get("/coupons/{couponId}", s.handleGetCoupon)
		r.With(requireRole(s, couponpop.MemberOwner)).Post("/owner/stores/{storeId}/redemptions", s.handleRedeem)
		r.With(requireRole(s, couponpop.MemberAdmin)).Post("/jobs/expire-coupons", s.handleExpireCoupons)
	})
}

type issueRequest struct {
	EventID   int64    `json:"eventId"`
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
}

func (s *Server) handleIssueCoupon(w http.ResponseWriter, r *http.Request) {
	var in issueRequest
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	var p couponpop.Problems
	p.Add(!couponpop.ValidID(in.EventID), "eventId is required")
	p.Add((in.Latitude == nil) != (in.Longitude == nil), "latitude and longitude go together")
	p.Add(in.Latitude != nil && in.Longitude != nil && !couponpop.ValidLatLng(*in.Latitude, *in.Longitude),
		"latitude must be in [-90, 90] and longitude in [-180, 180]")
	p.Add(utf8.RuneCountInString(key) > 200, "Idempotency-Key must be at most 200 characters")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	db, err := s.shards.ByID(in.EventID, couponpop.Errorf(couponpop.EEventNotFound, "event %d not found", in.EventID))
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	req := store.ClaimRequest{EventID: in.EventID, MemberID: callerFrom(r.Context()).MemberID, IdempotencyKey: key}
	if in.Latitude != nil && in.Longitude != nil {
		req.HasLocation, req.Latitude, req.Longitude = true, *in.Latitude, *in.Longitude
	}
	res, err := db.Claim(r.Context(), req)
	if err != nil {
		s.metrics.countClaim(couponpop.ErrorCode(err))
		s.writeError(w, r, err)
		return
	}
	s.metrics.countClaim("ok")
	setPosition(w, db.Shard(), res.Position)
	w.Header().Set("Location", "/api/v1/coupons/"+strconv.FormatInt(res.CouponID, 10))
	w.WriteHeader(http.StatusNoContent)
}

type qrCodeResponse struct {
	URL     string `json:"url"`
	Message string `json:"message"`
	Code    string `json:"code"`
	// ExpiresAt is when the code stops working.
	ExpiresAt couponpop.Time `json:"expiresAt"`
}

type couponEvent struct {
	ID     int64        `json:"id"`
	Name   string       `json:"name"`
	Period couponPeriod `json:"period"`
}

type couponPeriod struct {
	StartAt couponpop.Time `json:"startAt"`
	EndAt   couponpop.Time `json:"endAt"`
}

type couponStore struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	StoreCategory string  `json:"storeCategory"`
	Latitude      float64 `json:"latitude"`
	Longitude     float64 `json:"longitude"`
	ImageURL      string  `json:"imageUrl"`
}

type couponResponse struct {
	ID       int64           `json:"id"`
	Status   string          `json:"status"`
	IssuedAt couponpop.Time  `json:"issuedAt"`
	ExpireAt couponpop.Time  `json:"expireAt"`
	UsedAt   couponpop.Time  `json:"usedAt"`
	QRCode   *qrCodeResponse `json:"qrCode,omitempty"`
	Event    couponEvent     `json:"event"`
	Store    couponStore     `json:"store"`
}

// couponView builds a coupon's response with its event and store.
func (s *Server) couponView(ctx context.Context, db *store.DB, c *couponpop.Coupon) (couponResponse, error) {
	e, err := db.EventByID(ctx, c.EventID)
	if err != nil {
		return couponResponse{}, err
	}
	st, err := db.StoreByID(ctx, c.StoreID)
	if err != nil && couponpop.ErrorCode(err) != couponpop.EStoreNotFound {
		return couponResponse{}, err
	}
	out := couponResponse{ID: c.ID, Status: c.Status, IssuedAt: couponpop.Time{Time: c.IssuedAt},
		ExpireAt: couponpop.Time{Time: c.ExpireAt}, UsedAt: couponpop.Time{Time: c.UsedAt},
		Event: couponEvent{e.ID, e.Name, couponPeriod{couponpop.Time{Time: e.StartAt}, couponpop.Time{Time: e.EndAt}}}}
	if st != nil {
		out.Store = couponStore{st.ID, st.Name, st.StoreCategory, st.Latitude, st.Longitude, st.ImageURL}
	}
	return out, nil
}

func (s *Server) handleGetCoupon(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(chi.URLParam(r, "couponId"), "couponId")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	db, err := s.shards.ByID(id, couponpop.Errorf(couponpop.ECouponNotFound, "coupon %d not found", id))
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	c, err := db.CouponByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if c.MemberID != callerFrom(r.Context()).MemberID {
		s.writeError(w, r, couponpop.Errorf(couponpop.ECouponAccessDenied, "coupon %d is not yours", id))
		return
	}
	out, err := s.couponView(r.Context(), db, c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if now := s.now(); c.Status == couponpop.CouponIssued && now.Before(c.ExpireAt) {
		code, exp := s.qr.issue(c.ID, now)
		out.QRCode = &qrCodeResponse{URL: qrURLPrefix + code,
			Message: qrMessage(r), Code: code,
			ExpiresAt: couponpop.Time{Time: exp}}
	}
	writeData(w, http.StatusOK, out)
}

type couponCursor struct {
	LastEventEndAt couponpop.Time `json:"lastEventEndAt"`
	LastCouponID   int64          `json:"lastCouponId"`
}

type couponPage struct {
	Coupons    []couponResponse `json:"coupons"`
	NextCursor *couponCursor    `json:"nextCursor"`
	Size       int              `json:"size"`
	HasNext    bool             `json:"hasNext"`
}

func (s *Server) handleMyCoupons(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	status := q.str("type")
	if status == "" {
		status = couponpop.CouponIssued
	}
	q.p.Add(!couponpop.ValidCouponStatus(status), "type must be ISSUED, USED, EXPIRED or CANCELED")
	size := q.int("size", 10, 1, 100)
	var after *store.CouponCursor
	if end, id := q.str("lastEventEndAt"), q.id("lastCouponId"); end != "" || id != 0 {
		t, err := couponpop.ParseTime(end)
		q.p.Add(err != nil || id == 0, "lastEventEndAt and lastCouponId go together: a time like 2025-10-25T12:00:00 and an ID")
		after = &store.CouponCursor{EventEndAt: t, CouponID: id}
	}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	me := callerFrom(r.Context()).MemberID
	var remoteHasMore atomic.Bool
	all, missing, err := gather(s, r, s.shardNumbers(), func(ctx context.Context, db *store.DB) ([]couponResponse, error) {
		cs, err := db.CouponsByMember(ctx, me, status, after, size+1)
		if err != nil {
			return nil, err
		}
		views := make([]couponResponse, len(cs))
		for i, c := range cs {
			if views[i], err = s.couponView(ctx, db, c); err != nil {
				return nil, err
			}
		}
		return views, nil
	}, func(data json.RawMessage) ([]couponResponse, error) {
		var p couponPage
		err := json.Unmarshal(data, &p)
		if p.HasNext {
			remoteHasMore.Store(true) // a remote page holds size; more follow there
		}
		return p.Coupons, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sign := 1
	if status != couponpop.CouponIssued {
		sign = -1
	}
	slices.SortFunc(all, func(a, b couponResponse) int {
		return sign * cmp.Or(a.Event.Period.EndAt.Compare(b.Event.Period.EndAt.Time), cmp.Compare(a.ID, b.ID))
	})
	page := couponPage{Size: size, Coupons: all, HasNext: remoteHasMore.Load()}
	if len(all) > size {
		page.Coupons, page.HasNext = all[:size], true
	}
	if page.HasNext {
		last := page.Coupons[len(page.Coupons)-1]
		page.NextCursor = &couponCursor{last.Event.Period.EndAt, last.ID}
	}
	if page.Coupons == nil {
		page.Coupons = []couponResponse{}
	}
	writeGathered(w, page, missing)
}

type useRequest struct {
	QRCode   string `json:"qrCode"`
	CouponID int64  `json:"couponId"`
	StoreID  int64  `json:"storeId"`
}

func (s *Server) handleUseCoupon(w http.ResponseWriter, r *http.Request) {
	var in useRequest
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	var p couponpop.Problems
	p.Add(in.QRCode == "", "qrCode is required")
	p.Add(!couponpop.ValidID(in.CouponID), "couponId is required")
	p.Add(!couponpop.ValidID(in.StoreID), "storeId is required")
	if err := p.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	couponID, nonce, err := s.qr.verify(in.QRCode, s.now())
	if err == nil && couponID != in.CouponID {
		err = couponpop.Errorf(couponpop.ECouponInvalidTempCode, "the code is for another coupon")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	db, err := s.shards.ByID(couponID, couponpop.Errorf(couponpop.ECouponNotFound, "coupon %d not found", couponID))
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	_, pos, err := db.UseCoupon(r.Context(), store.Use{CouponID: couponID, StoreID: in.StoreID,
		HolderID: callerFrom(r.Context()).MemberID, Nonce: nonce})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	w.WriteHeader(http.StatusNoContent)
}

type redemption struct {
	CouponID       int64  `json:"couponId"`
	EventName      string `json:"eventName"`
	MemberUsername string `json:"memberUsername"`
}

// handleRedeem lets a store owner scan a customer's code.
func (s *Server) handleRedeem(w http.ResponseWriter, r *http.Request) {
	st, db, err := s.ownStoreFromPath(r, couponpop.EStoreAccessPermissionDenied)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	var in struct {
		QRCode string `json:"qrCode"`
	}
	if err := decode(r, &in, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	couponID, nonce, err := s.qr.verify(in.QRCode, s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if couponpop.ShardOfID(couponID) != db.Shard() {
		s.writeError(w, r, couponpop.Errorf(couponpop.EStoreNotMatchedWithCoupon, "coupon %d is not for store %d", couponID, st.ID))
		return
	}
	c, pos, err := db.UseCoupon(r.Context(), store.Use{CouponID: couponID, StoreID: st.ID, Nonce: nonce})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	out := redemption{CouponID: c.ID}
	if e, err := db.EventByID(r.Context(), c.EventID); err == nil {
		out.EventName = e.Name
	}
	if m, err := s.shards.Global.MemberByID(r.Context(), c.MemberID); err == nil {
		out.MemberUsername = m.Username
	}
	writeData(w, http.StatusOK, out)
}

// handleExpireCoupons runs the expiry job (Expire) on every shard this
// node writes (jobs run on primaries only).
func (s *Server) handleExpireCoupons(w http.ResponseWriter, r *http.Request) {
	out, err := s.Expire(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeData(w, http.StatusOK, out)
}

// writableShards returns the held district shards this node writes.
func (s *Server) writableShards() []*store.DB {
	var out []*store.DB
	for _, db := range s.shards.districtShards() {
		if s.roles == nil {
			out = append(out, db)
		} else if local, _ := s.roles.Writer(db.Shard()); local {
			out = append(out, db)
		}
	}
	return out
}
