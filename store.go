package couponpop

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Store categories.
const (
	CategoryCafe        = "CAFE"
	CategoryFood        = "FOOD"
	CategoryConvenience = "CONVENIENCE"
)

// Store error codes.
const (
	EStoreNotFound               = "STORE_NOT_FOUND"
	EStoreAccessPermissionDenied = "STORE_ACCESS_PERMISSION_DENIED"
	EStoreUpdatePermissionDenied = "STORE_UPDATE_PERMISSION_DENIED"
	EStoreDeletePermissionDenied = "STORE_DELETE_PERMISSION_DENIED"
	EStoreNotMatchedWithCoupon   = "STORE_NOT_MATCHED_WITH_COUPON"
)

// StoreInput is what an owner sends to create or replace a store.
type StoreInput struct {
	Name             string  `json:"name"`
	Phone            string  `json:"phone"`
	Description      string  `json:"description"`
	BusinessNumber   string  `json:"businessNumber"`
	Address          string  `json:"address"`
	Dong             string  `json:"dong"`
	Latitude         float64 `json:"latitude"`
	Longitude        float64 `json:"longitude"`
	ImageURL         string  `json:"imageUrl,omitempty"`
	StoreCategory    string  `json:"storeCategory"`
	WeekdayOpenTime  string  `json:"weekdayOpenTime"`
	WeekdayCloseTime string  `json:"weekdayCloseTime"`
	WeekendOpenTime  string  `json:"weekendOpenTime"`
	WeekendCloseTime string  `json:"weekendCloseTime"`
}

// Validate checks every field and reports all failures at once.
func (in *StoreInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.ReplaceAll(strings.TrimSpace(in.Phone), "-", "")
	in.BusinessNumber = strings.ReplaceAll(strings.TrimSpace(in.BusinessNumber), "-", "")
	var p Problems
	p.Add(in.Name == "" || utf8.RuneCountInString(in.Name) > 100, "name is required (at most 100 characters)")
	p.Add(len(in.Phone) != 11 || !allDigits(in.Phone), "phone must be 11 digits")
	p.Add(utf8.RuneCountInString(in.Description) > 500, "description must be at most 500 characters")
	p.Add(len(in.BusinessNumber) != 10 || !allDigits(in.BusinessNumber), "businessNumber must be 10 digits")
	p.Add(strings.TrimSpace(in.Address) == "", "address is required")
	p.Add(strings.TrimSpace(in.Dong) == "", "dong is required")
	// JSON cannot tell a missing coordinate from 0; (0, 0) is never a store.
	p.Add(in.Latitude == 0 && in.Longitude == 0, "latitude and longitude are required")
	p.Add(!ValidLatLng(in.Latitude, in.Longitude), "latitude must be in [-90, 90] and longitude in [-180, 180]")
	p.Add(!ValidCategory(in.StoreCategory), "storeCategory must be CAFE, FOOD or CONVENIENCE")
	for _, f := range []struct{ name, v string }{
		{"weekdayOpenTime", in.WeekdayOpenTime}, {"weekdayCloseTime", in.WeekdayCloseTime},
		{"weekendOpenTime", in.WeekendOpenTime}, {"weekendCloseTime", in.WeekendCloseTime},
	} {
		_, ok := ParseClock(f.v)
		p.Add(!ok, "%s must be HH:mm", f.name)
	}
	return p.Err()
}

// Store is a merchant's shop.
type Store struct {
	ID             int64
	MemberID       int64
	MemberUsername string
	StoreInput
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OpenAt reports whether the store is open at t by its weekday or weekend
// hours; a close time at or before the open time means past midnight.
func (s *Store) OpenAt(t time.Time) bool {
	t = t.In(Seoul)
	open, close := s.WeekdayOpenTime, s.WeekdayCloseTime
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		open, close = s.WeekendOpenTime, s.WeekendCloseTime
	}
	o, ok1 := ParseClock(open)
	c, ok2 := ParseClock(close)
	if !ok1 || !ok2 {
		return false
	}
	now := t.Hour()*60 + t.Minute()
	if c <= o {
		return now >= o || now < c
	}
	return now >= o && now < c
}

// ValidCategory reports whether c is a store category.
func ValidCategory(c string) bool {
	return c == CategoryCafe || c == CategoryFood || c == CategoryConvenience
}

// ValidLatLng reports whether a coordinate pair is on Earth.
func ValidLatLng(lat, lng float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
}

// ParseClock reads "HH:mm" (24:00 allowed as a closing time) into minutes
// after midnight.
func ParseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !allDigits(s[:2]) || !allDigits(s[3:]) {
		return 0, false
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}
