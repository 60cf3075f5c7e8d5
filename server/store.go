package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

// Nearby limits from the API: radius in km.
const (
	defaultRadiusKm = 5.0
	maxRadiusKm     = 20.0
	defaultLimit    = 100
	maxLimit        = 500
)

func (s *Server) storeRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s))
		r.Get("/stores", s.handleNearbyStores)
		r.Get("/stores/{storeId}", s.handleGetStore)
		r.Route("/owner/stores", func(r chi.Router) {
			r.Use(requireRole(s, couponpop.MemberOwner))
			r.Get("/", s.handleMyStores)
			r.Post("/", s.handleCreateStore)
			r.Get("/{storeId}", s.handleGetOwnStore)
			r.Put("/{storeId}", s.handleUpdateStore)
			r.Delete("/{storeId}", s.handleDeleteStore)
			r.Get("/{storeId}/dashboard", s.handleDashboard)
			r.Get("/{storeId}/live", s.handleLive)
		})
	})
}

// storeResponse is the API's StoreResponse.
type storeResponse struct {
	ID             int64  `json:"id"`
	MemberID       int64  `json:"memberId"`
	MemberUsername string `json:"memberUsername"`
	couponpop.StoreInput
	CreatedAt couponpop.Time `json:"createdAt"`
	UpdatedAt couponpop.Time `json:"updatedAt"`
}

func newStoreResponse(st *couponpop.Store) storeResponse {
	return storeResponse{st.ID, st.MemberID, st.MemberUsername, st.StoreInput,
		couponpop.Time{Time: st.CreatedAt}, couponpop.Time{Time: st.UpdatedAt}}
}

func (s *Server) handleNearbyStores(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	lat, lng := q.requiredFloat("lat"), q.requiredFloat("lng")
	radiusKm := q.float("radius", defaultRadiusKm)
	category := q.str("category")
	limit := q.int("limit", defaultLimit, 1, maxLimit)
	openNow := q.bool("openNow")
	withEvents := q.bool("withEvents")
	q.p.Add(!couponpop.ValidLatLng(lat, lng), "lat must be in [-90, 90] and lng in [-180, 180]")
	q.p.Add(!(radiusKm > 0 && radiusKm <= maxRadiusKm), "radius must be more than 0 and at most %g km", maxRadiusKm)
	q.p.Add(category != "" && !couponpop.ValidCategory(category), "category must be CAFE, FOOD or CONVENIENCE")
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	nq := store.NearbyQuery{Latitude: lat, Longitude: lng, RadiusMeters: radiusKm * 1000, Category: category, Limit: limit}
	if openNow {
		nq.OpenAt = s.now()
	}
	nq.WithEvents = withEvents
	now := s.now()
	out, missing, err := gather(s, r, s.shards.Map.ShardsTouching(lat, lng, nq.RadiusMeters),
		func(ctx context.Context, db *store.DB) ([]nearbyRow, error) { return nearbyRows(ctx, db, nq, now) },
		unwrapNearbyRows)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	slices.SortFunc(out, func(a, b nearbyRow) int {
		return cmp.Or(cmp.Compare(a.DistanceMeters, b.DistanceMeters), cmp.Compare(a.ID, b.ID))
	})
	writeNearby(w, out[:min(len(out), limit)], missing)
}

// storeDetail is the StoreDetail members read at /stores/{storeId}: v2's
// fields (imageUrl, name, description, storeCategory, address, dong, the
// opening hours) and ours (id, latitude, longitude, phone). Never the
// owner's identity or business number: those are in the owner's own
// StoreResponse at /owner/stores/{storeId}.
type storeDetail struct {
	ID               int64   `json:"id"`
	ImageURL         string  `json:"imageUrl"`
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	StoreCategory    string  `json:"storeCategory"`
	Address          string  `json:"address"`
	Dong             string  `json:"dong"`
	WeekdayOpenTime  string  `json:"weekdayOpenTime"`
	WeekdayCloseTime string  `json:"weekdayCloseTime"`
	WeekendOpenTime  string  `json:"weekendOpenTime"`
	WeekendCloseTime string  `json:"weekendCloseTime"`
	Latitude         float64 `json:"latitude"`
	Longitude        float64 `json:"longitude"`
	Phone            string  `json:"phone"`
}

func newStoreDetail(st *couponpop.Store) storeDetail {
	return storeDetail{ID: st.ID, ImageURL: st.ImageURL, Name: st.Name, Description: st.Description,
		StoreCategory: st.StoreCategory, Address: st.Address, Dong: st.Dong,
		WeekdayOpenTime: st.WeekdayOpenTime, WeekdayCloseTime: st.WeekdayCloseTime,
		WeekendOpenTime: st.WeekendOpenTime, WeekendCloseTime: st.WeekendCloseTime,
		Latitude: st.Latitude, Longitude: st.Longitude, Phone: st.Phone}
}

func (s *Server) handleGetStore(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.storeFromPath(r)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	writeData(w, http.StatusOK, newStoreDetail(st))
}

