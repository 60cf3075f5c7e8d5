package couponpop

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Seoul is Asia/Seoul: UTC+9 all year (Korea keeps no daylight saving), fixed
// so that no time zone database is needed.
var Seoul = time.FixedZone("Asia/Seoul", 9*60*60)

// localLayout is how the v2 API writes times: Seoul local, no offset.
const localLayout = "2006-01-02T15:04:05"

// ParseTime reads an API time: Seoul local without offset
// ("2025-10-25T12:00:00", optional fraction) or RFC 3339 with an offset.
// Seconds may be left out ("2026-12-24T14:00", as HTML datetime inputs and
// v2's LocalDateTime accepted).
func ParseTime(s string) (time.Time, error) {
	t, err := parseTime(strings.TrimSpace(s))
	if err != nil {
		return t, err
	}
	// A time the API could not write back (Seoul's year past 9999, say
	// "9999-12-31T23:00-12:00") is out of range, not silently garbled.
	if y := t.In(Seoul).Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("time %q is outside years 0001-9999 in Seoul", s)
	}
	return t, nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if len(s) == len("2006-01-02T15:04") {
		return time.ParseInLocation("2006-01-02T15:04", s, Seoul)
	}
	if t, err := time.Parse("2006-01-02T15:04Z07:00", s); err == nil {
		return t, nil
	}
	return time.ParseInLocation(localLayout+".999999999", s, Seoul)
}

// FormatTime writes t as the API does: Seoul local, seconds, no offset.
func FormatTime(t time.Time) string { return t.In(Seoul).Format(localLayout) }

// Time is a time.Time that marshals to and from the API's local format.
// The zero Time marshals to null.
type Time struct{ time.Time }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(FormatTime(t.Time))
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errork(EINVALID, "시간은 2025-10-25T12:00:00 형식의 문자열이어야 합니다.", "time must be a string like 2025-10-25T12:00:00")
	}
	if s == nil || *s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := ParseTime(*s)
	if err != nil {
		return Errork(EINVALID, "시간은 2025-10-25T12:00:00 형식이어야 합니다.", "invalid time %q: want 2025-10-25T12:00:00", *s)
	}
	t.Time = v
	return nil
}
