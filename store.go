package couponpop

import (
	"math"
	"strings"
	"time"
	"unicode"
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
	EStoreOwnerMismatch          = "STORE_OWNER_MISMATCH"
	EStoreAlreadyDeleted         = "STORE_ALREADY_DELETED"
	EAdminPermissionRequired     = "ADMIN_PERMISSION_REQUIRED"
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

// Limits on a store's free text, in characters: v2's where it had them
// (name 255, address 255, dong 50, imageUrl 500, description 500).
const (
	MaxStoreNameLen    = 255
	MaxAddressLen      = 255
	MaxDongLen         = 50
	MaxImageURLLen     = 500
	MaxDescriptionLen  = 500
	maxPhoneInputBytes = 32
)

// Validate checks every field and reports all failures at once. It
// normalizes what v2 also accepted: phones with dashes or +82, opening times
// with seconds ("09:00:00" becomes "09:00").
func (in *StoreInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = NormalPhone(in.Phone)
	in.BusinessNumber = strings.ReplaceAll(strings.TrimSpace(in.BusinessNumber), "-", "")
	in.Address = strings.TrimSpace(in.Address)
	in.Dong = strings.TrimSpace(in.Dong)
	in.ImageURL = strings.TrimSpace(in.ImageURL)
	var p Problems
	p.AddKo(in.Name == "", "매장명은 필수입니다", "name is required")
	p.AddKo(runes(in.Name) > MaxStoreNameLen, "매장명은 255자를 초과할 수 없습니다", "name must be at most %d characters", MaxStoreNameLen)
	p.AddKo(!CleanName(in.Name), "매장명에 제어 문자를 쓸 수 없습니다", "name must not contain control characters")
	p.AddKo(len(in.Phone) != 11 || !allDigits(in.Phone), "전화번호는 11자리 숫자여야 합니다", "phone must be 11 digits")
	p.AddKo(runes(in.Description) > MaxDescriptionLen, "매장 설명은 500자를 초과할 수 없습니다", "description must be at most %d characters", MaxDescriptionLen)
	p.AddKo(len(in.BusinessNumber) != 10 || !allDigits(in.BusinessNumber), "사업자 번호는 10자리 숫자여야 합니다", "businessNumber must be 10 digits")
	p.AddKo(in.Address == "", "주소는 필수입니다", "address is required")
	p.AddKo(runes(in.Address) > MaxAddressLen, "주소는 255자를 초과할 수 없습니다", "address must be at most %d characters", MaxAddressLen)
	p.AddKo(in.Dong == "", "동은 필수입니다", "dong is required")
	p.AddKo(runes(in.Dong) > MaxDongLen, "동은 50자를 초과할 수 없습니다", "dong must be at most %d characters", MaxDongLen)
	p.AddKo(runes(in.ImageURL) > MaxImageURLLen, "이미지 URL은 500자를 초과할 수 없습니다", "imageUrl must be at most %d characters", MaxImageURLLen)
	for _, f := range []struct{ name, v string }{{"description", in.Description}, {"address", in.Address}, {"dong", in.Dong}, {"imageUrl", in.ImageURL}} {
		p.AddKo(strings.ContainsRune(f.v, 0), f.name+"에 NUL 문자를 쓸 수 없습니다", "%s must not contain NUL characters", f.name)
	}
	// JSON cannot tell a missing coordinate from 0; (0, 0) is never a store.
	p.AddKo(in.Latitude == 0 && in.Longitude == 0, "위도는 필수입니다\n경도는 필수입니다", "latitude and longitude are required")
	p.AddKo(!ValidLatLng(in.Latitude, in.Longitude), "위도는 -90~90, 경도는 -180~180 사이여야 합니다",
		"latitude must be in [-90, 90] and longitude in [-180, 180]")
	p.AddKo(!ValidCategory(in.StoreCategory), "매장 카테고리는 필수입니다", "storeCategory must be CAFE, FOOD or CONVENIENCE")
	for _, f := range []struct {
		name, korean string
		v            *string
	}{
		{"weekdayOpenTime", "평일 오픈 시간은 필수입니다", &in.WeekdayOpenTime}, {"weekdayCloseTime", "평일 마감 시간은 필수입니다", &in.WeekdayCloseTime},
		{"weekendOpenTime", "주말 오픈 시간은 필수입니다", &in.WeekendOpenTime}, {"weekendCloseTime", "주말 마감 시간은 필수입니다", &in.WeekendCloseTime},
	} {
		_, ok := ParseClock(*f.v)
		p.AddKo(!ok, f.korean, "%s must be HH:mm", f.name)
		if ok {
			*f.v = (*f.v)[:5]
		}
	}
	return p.Err()
}

// NormalPhone is the form phone numbers are checked and stored in: digits
// only, a leading +82 (Korea's country code) written as the domestic 0.
func NormalPhone(s string) string {
	if len(s) > maxPhoneInputBytes {
		return s
	}
	s = strings.NewReplacer("-", "", " ", "", "(", "", ")", "").Replace(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "+82"); ok {
		s = "0" + strings.TrimPrefix(rest, "0")
	}
	return s
}

// CleanName reports whether a name is free of control characters (NUL
// among them) and is valid UTF-8.
func CleanName(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func runes(s string) int { return utf8.RuneCountInString(s) }

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

// ParseClock reads "HH:mm" or "HH:mm:ss" (24:00 allowed as a closing time)
// into minutes after midnight; seconds are dropped.
func ParseClock(s string) (int, bool) {
	if len(s) == 8 && s[5] == ':' && allDigits(s[6:]) && s[6] <= '5' {
		s = s[:5]
	}
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
