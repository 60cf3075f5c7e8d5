package couponpop

import "time"

// Coupon statuses.
const (
	CouponIssued   = "ISSUED"
	CouponUsed     = "USED"
	CouponExpired  = "EXPIRED"
	CouponCanceled = "CANCELED"
)

// Coupon error codes.
const (
	ECouponNotFound        = "COUPON_NOT_FOUND"
	ECouponAlreadyIssued   = "COUPON_ALREADY_ISSUED"
	ECouponAccessDenied    = "COUPON_ACCESS_DENIED"
	ECouponAlreadyUsed     = "COUPON_ALREADY_USED"
	ECouponNotAvailable    = "COUPON_NOT_AVAILABLE"
	ECouponExpired         = "COUPON_EXPIRED"
	ECouponInvalidTempCode = "COUPON_INVALID_TEMP_CODE"
	ELocationOutOfRange    = "LOCATION_OUT_OF_RANGE"
	ELocationRequired      = "LOCATION_REQUIRED"
	// EIdempotencyKeyReused: the member sent the Idempotency-Key before
	// with another request (another event).
	EIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
)

// Coupon is one member's claim on an event.
type Coupon struct {
	ID         int64
	EventID    int64
	MemberID   int64
	StoreID    int64
	Status     string
	IssuedAt   time.Time
	ExpireAt   time.Time
	UsedAt     time.Time // zero unless used
	EventEndAt time.Time
}

// ValidCouponStatus reports whether s is a coupon status.
func ValidCouponStatus(s string) bool {
	return s == CouponIssued || s == CouponUsed || s == CouponExpired || s == CouponCanceled
}