// storeFromPath loads the store named by {storeId}.
func (s *Server) storeFromPath(r *http.Request) (*couponpop.Store, *store.DB, error) {
	id, err := pathID(chi.URLParam(r, "storeId"), "storeId")
	if err != nil {
		return nil, nil, err
	}
	db, err := s.shards.ByID(id, couponpop.Errorf(couponpop.EStoreNotFound, "store %d not found", id))
	if err != nil {
		return nil, nil, err
	}
	st, err := db.StoreByID(r.Context(), id)
	return st, db, err
}

// ownStoreFromPath loads {storeId} and checks the caller owns it; denied is
// the code for someone else's store.
func (s *Server) ownStoreFromPath(r *http.Request, denied string) (*couponpop.Store, *store.DB, error) {
	st, db, err := s.storeFromPath(r)
	if err != nil {
		return nil, nil, err
	}
	if st.MemberID != callerFrom(r.Context()).MemberID {
		return nil, nil, couponpop.Errorf(denied, "store %d belongs to another owner", st.ID)
	}
	return st, db, nil
}

func (s *Server) handleMyStores(w http.ResponseWriter, r *http.Request) {
	me := callerFrom(r.Context()).MemberID
	out, missing, err := gather(s, r, s.shardNumbers(), func(ctx context.Context, db *store.DB) ([]storeResponse, error) {
		stores, err := db.StoresByMember(ctx, me)
		rows := make([]storeResponse, len(stores))
		for i, st := range stores {
			rows[i] = newStoreResponse(st)
		}
		return rows, err
	}, unwrapList[storeResponse])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	slices.SortFunc(out, func(a, b storeResponse) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt.Time), cmp.Compare(b.ID, a.ID))
	})
	if out == nil {
		out = []storeResponse{}
	}
	writeGathered(w, out, missing)
}

func (s *Server) handleCreateStore(w http.ResponseWriter, r *http.Request) {
	var in couponpop.StoreInput
	if err := decodeValid(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	db, district, err := s.shards.At(in.Latitude, in.Longitude)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	c := callerFrom(r.Context())
	st := &couponpop.Store{MemberID: c.MemberID, MemberUsername: c.Username, StoreInput: in}
	pos, err := db.CreateStore(r.Context(), st, district.Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	writeData(w, http.StatusCreated, newStoreResponse(st))
}

func (s *Server) handleGetOwnStore(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.ownStoreFromPath(r, couponpop.EStoreAccessPermissionDenied)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	writeData(w, http.StatusOK, newStoreResponse(st))
}

func (s *Server) handleUpdateStore(w http.ResponseWriter, r *http.Request) {
	st, db, err := s.ownStoreFromPath(r, couponpop.EStoreUpdatePermissionDenied)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	var in couponpop.StoreInput
	if err := decodeValid(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	target, district, err := s.shards.At(in.Latitude, in.Longitude)
	var elsewhere *heldElsewhere
	if err != nil && !errors.As(err, &elsewhere) {
		s.writeError(w, r, err)
		return
	}
	if target != db {
		// Another shard, held here or (elsewhere != nil) on other nodes.
		s.writeError(w, r, couponpop.Errorf(couponpop.EINVALID,
			"a store cannot move to %s, another region's shard; create a new store there", district.Name))
		return
	}
	st.StoreInput = in
	pos, err := db.UpdateStore(r.Context(), st, district.Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	writeData(w, http.StatusOK, newStoreResponse(st))
}

func (s *Server) handleDeleteStore(w http.ResponseWriter, r *http.Request) {
	st, db, err := s.ownStoreFromPath(r, couponpop.EStoreDeletePermissionDenied)
	if couponpop.ErrorCode(err) == couponpop.EStoreNotFound {
		err = s.deletedStoreError(r, err)
	}
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	if !s.writesHere(w, r, db.Shard()) {
		return
	}
	pos, err := db.DeleteStore(r.Context(), st.ID)
	if couponpop.ErrorCode(err) == couponpop.EStoreNotFound {
		// Deleted since we read it (by the owner: nobody else may).
		err = couponpop.Errorf(couponpop.EStoreAlreadyDeleted, "store %d is already deleted", st.ID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setPosition(w, db.Shard(), pos)
	w.WriteHeader(http.StatusNoContent)
}

// deletedStoreError tells a delete of a store that is not found apart from
// one of a store already deleted, as v2 did: STORE_ALREADY_DELETED for the
// owner, STORE_DELETE_PERMISSION_DENIED for anyone else. notFound is
// returned when no store ever had the id.
func (s *Server) deletedStoreError(r *http.Request, notFound error) error {
	id, err := pathID(chi.URLParam(r, "storeId"), "storeId")
	if err != nil {
		return notFound
	}
	db, err := s.shards.ByID(id, couponpop.Errorf(couponpop.EStoreNotFound, "store %d not found", id))
	if err != nil {
		return err
	}
	owner, err := db.DeletedStoreOwner(r.Context(), id)
	switch {
	case err != nil:
		return err
	case owner != callerFrom(r.Context()).MemberID:
		return couponpop.Errorf(couponpop.EStoreDeletePermissionDenied, "store %d belongs to another owner", id)
	default:
		return couponpop.Errorf(couponpop.EStoreAlreadyDeleted, "store %d is already deleted", id)
	}
}
