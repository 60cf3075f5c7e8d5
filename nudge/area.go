package nudge

import (
	"time"

	"github.com/couponpop/couponpop/geo"
)

// Report is one location report from a device.
type Report struct {
	At    time.Time
	Point geo.LatLng
}

// Plausible reports whether cur could follow prev: the speed between them,
// after forgiving JitterMeters, is at most MaxSpeedKmh. A nil prev (first
// report) is plausible. Reports out of order or at the same instant are
// plausible only within the jitter.
func (r AreaRules) Plausible(prev *Report, cur Report) bool {
	if prev == nil || r.MaxSpeedKmh <= 0 {
		return true
	}
	meters := geo.DistanceMeters(prev.Point.Lat, prev.Point.Lng, cur.Point.Lat, cur.Point.Lng) - r.JitterMeters
	if meters <= 0 {
		return true
	}
	dt := cur.At.Sub(prev.At)
	if dt <= 0 {
		return false
	}
	return meters/1000/dt.Hours() <= r.MaxSpeedKmh
}

// EnteredAt carries the start of a stay in one area from report to report:
// the time of the first report of the current unbroken run inside, or zero
// when the device is outside. enteredAt is the value after the previous
// report; inside says whether the current report, at at, is in the area.
func EnteredAt(enteredAt time.Time, inside bool, at time.Time) time.Time {
	switch {
	case !inside:
		return time.Time{}
	case enteredAt.IsZero():
		return at
	}
	return enteredAt
}

// Member is what the rules need to know about the member.
type Member struct {
	Marketing   bool // opted in to advertising pushes
	Night       bool // consented to advertising pushes in quiet hours
	PushesToday int  // area pushes already sent today (see AreaRules.Day)
}

// Event is what the rules need to know about one running event in the area.
type Event struct {
	ID      int64
	SoldOut bool // issued ≥ total
	Claimed bool // the member already holds a coupon of it
	Pushed  bool // the member was pushed about it before, ever
}

// AreaInput is one decision: should the member, whose device just sent
// Report, be pushed about Event in an area?
type AreaInput struct {
	Last      *Report   // the device's previous accepted report; nil if none
	Report    Report    // the report just received; its At is the clock
	EnteredAt time.Time // the stay's start, EnteredAt applied to Report; zero if outside
	Member    Member
	Event     Event
}

// Reason says why Decide answered as it did.
type Reason string

// The reasons, in the order Decide checks them.
const (
	ReasonSend             Reason = "send"
	ReasonImpossibleSpeed  Reason = "impossible_speed" // ignore the report (do not store it) and count it
	ReasonNoMarketingOptIn Reason = "no_marketing_opt_in"
	ReasonSoldOut          Reason = "sold_out"
	ReasonAlreadyClaimed   Reason = "already_claimed"
	ReasonAlreadyPushed    Reason = "already_pushed"
	ReasonNotDwelled       Reason = "not_dwelled"
	ReasonQuietHours       Reason = "quiet_hours"
	ReasonDailyCap         Reason = "daily_cap"
)

// Decision is Decide's answer.
type Decision struct {
	Push   bool
	Reason Reason
}

// IgnoreReport reports whether the report should be dropped (not stored as
// the device's last location): the speed guard rejected it.
func (d Decision) IgnoreReport() bool { return d.Reason == ReasonImpossibleSpeed }

// Decide applies the area-entry rules. The push goes out only when all hold:
// the report is plausible; the member opted in to marketing; the event is
// not sold out, not claimed by the member and never pushed to them; the
// member has stayed Dwell inside; it is not quiet hours, or the member gave
// night consent; and fewer than DailyCap area pushes went out today.
func (r AreaRules) Decide(in AreaInput) Decision {
	now := in.Report.At
	switch {
	case !r.Plausible(in.Last, in.Report):
		return Decision{Reason: ReasonImpossibleSpeed}
	case !in.Member.Marketing:
		return Decision{Reason: ReasonNoMarketingOptIn}
	case in.Event.SoldOut:
		return Decision{Reason: ReasonSoldOut}
	case in.Event.Claimed:
		return Decision{Reason: ReasonAlreadyClaimed}
	case in.Event.Pushed:
		return Decision{Reason: ReasonAlreadyPushed}
	case in.EnteredAt.IsZero() || now.Sub(in.EnteredAt) < r.Dwell:
		return Decision{Reason: ReasonNotDwelled}
	case r.Quiet(now) && !in.Member.Night:
		return Decision{Reason: ReasonQuietHours}
	case in.Member.PushesToday >= r.DailyCap:
		return Decision{Reason: ReasonDailyCap}
	}
	return Decision{Push: true, Reason: ReasonSend}
}
