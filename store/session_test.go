package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// TestSessions_Ended: what each way of ending sessions records for the
// followers, and that a login checked against an old password or a
// withdrawn member starts no session.
func TestSessions_Ended(t *testing.T) {
	ctx := context.Background()
	db := openShard(t, store.GlobalShard)
	m := &couponpop.Member{Email: "s@example.com", Username: "세션", PhoneNumber: "01012345678",
		MemberType: couponpop.MemberCustomer, PasswordHash: "old"}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	for _, family := range []string{"a", "b", "c"} {
		if err := db.CreateRefreshToken(ctx, "hash-"+family, m.ID, "old", family, later); err != nil {
			t.Fatal(err)
		}
	}

	if err := db.EndSession(ctx, m.ID, "a"); err != nil {
		t.Fatal(err)
	}
	m.PasswordHash = "new"
	if err := db.UpdateMemberPassword(ctx, m, "c"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRefreshToken(ctx, "hash-d", m.ID, "old", "d", later); couponpop.ErrorCode(err) != couponpop.EInvalidCredentials {
		t.Errorf("session from the old password: %v, want %s", err, couponpop.EInvalidCredentials)
	}
	if _, _, err := db.RotateRefreshToken(ctx, "hash-b", "hash-b2", later); couponpop.ErrorCode(err) != couponpop.EInvalidToken {
		t.Errorf("refresh of an ended session: %v, want %s", err, couponpop.EInvalidToken)
	}
	if id, family, err := db.RotateRefreshToken(ctx, "hash-c", "hash-c2", later); err != nil || id != m.ID || family != "c" {
		t.Errorf("refresh of the kept session = %d, %q, %v; want %d, c", id, family, err, m.ID)
	}
	if err := db.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRefreshToken(ctx, "hash-e", m.ID, "new", "e", later); couponpop.ErrorCode(err) != couponpop.EInvalidCredentials {
		t.Errorf("session of a withdrawn member: %v, want %s", err, couponpop.EInvalidCredentials)
	}

	ended, err := db.EndedSessionsSince(ctx, 0, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ended {
		if e.MemberID != m.ID {
			t.Errorf("ended %+v, want member %d", e, m.ID)
		}
		got = append(got, e.Family)
	}
	if want := []string{"a", "b", ""}; !slices.Equal(got, want) {
		t.Errorf("ended families = %q, want %q (\"\": every session)", got, want)
	}
	if len(ended) > 0 {
		rest, err := db.EndedSessionsSince(ctx, ended[0].Seq, time.Now().Add(-time.Minute))
		if err != nil || len(rest) != len(ended)-1 {
			t.Errorf("since the first: %d rows (%v), want %d", len(rest), err, len(ended)-1)
		}
	}
	if old, err := db.EndedSessionsSince(ctx, 0, time.Now().Add(time.Minute)); err != nil || len(old) != 0 {
		t.Errorf("ended after a minute from now: %d rows (%v), want none", len(old), err)
	}
}
