package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// TestMoveDistrict moves 마포구 from shard 1 to shard 3: its stores,
// events, coupons and history arrive under shard 3's IDs with their
// references translated, the keyword index follows, 중구 stays behind, and
// a second move is refused.
func TestMoveDistrict(t *testing.T) {
	ctx := context.Background()
	src, dst := openShard(t, 1), openShard(t, 3)

	const owner, member = 11, 22
	mapo := newStore(owner, "망원 커피 한잔", 37.5556, 126.9106)
	jung := newStore(owner, "명동 분식", 37.5636, 126.9830)
	gone := newStore(owner, "폐업 카페", 37.5560, 126.9110)
	if _, err := src.CreateStores(ctx, []*couponpop.Store{mapo, jung, gone}, []string{"마포구", "중구", "마포구"}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.DeleteStore(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	// Stores already in shard 3 keep their IDs; the moved ones follow them.
	other := newStore(owner, "여의도 라멘", 37.5219, 126.9245)
	if _, err := dst.CreateStore(ctx, other, "영등포구"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	newEvent := func(st *couponpop.Store, total int) *couponpop.Event {
		e := &couponpop.Event{StoreID: st.ID, MemberID: owner, Name: "무료 " + st.Name, StartAt: now.Add(-time.Minute),
			EndAt: now.Add(time.Hour), TotalCount: total}
		if _, err := src.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	mapoEvent, jungEvent := newEvent(mapo, 10), newEvent(jung, 5)
	claim := func(e *couponpop.Event, m int64, key string) int64 {
		res, err := src.Claim(ctx, store.ClaimRequest{EventID: e.ID, MemberID: m, IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return res.CouponID
	}
	oldCoupon := claim(mapoEvent, member, "key-1")
	claim(mapoEvent, member+1, "")
	jungCoupon := claim(jungEvent, member, "")
	beforeStats, err := src.StoreStats(ctx, []int64{mapo.ID})
	if err != nil {
		t.Fatal(err)
	}
	beforeStore, err := src.StoreByID(ctx, mapo.ID)
	if err != nil {
		t.Fatal(err)
	}

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := src.WaitSearchIndexed(wctx); err != nil { // the embeddings exist, and move too
		t.Fatal(err)
	}

	hits := func(db *store.DB) []int64 {
		r, err := (&store.Searcher{}).Keyword(ctx, []*store.DB{db}, store.SearchQuery{Text: "망원"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	// Searched before the move, so its answer sits in the keyword cache.
	if got := hits(src); len(got) != 1 || got[0] != mapo.ID {
		t.Fatalf("search in shard 1 before the move = %v, want [%d]", got, mapo.ID)
	}

	mv, err := store.MoveDistrict(ctx, src, dst, "마포구")
	if err != nil {
		t.Fatal(err)
	}
	if len(mv.Stores) != 2 || len(mv.Events) != 1 || len(mv.Coupons) != 2 || mv.History != 2 || mv.Keys != 1 || mv.Vectors < 1 {
		t.Fatalf("moved %d stores, %d events, %d coupons, %d history rows, %d keys, %d vectors", len(mv.Stores),
			len(mv.Events), len(mv.Coupons), mv.History, mv.Keys, mv.Vectors)
	}
	for _, m := range []map[int64]int64{mv.Stores, mv.Events, mv.Coupons} {
		for old, id := range m {
			if couponpop.ShardOfID(old) != 1 || couponpop.ShardOfID(id) != 3 {
				t.Fatalf("ID %d became %d", old, id)
			}
		}
	}
	if mv.Stores[mapo.ID] <= other.ID {
		t.Fatalf("moved store got ID %d, not after shard 3's own %d", mv.Stores[mapo.ID], other.ID)
	}

	// The source keeps 중구 and its coupon, and has nothing of 마포구 left.
	if _, err := src.StoreByID(ctx, mapo.ID); couponpop.ErrorCode(err) != couponpop.EStoreNotFound {
		t.Fatalf("moved store still in shard 1: %v", err)
	}
	if _, err := src.EventByID(ctx, mapoEvent.ID); couponpop.ErrorCode(err) != couponpop.EEventNotFound {
		t.Fatalf("moved event still in shard 1: %v", err)
	}
	if _, err := src.StoreByID(ctx, jung.ID); err != nil {
		t.Fatal(err)
	}
	if c, err := src.CouponByID(ctx, jungCoupon); err != nil || c.EventID != jungEvent.ID {
		t.Fatalf("중구 coupon: %+v, %v", c, err)
	}

	// The destination has them under new IDs, references translated.
	newStoreID, newEventID, newCoupon := mv.Stores[mapo.ID], mv.Events[mapoEvent.ID], mv.Coupons[oldCoupon]
	st, err := dst.StoreByID(ctx, newStoreID)
	if err != nil || st.Name != mapo.Name || !st.CreatedAt.Equal(beforeStore.CreatedAt) || !st.UpdatedAt.Equal(beforeStore.UpdatedAt) {
		t.Fatalf("moved store %+v, %v", st, err)
	}
	if _, err := dst.StoreByID(ctx, mv.Stores[gone.ID]); couponpop.ErrorCode(err) != couponpop.EStoreNotFound {
		t.Fatalf("a deleted store came back: %v", err)
	}
	e, err := dst.EventByID(ctx, newEventID)
	if err != nil || e.StoreID != newStoreID || e.IssuedCount != 2 || e.TotalCount != 10 {
		t.Fatalf("moved event %+v, %v", e, err)
	}
	c, err := dst.CouponByID(ctx, newCoupon)
	if err != nil || c.EventID != newEventID || c.StoreID != newStoreID || c.MemberID != member {
		t.Fatalf("moved coupon %+v, %v", c, err)
	}
	afterStats, err := dst.StoreStats(ctx, []int64{newStoreID})
	if err != nil || afterStats[newStoreID] != beforeStats[mapo.ID] {
		t.Fatalf("stats %+v, before %+v (%v)", afterStats[newStoreID], beforeStats[mapo.ID], err)
	}
	if bad, err := dst.CheckIssuedCounts(ctx); err != nil || len(bad) > 0 {
		t.Fatalf("issued counts differ from coupon rows: %v %v", bad, err)
	}

	// Claims keep their rules in the new shard: the member already has one,
	// and a replayed key answers the moved coupon.
	if _, err := dst.Claim(ctx, store.ClaimRequest{EventID: newEventID, MemberID: member}); err == nil {
		t.Fatal("a second claim by the same member succeeded after the move")
	}
	res, err := dst.Claim(ctx, store.ClaimRequest{EventID: newEventID, MemberID: member, IdempotencyKey: "key-1"})
	if err != nil || res.CouponID != newCoupon {
		t.Fatalf("replayed key: %+v, %v, want coupon %d", res, err, newCoupon)
	}
	if res, err := dst.Claim(ctx, store.ClaimRequest{EventID: newEventID, MemberID: member + 2}); err != nil ||
		couponpop.ShardOfID(res.CouponID) != 3 {
		t.Fatalf("new claim after the move: %+v, %v", res, err)
	}

	// The keyword index follows the store.
	if got := hits(dst); len(got) != 1 || got[0] != newStoreID {
		t.Fatalf("search in shard 3 = %v, want [%d]", got, newStoreID)
	}
	if got := hits(src); len(got) != 0 {
		t.Fatalf("search in shard 1 still finds %v", got)
	}
	// The embeddings came along: the vector index of shard 3 settles
	// without a failure.
	if err := dst.WaitSearchIndexed(wctx); err != nil {
		t.Fatal(err)
	}

	// Nothing left to move; moving back into a shard that has the district
	// is refused.
	if _, err := store.MoveDistrict(ctx, src, dst, "마포구"); err == nil || !strings.Contains(err.Error(), "no stores there") {
		t.Fatalf("second move: %v", err)
	}
	if _, err := store.MoveDistrict(ctx, dst, src, "중구"); err == nil || !strings.Contains(err.Error(), "no stores there") {
		t.Fatalf("move of a district the source lacks: %v", err)
	}
	other2 := newStore(owner, "합정 베이커리", 37.5495, 126.9139)
	if _, err := src.CreateStore(ctx, other2, "마포구"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveDistrict(ctx, src, dst, "마포구"); err == nil || !strings.Contains(err.Error(), "already has 2") {
		t.Fatalf("move into a shard that has the district: %v", err)
	}
}
