package couponpop

import (
	"strings"
	"testing"
	"time"
)

func validStore() StoreInput {
	return StoreInput{Name: "카페", Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울 마포구 양화로 160",
		Dong: "서교동", Latitude: 37.55, Longitude: 126.92, StoreCategory: CategoryCafe,
		WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}
}

func TestStoreInput_Limits(t *testing.T) {
	for name, edit := range map[string]func(*StoreInput){
		"address 256":     func(s *StoreInput) { s.Address = strings.Repeat("가", 256) },
		"dong 51":         func(s *StoreInput) { s.Dong = strings.Repeat("가", 51) },
		"imageUrl 501":    func(s *StoreInput) { s.ImageURL = "https://x/" + strings.Repeat("a", 492) },
		"address 100000":  func(s *StoreInput) { s.Address = strings.Repeat("a", 100_000) },
		"name 256":        func(s *StoreInput) { s.Name = strings.Repeat("가", 256) },
		"name NUL":        func(s *StoreInput) { s.Name = "카\x00페" },
		"dong NUL":        func(s *StoreInput) { s.Dong = "서\x00교동" },
		"description 501": func(s *StoreInput) { s.Description = strings.Repeat("a", 501) },
	} {
		in := validStore()
		edit(&in)
		if err := in.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: got %v, want %s", name, err, EINVALID)
		}
	}
}

func TestStoreInput_AcceptsWhatV2Accepted(t *testing.T) {
	in := validStore()
	in.Name = strings.Repeat("가", 255)
	in.Phone = "+82-10-1234-5678"
	in.WeekdayOpenTime, in.WeekdayCloseTime = "08:00:00", "22:30:00"
	in.WeekendOpenTime, in.WeekendCloseTime = "10:00:00", "24:00:00"
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if in.Phone != "01012345678" || in.WeekdayCloseTime != "22:30" || in.WeekendCloseTime != "24:00" {
		t.Errorf("normalized to %q %q %q", in.Phone, in.WeekdayCloseTime, in.WeekendCloseTime)
	}
}

func TestNormalPhone(t *testing.T) {
	for in, want := range map[string]string{"+82 10-1234-5678": "01012345678", "+821012345678": "01012345678",
		"+82-010-1234-5678": "01012345678", "010-1234-5678": "01012345678", "02-123-4567": "021234567"} {
		if got := NormalPhone(in); got != want {
			t.Errorf("NormalPhone(%q) = %q, want %q", in, got, want)
		}
	}
	if !validPhone("+82-10-1234-5678") {
		t.Error("signup phone with +82 refused")
	}
}

func TestParseTime_WithoutSeconds(t *testing.T) {
	got, err := ParseTime("2026-12-24T14:00")
	if err != nil || !got.Equal(time.Date(2026, 12, 24, 14, 0, 0, 0, Seoul)) {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := ParseTime("2026-12-24T14:00+09:00"); err != nil || got.Hour() != 14 {
		t.Fatalf("with offset: %v, %v", got, err)
	}
}

func TestEventInput_RefusesYearOneAndThePast(t *testing.T) {
	now := time.Date(2026, 12, 24, 12, 0, 0, 0, Seoul)
	ev := func(start, end time.Time) EventInput {
		return EventInput{StoreID: 1, Name: "아메리카노", EventStartAt: Time{start}, EventEndAt: Time{end}, TotalCount: 10}
	}
	year1 := ev(time.Date(1, 1, 1, 0, 0, 0, 0, Seoul), time.Date(1, 1, 2, 0, 0, 0, 0, Seoul))
	if err := year1.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("year 0001: %v", err)
	}
	past := ev(now.Add(-3*time.Hour), now.Add(-time.Hour))
	if err := past.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := past.CheckNotOver(now); ErrorCode(err) != EINVALID {
		t.Errorf("wholly past: %v", err)
	}
	startsNow := ev(now.Add(-time.Hour), now.Add(time.Hour))
	if err := startsNow.CheckNotOver(now); err != nil {
		t.Errorf("start past, end future: %v", err)
	}
	nul := ev(now, now.Add(time.Hour))
	nul.Name = "a\x00b"
	if err := nul.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("NUL in name: %v", err)
	}
}

func TestProblems_Korean(t *testing.T) {
	in := validStore()
	in.Dong = ""
	err := in.Validate()
	if ErrorKorean(err) != "동은 필수입니다" || ErrorMessage(err) != "dong is required" {
		t.Errorf("got %q / %q", ErrorKorean(err), ErrorMessage(err))
	}
}
