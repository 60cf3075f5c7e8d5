package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop/store"
)

// TestClaimBatchWait_LoneClaimsCommitAtOnce: claims that come one at a
// time never wait for company, however long BatchWait is.
func TestClaimBatchWait_LoneClaimsCommitAtOnce(t *testing.T) {
	const wait = 10 * time.Second
	f := newCouponFixtureWith(t, store.ClaimOptions{BatchWait: wait})
	eventID := f.event(f.storeA, 3*time.Hour, 10, 0)
	for member := int64(1); member <= 3; member++ {
		began := time.Now()
		f.claim(eventID, member)
		if took := time.Since(began); took > wait/2 {
			t.Fatalf("lone claim %d took %s: it waited for company", member, took)
		}
	}
	if batches, claims := f.db.ClaimStats(); batches != 3 || claims != 3 {
		t.Errorf("%d batches of %d claims, want 3 of 3", batches, claims)
	}
}

// TestClaimBatchWait_ClaimsTogetherWait: once claims queue behind a batch,
// the next batch waits BatchWait for more, so a claim sent meanwhile
// joins it.
func TestClaimBatchWait_ClaimsTogetherWait(t *testing.T) {
	f := newCouponFixtureWith(t, store.ClaimOptions{BatchWait: 500 * time.Millisecond})
	eventID := f.event(f.storeA, 3*time.Hour, 10, 0)

	// Another connection holds the write lock: the writer's first batch
	// (member 1) waits for it, and members 2 and 3 queue behind.
	lock, err := f.raw(true).Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(`UPDATE position SET pos = pos WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	claim := func(member int64) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.db.Claim(f.ctx, store.ClaimRequest{EventID: eventID, MemberID: member}); err != nil {
				t.Errorf("claim by member %d: %v", member, err)
			}
		}()
	}
	claim(1)
	store.WaitTaken(t, f.db, 1) // the writer takes member 1 alone
	claim(2)
	claim(3)
	store.WaitQueued(t, f.db, 3)
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	store.WaitTaken(t, f.db, 3) // the second batch has 2 and 3, and waits for more
	claim(4)
	wg.Wait()
	if batches, claims := f.db.ClaimStats(); batches != 2 || claims != 4 {
		t.Errorf("%d batches of %d claims, want 2: member 1 alone, then 2, 3 and 4", batches, claims)
	}
}
