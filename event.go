package couponpop

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/couponpop/couponpop/geo"
)

// Event statuses an owner sets.
const (
	EventActive   = "ACTIVE"
	EventPaused   = "PAUSED"
	EventCanceled = "CANCELED"
)

// Event phases derived from the clock, used to filter an owner's list.
const (
	PhaseScheduled  = "SCHEDULED"
	PhaseInProgress = "IN_PROGRESS"
	PhaseCompleted  = "COMPLETED"
)

// Coupon event error codes.
const (
	EEventNotFound         = "EVENT_NOT_FOUND"
	EEventOwnerMismatch    = "EVENT_OWNER_MISMATCH"
	EEventEndBeforeStart   = "EVENT_END_BEFORE_START"
	EEventDurationExceeded = "EVENT_DURATION_EXCEEDED"
	EEventNotStarted       = "EVENT_NOT_STARTED"
	EEventEnded            = "EVENT_ENDED"
	EEventCouponSoldOut    = "EVENT_COUPON_SOLD_OUT"
	EEventNotActive        = "EVENT_NOT_ACTIVE"
)

// MaxEventDuration is the longest an event may run, exactly.
const MaxEventDuration = 48 * time.Hour

// DefaultCouponValidHours is how long a coupon stays usable when the event
// does not say: until the end of the event or this, whichever is later.
const DefaultCouponValidHours = 24

// EventInput is what an owner sends to create an event.
type EventInput struct {
	StoreID           int64    `json:"storeId"`
	Name              string   `json:"name"`
	EventStartAt      Time     `json:"eventStartAt"`
	EventEndAt        Time     `json:"eventEndAt"`
	TotalCount        int      `json:"totalCount"`
	ClaimRadiusMeters *float64 `json:"claimRadiusMeters,omitempty"`
	CouponValidHours  *int     `json:"couponValidHours,omitempty"`
}

// Validate checks an event: required fields, then order, then the exact
// 48-hour limit. It trims the name and truncates both times to the second.
func (in *EventInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	// The API shows event times, and pages by them, in whole seconds: a
	// fraction kept here would make a page cursor skip events that share
	// the cursor's second.
	in.EventStartAt.Time = in.EventStartAt.Truncate(time.Second)
	in.EventEndAt.Time = in.EventEndAt.Truncate(time.Second)
	var p Problems
	p.Add(!ValidID(in.StoreID), "storeId is required")
	p.Add(in.Name == "" || utf8.RuneCountInString(in.Name) > 100, "name is required (at most 100 characters)")
	p.Add(in.EventStartAt.IsZero(), "eventStartAt is required")
	p.Add(in.EventEndAt.IsZero(), "eventEndAt is required")
	p.Add(in.TotalCount < 1 || in.TotalCount > 1_000_000, "totalCount must be from 1 to 1000000")
	if r := in.ClaimRadiusMeters; r != nil {
		p.Add(!(*r > 0 && *r <= 20_000), "claimRadiusMeters must be more than 0 and at most 20000")
	}
	if h := in.CouponValidHours; h != nil {
		p.Add(*h < 1 || *h > 24*365, "couponValidHours must be from 1 to 8760")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if !in.EventEndAt.After(in.EventStartAt.Time) {
		return Errorf(EEventEndBeforeStart, "eventEndAt must be after eventStartAt")
	}
	if in.EventEndAt.Sub(in.EventStartAt.Time) > MaxEventDuration {
		return Errorf(EEventDurationExceeded, "an event may last at most 48 hours")
	}
	return nil
}

// Event is a coupon event: a limited number of coupons claimable in a window.
type Event struct {
	ID                int64
	StoreID           int64
	MemberID          int64
	Name              string
	StartAt, EndAt    time.Time
	TotalCount        int
	IssuedCount       int
	UsedCount         int
	Status            string
	ClaimRadiusMeters float64 // 0 when claims need no location
	CouponValidHours  int     // 0 for the default
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Phase returns SCHEDULED, IN_PROGRESS or COMPLETED at now.
func (e *Event) Phase(now time.Time) string {
	switch {
	case now.Before(e.StartAt):
		return PhaseScheduled
	case now.Before(e.EndAt):
		return PhaseInProgress
	default:
		return PhaseCompleted
	}
}

// Remaining is the number of coupons still to claim.
func (e *Event) Remaining() int { return e.TotalCount - e.IssuedCount }

// CouponExpiry is when a coupon issued at issuedAt stops being usable.
func (e *Event) CouponExpiry(issuedAt time.Time) time.Time {
	if e.CouponValidHours > 0 {
		return issuedAt.Add(time.Duration(e.CouponValidHours) * time.Hour)
	}
	exp := issuedAt.Add(DefaultCouponValidHours * time.Hour)
	if e.EndAt.After(exp) {
		exp = e.EndAt
	}
	return exp
}

// LatLng is a point in degrees.
type LatLng struct{ Lat, Lng float64 }

// Claimable says why a member at member (nil: no location sent) cannot
// claim a coupon of e at now, or returns nil. storeAt is where the event's
// store is. It checks, in this order: status, window, stock, radius. It is
// the one home of the claim rules: the claim gate and the claim writer
// both call it.
func (e *Event) Claimable(now time.Time, storeAt LatLng, member *LatLng) error {
	switch {
	case e.Status != EventActive:
		return Errorf(EEventNotActive, "event %d is %s", e.ID, e.Status)
	case now.Before(e.StartAt):
		return Errorf(EEventNotStarted, "event %d starts at %s", e.ID, FormatTime(e.StartAt))
	case !now.Before(e.EndAt):
		return Errorf(EEventEnded, "event %d ended at %s", e.ID, FormatTime(e.EndAt))
	case e.IssuedCount >= e.TotalCount:
		return Errorf(EEventCouponSoldOut, "event %d is sold out", e.ID)
	}
	if e.ClaimRadiusMeters <= 0 {
		return nil
	}
	if member == nil {
		return Errorf(ELocationRequired, "event %d needs your location: send latitude and longitude", e.ID)
	}
	if d := geo.DistanceMeters(member.Lat, member.Lng, storeAt.Lat, storeAt.Lng); d > e.ClaimRadiusMeters {
		return Errorf(ELocationOutOfRange, "you are %.0f m from the store; this event needs %.0f m or less", d, e.ClaimRadiusMeters)
	}
	return nil
}

// EventPatch changes an event: a new status or more coupons.
type EventPatch struct {
	Status   *string `json:"status"`
	AddCount *int    `json:"addCount"`
}

// Validate accepts exactly one of status or addCount.
func (p *EventPatch) Validate() error {
	switch {
	case (p.Status == nil) == (p.AddCount == nil):
		return Errorf(EINVALID, "send either status or addCount")
	case p.Status != nil && *p.Status != EventActive && *p.Status != EventPaused && *p.Status != EventCanceled:
		return Errorf(EINVALID, "status must be ACTIVE, PAUSED or CANCELED")
	case p.AddCount != nil && (*p.AddCount < 1 || *p.AddCount > 1_000_000):
		return Errorf(EINVALID, "addCount must be from 1 to 1000000")
	}
	return nil
}
