package store_test

import (
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

func TestLiveChanges_ClaimUseStock(t *testing.T) {
	f := newCouponFixture(t)
	ev := f.event(f.storeA, 2*time.Hour, 3, 24)
	// 333 m north of store A, then 50 m, then no location.
	claim := func(member int64, lat float64, has bool) int64 {
		res, err := f.db.Claim(f.ctx, store.ClaimRequest{EventID: ev, MemberID: member, HasLocation: has, Latitude: lat, Longitude: 126.9245})
		if err != nil {
			t.Fatal(err)
		}
		return res.CouponID
	}
	c1 := claim(101, 37.5572+0.003, true)
	claim(102, 37.5572+0.00045, true)
	claim(103, 0, false)
	f.clock.Add(time.Hour)
	if code := f.use(c1, f.storeA, 101, "n1"); code != "" {
		t.Fatal(code)
	}
	paused := couponpop.EventPaused
	if _, _, err := f.db.PatchEvent(f.ctx, ev, couponpop.EventPatch{Status: &paused}); err != nil {
		t.Fatal(err)
	}
	add := 2
	if _, _, err := f.db.PatchEvent(f.ctx, ev, couponpop.EventPatch{AddCount: &add}); err != nil {
		t.Fatal(err)
	}

	changes, err := f.db.LiveChangesOfStore(f.ctx, f.storeA, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind                string
		issued, used, total int
		status              string
	}
	want := []row{
		{"stock", 0, 0, 3, "ACTIVE"}, // created
		{"claim", 1, 0, 3, "ACTIVE"},
		{"claim", 2, 0, 3, "ACTIVE"},
		{"claim", 3, 0, 3, "ACTIVE"},
		{"use", 3, 1, 3, "ACTIVE"},
		{"stock", 3, 1, 3, "PAUSED"},
		{"stock", 3, 1, 5, "PAUSED"},
	}
	if len(changes) != len(want) {
		t.Fatalf("got %d changes %+v, want %d", len(changes), changes, len(want))
	}
	for i, c := range changes {
		got := row{c.Kind, c.Issued, c.Used, c.Total, c.Status}
		if got != want[i] || c.EventID != ev || c.StoreID != f.storeA {
			t.Errorf("change %d = %+v, want %+v", i, c, want[i])
		}
		if i > 0 && c.ID <= changes[i-1].ID {
			t.Errorf("ids not increasing: %d after %d", c.ID, changes[i-1].ID)
		}
	}
	if other, _ := f.db.LiveChangesOfStore(f.ctx, f.storeB, 0, 100); len(other) != 0 {
		t.Errorf("store B has changes %+v", other)
	}
	all, _ := f.db.LiveChangesSince(f.ctx, changes[3].ID, 100)
	if len(all) != 3 || all[0].Kind != "use" {
		t.Errorf("since %d: %+v", changes[3].ID, all)
	}

	hours, err := f.db.StoreHours(f.ctx, f.storeA, couponBase.Add(-time.Hour), couponBase.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) != 2 {
		t.Fatalf("hours %+v", hours)
	}
	claimed, used := hours[0], hours[1]
	if claimed.Issued != 3 || claimed.Converted != 1 || claimed.Used != 0 || !claimed.Hour.Equal(couponBase.Truncate(time.Hour)) {
		t.Errorf("claim hour %+v", claimed)
	}
	if claimed.Bands != [8]int{1, 0, 1, 0, 0, 0, 0, 1} {
		t.Errorf("bands %v, want one within 100 m, one 200–400 m, one without location", claimed.Bands)
	}
	if used.Used != 1 || used.Issued != 0 {
		t.Errorf("use hour %+v", used)
	}

	outcomes, err := f.db.RecentEventOutcomes(f.ctx, f.storeA, 3, f.clock.Now())
	if err != nil || len(outcomes) != 1 {
		t.Fatalf("outcomes %+v %v", outcomes, err)
	}
	if o := outcomes[0]; o.Issued != 3 || o.Used != 1 || o.Total != 5 || !o.SoldOutAt.IsZero() {
		t.Errorf("outcome %+v: adding stock un-sells it out", o)
	}
}

func TestLiveChanges_SoldOutAt(t *testing.T) {
	f := newCouponFixture(t)
	ev := f.event(f.storeA, 2*time.Hour, 2, 24)
	f.claim(ev, 1)
	f.clock.Add(5 * time.Minute)
	f.claim(ev, 2)
	out, err := f.db.RecentEventOutcomes(f.ctx, f.storeA, 3, f.clock.Now())
	if err != nil || len(out) != 1 {
		t.Fatal(out, err)
	}
	if !out[0].SoldOutAt.Equal(f.clock.Now()) {
		t.Errorf("sold out at %v, want %v", out[0].SoldOutAt, f.clock.Now())
	}
}

func TestPruneLiveChanges(t *testing.T) {
	f := newCouponFixture(t)
	ev := f.event(f.storeA, 2*time.Hour, 100, 24)
	for m := int64(1); m <= 10; m++ {
		f.claim(ev, m)
	}
	last, _ := f.db.LastLiveChangeID(f.ctx)
	n, err := f.db.PruneLiveChanges(f.ctx, 4, couponBase.Add(-time.Hour))
	if err != nil || n != 7 { // 11 changes (creation + 10 claims), keep 4
		t.Fatalf("pruned %d, %v", n, err)
	}
	if first, _ := f.db.FirstLiveChangeID(f.ctx); first != last-3 {
		t.Errorf("first %d, want %d", first, last-3)
	}
	// Older than a day: all go but the newest.
	if n, err := f.db.PruneLiveChanges(f.ctx, 1000, f.clock.Now().Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	f.claim(ev, 99)
	if next, _ := f.db.LastLiveChangeID(f.ctx); next != last+1 {
		t.Errorf("next id %d, want %d", next, last+1)
	}
}
