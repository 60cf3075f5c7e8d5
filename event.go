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

// Limits on an event's input.
const (
	MaxEventNameLen = 100
	MinEventYear    = 2000
	MaxEventYear    = 2999
)

// MaxEventDuration is the longest an event may run, exactly.
const MaxEventDuration = 48 * time.Hour

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
	p.AddKo(!ValidID(in.StoreID), "매장 ID는 필수입니다.", "storeId is required")
	p.AddKo(in.Name == "", "이벤트명은 필수입니다.", "name is required")
	p.AddKo(utf8.RuneCountInString(in.Name) > MaxEventNameLen, "이벤트명은 100자를 초과할 수 없습니다.", "name must be at most %d characters", MaxEventNameLen)
	p.AddKo(!CleanName(in.Name), "이벤트명에 제어 문자를 쓸 수 없습니다.", "name must not contain control characters")
	p.AddKo(in.EventStartAt.IsZero(), "이벤트 시작 시간은 필수입니다.", "eventStartAt is required")
	p.AddKo(in.EventEndAt.IsZero(), "이벤트 종료 시간은 필수입니다.", "eventEndAt is required")
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"eventStartAt", in.EventStartAt.Time}, {"eventEndAt", in.EventEndAt.Time}} {
		y := f.t.In(Seoul).Year()
		p.AddKo(!f.t.IsZero() && (y < MinEventYear || y > MaxEventYear), "이벤트 시간은 2000년부터 2999년 사이여야 합니다.",
			"%s must be in the years %d to %d", f.name, MinEventYear, MaxEventYear)
	}
	p.AddKo(in.TotalCount < 1, "쿠폰 총 발급 수량은 1 이상이어야 합니다.", "totalCount must be from 1 to 1000000")
	p.AddKo(in.TotalCount > 1_000_000, "쿠폰 총 발급 수량은 1000000 이하여야 합니다.", "totalCount must be from 1 to 1000000")
	if r := in.ClaimRadiusMeters; r != nil {
		p.AddKo(!(*r > 0 && *r <= 20_000), "claimRadiusMeters는 0보다 크고 20000 이하여야 합니다.", "claimRadiusMeters must be more than 0 and at most 20000")
	}
	if h := in.CouponValidHours; h != nil {
		p.AddKo(*h < 1 || *h > 24*365, "couponValidHours는 1부터 8760 사이여야 합니다.", "couponValidHours must be from 1 to 8760")
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

// CheckNotOver refuses an event whose end is not after now: it could never
// issue a coupon. A start in the past is fine; the event starts at once.
func (in *EventInput) CheckNotOver(now time.Time) error {
	if !in.EventEndAt.After(now) {
		return Errork(EINVALID, "이벤트 종료 시간이 이미 지났습니다.", "eventEndAt %s has already passed", FormatTime(in.EventEndAt.Time))
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

// CouponExpiry is when a coupon issued at issuedAt stops being usable: as
// in v2, when its event ends, unless the event opts in to couponValidHours
// after the claim (which may run past the event's end).
func (e *Event) CouponExpiry(issuedAt time.Time) time.Time {
	if e.CouponValidHours > 0 {
		return issuedAt.Add(time.Duration(e.CouponValidHours) * time.Hour)
	}
	return e.EndAt
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
