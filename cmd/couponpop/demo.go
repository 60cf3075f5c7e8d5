package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/demo"
	"github.com/couponpop/couponpop/server"
	"golang.org/x/crypto/bcrypt"
)

// demoAccount is an account the demo creates; README.md prints them.
type demoAccount struct {
	email, password, username, memberType string
}

var demoAccounts = []demoAccount{
	{"owner@couponpop.dev", "Owner123!", "데모사장님", couponpop.MemberOwner},
	{"customer@couponpop.dev", "Customer1!", "데모손님", couponpop.MemberCustomer},
	{"admin@couponpop.dev", "Admin1234!", "관리자", couponpop.MemberAdmin},
}

// demoMerchants own the demo stores the demo owner does not; they share one
// password.
const (
	demoMerchants        = 24
	demoMerchantPassword = "Merchant1!"
	demoOwnerStores      = 12
)

// seedDemo fills an empty data dir: the demo accounts, merchants, the demo
// stores and coupon events around them. A data dir with members is left
// alone.
func seedDemo(ctx context.Context, shards *server.Shards, log *slog.Logger) error {
	if owner, err := shards.Global.MemberByEmail(ctx, demoAccounts[0].email); err == nil {
		log.Info("demo data already present", "owner", demoAccounts[0].email)
		return redateDemo(ctx, shards, owner.CreatedAt, time.Now(), log)
	}
	var owners []*couponpop.Member
	for _, a := range demoAccounts {
		m, err := createDemoMember(ctx, shards, a.email, a.username, a.memberType, a.password)
		if err != nil {
			return err
		}
		if a.memberType == couponpop.MemberOwner {
			owners = append(owners, m)
		}
	}
	merchantHash, err := bcrypt.GenerateFromPassword([]byte(demoMerchantPassword), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	for i := 1; i <= demoMerchants; i++ {
		m := &couponpop.Member{Email: fmt.Sprintf("merchant%02d@couponpop.dev", i), Username: fmt.Sprintf("가맹점주%02d", i),
			PhoneNumber: fmt.Sprintf("010%08d", 10000000+i), MemberType: couponpop.MemberOwner, PasswordHash: string(merchantHash)}
		if err := shards.Global.CreateMember(ctx, m); err != nil {
			return err
		}
		owners = append(owners, m)
	}
	now := time.Now()
	templates := demo.EventTemplates()
	stores, events := 0, 0
	for i, in := range demo.Stores() {
		owner := owners[0]
		if i >= demoOwnerStores {
			owner = owners[1+i%demoMerchants]
		}
		db, district, err := shards.At(in.Latitude, in.Longitude)
		if err != nil {
			return fmt.Errorf("demo store %s: %w", in.Name, err)
		}
		st := &couponpop.Store{MemberID: owner.ID, MemberUsername: owner.Username, StoreInput: in}
		if _, err := db.CreateStore(ctx, st, district.Name); err != nil {
			return fmt.Errorf("demo store %s: %w", in.Name, err)
		}
		stores++
		for _, e := range demoEvents(i, st, templates, now) {
			if _, err := db.CreateEvent(ctx, e); err != nil {
				return fmt.Errorf("demo event %s: %w", e.Name, err)
			}
			events++
		}
	}
	log.Info("demo data created", "stores", stores, "events", events, "owner", demoAccounts[0].email, "customer", demoAccounts[1].email)
	return nil
}

// demoSeedWindow is how long after the demo owner's creation events count
// as seeded by the demo (seeding takes seconds).
const demoSeedWindow = 10 * time.Minute

// redateDemo moves the seeded demo events so that they run relative to now
// again, as on the day they were seeded: each start of the demo then has
// running events. The latest seeded start is a day after the seed hour
// (demoEvents' scheduled events), which gives the shift in whole hours.
// Events created later, through the API, are left alone.
func redateDemo(ctx context.Context, shards *server.Shards, seededAt, now time.Time, log *slog.Logger) error {
	createdBy := seededAt.Add(demoSeedWindow)
	var latest time.Time
	for _, db := range shards.District {
		t, err := db.LatestEventStart(ctx, createdBy)
		if err != nil {
			return err
		}
		if t.After(latest) {
			latest = t
		}
	}
	if latest.IsZero() {
		return nil
	}
	shift := now.Truncate(time.Hour).Sub(latest.Add(-demoScheduledIn))
	if shift <= 0 {
		return nil
	}
	for n, db := range shards.District {
		if _, err := db.ShiftEvents(ctx, createdBy, shift); err != nil {
			return fmt.Errorf("shard %d: %w", n, err)
		}
	}
	log.Info("demo events moved to now", "by", shift)
	return nil
}

// demoScheduledIn is when the demo's scheduled events start after the seed
// hour.
const demoScheduledIn = 24 * time.Hour

func createDemoMember(ctx context.Context, shards *server.Shards, email, username, memberType, password string) (*couponpop.Member, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	m := &couponpop.Member{Email: email, Username: username, PhoneNumber: "01012345678", MemberType: memberType, PasswordHash: string(hash)}
	return m, shards.Global.CreateMember(ctx, m)
}

// demoEvents gives store i its events, deterministic in i: most stores run
// one now, some have one scheduled for tomorrow or one that has ended.
func demoEvents(i int, st *couponpop.Store, templates []demo.EventTemplate, now time.Time) []*couponpop.Event {
	fits := demo.TemplatesFor(templates, st.StoreCategory, st.Name)
	if len(fits) == 0 {
		return nil
	}
	t := fits[i%len(fits)]
	hour := now.Truncate(time.Hour)
	event := func(start time.Time) *couponpop.Event {
		e := &couponpop.Event{StoreID: st.ID, MemberID: st.MemberID, Name: t.Name, StartAt: start,
			EndAt: start.Add(time.Duration(t.DurationHours) * time.Hour), TotalCount: t.TotalCount}
		if i%4 == 0 {
			e.ClaimRadiusMeters = 500
		}
		return e
	}
	switch i % 10 {
	case 0, 1, 2, 3, 4, 5:
		return []*couponpop.Event{event(hour.Add(-time.Duration(i%3) * time.Hour))}
	case 6:
		return []*couponpop.Event{event(hour.Add(demoScheduledIn))}
	case 7:
		return []*couponpop.Event{event(hour.Add(-72 * time.Hour))}
	}
	return nil
}
