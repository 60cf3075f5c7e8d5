package nudge

import (
	"cmp"
	"slices"
	"time"

	"github.com/couponpop/couponpop/push"
)

// Usage-stats rules of the old batch service (coupon-usage-stats).
const (
	UsageWindowDays = 20 // uses from runDate-20 days 00:00 to runDate 23:59:59
	UsageMinUses    = 5  // members with fewer uses in the window get no row
)

// Use is one coupon use: a USED history row joined with its store's dong.
type Use struct {
	MemberID int64
	CouponID int64
	Dong     string    // the store's dong; "" drops the use
	At       time.Time // when it was used
}

// UsageStat is one member's row: where and when they use coupons most.
type UsageStat struct {
	MemberID int64
	TopDong  string
	TopHour  int // 0-23, in the job's location
}

// UsageStats reproduces the old job for runDate (its date in loc is used):
// uses from runDate-20 days 00:00:00 through runDate 23:59:59 in loc, those
// without a dong dropped; members with at least 5; top dong by count (tie:
// the dong used most recently, then the greater string); top hour 0-23 by
// count within the top dong (tie: the hour used most recently, then the
// greater hour). One row per member, by member id.
func UsageStats(runDate time.Time, loc *time.Location, uses []Use) []UsageStat {
	d := runDate.In(loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	from, to := day.AddDate(0, 0, -UsageWindowDays), day.AddDate(0, 0, 1)
	byMember := make(map[int64][]Use)
	for _, u := range uses {
		if u.Dong == "" || u.At.Before(from) || !u.At.Before(to) {
			continue
		}
		byMember[u.MemberID] = append(byMember[u.MemberID], u)
	}
	var out []UsageStat
	for member, us := range byMember {
		if len(us) < UsageMinUses {
			continue
		}
		dong := topOf(us, func(u Use) string { return u.Dong })
		var inDong []Use
		for _, u := range us {
			if u.Dong == dong {
				inDong = append(inDong, u)
			}
		}
		hour := topOf(inDong, func(u Use) int { return u.At.In(loc).Hour() })
		out = append(out, UsageStat{MemberID: member, TopDong: dong, TopHour: hour})
	}
	slices.SortFunc(out, func(a, b UsageStat) int { return cmp.Compare(a.MemberID, b.MemberID) })
	return out
}

// topOf returns the key with the most uses; ties go to the key with the
// latest use, then to the greater key. us is not empty.
func topOf[K cmp.Ordered](us []Use, key func(Use) K) K {
	type tally struct {
		n      int
		latest time.Time
	}
	tallies := make(map[K]*tally)
	for _, u := range us {
		k := key(u)
		t := tallies[k]
		if t == nil {
			t = &tally{}
			tallies[k] = t
		}
		t.n++
		if u.At.After(t.latest) {
			t.latest = u.At
		}
	}
	var best K
	var bt *tally
	for k, t := range tallies {
		if bt == nil || t.n > bt.n ||
			t.n == bt.n && (t.latest.After(bt.latest) || t.latest.Equal(bt.latest) && k > best) {
			best, bt = k, t
		}
	}
	return best
}

// StoredStat is a usage-stats row as stored, with the date its run was for.
type StoredStat struct {
	UsageStat
	AggregatedAt time.Time // the run's date (midnight in the job's location)
}

// DongEvent is a running-event candidate: an event of a store in Dong.
type DongEvent struct {
	Dong           string
	StartAt, EndAt time.Time
	Total, Issued  int
}

// HourlyPush is one message of the hourly job.
type HourlyPush struct {
	MemberID     int64
	Subscription string // the caller's subscription id (endpoint)
	TopDong      string
	ActiveEvents int
	Message      push.Message
}

// HourlyPushes reproduces the old hourly job (coupon-usage-stats-fcm-send)
// for runDate and targetHour in loc: each member's latest stats row with
// aggregatedAt in [runDate-2 days, runDate], if its top hour is targetHour;
// the events in its top dong running at runDate targetHour:00 (start ≤ ref ≤
// end) and not sold out (total > issued); members with none, or no
// subscription, are skipped; otherwise one message per subscription.
//
// subscriptions must hold only members who may get advertising now: opted
// in to marketing, and with night consent when targetHour is quiet. Our
// message carries "(광고)" (push.UsageHour), which the old one did not.
func HourlyPushes(runDate time.Time, targetHour int, loc *time.Location,
	stats []StoredStat, events []DongEvent, subscriptions map[int64][]string) []HourlyPush {
	d := runDate.In(loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	ref := day.Add(time.Duration(targetHour) * time.Hour)
	from := day.AddDate(0, 0, -2)

	latest := make(map[int64]StoredStat)
	for _, s := range stats {
		if s.AggregatedAt.Before(from) || s.AggregatedAt.After(day) {
			continue
		}
		if cur, ok := latest[s.MemberID]; !ok || s.AggregatedAt.After(cur.AggregatedAt) {
			latest[s.MemberID] = s
		}
	}
	members := make([]int64, 0, len(latest))
	for m := range latest {
		members = append(members, m)
	}
	slices.Sort(members)

	var out []HourlyPush
	for _, m := range members {
		s := latest[m]
		if s.TopHour != targetHour {
			continue
		}
		n := 0
		for _, e := range events {
			if e.Dong == s.TopDong && !e.StartAt.After(ref) && !e.EndAt.Before(ref) && e.Total > e.Issued {
				n++
			}
		}
		if n == 0 {
			continue
		}
		for _, sub := range subscriptions[m] {
			msg := push.UsageHour(s.TopDong, n, targetHour)
			msg.Topic = push.Topic(m, 0) // event 0: the member's hourly digest
			out = append(out, HourlyPush{MemberID: m, Subscription: sub, TopDong: s.TopDong, ActiveEvents: n, Message: msg})
		}
	}
	return out
}
