package main

import (
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 12, 24, 9, 30, 0, 0, couponpop.Seoul)
	start := now.Add(time.Hour)
	for _, tc := range []struct{ in, want string }{
		{"now", "2026-12-24T09:30:00+09:00"},
		{"14:00", "2026-12-24T14:00:00+09:00"},
		{"+2h", "2026-12-24T12:30:00+09:00"},
		{"+1h30m", "2026-12-24T12:00:00+09:00"},
		{"2026-12-24T18:00", "2026-12-24T18:00:00+09:00"},
		{"2026-12-24 18:00:30", "2026-12-24T18:00:30+09:00"},
		{"2026-12-24T18:00Z", "2026-12-25T03:00:00+09:00"},
		{"2026-12-24T18:00+01:00", "2026-12-25T02:00:00+09:00"},
	} {
		got, err := parseWhen(tc.in, now, start)
		if err != nil || got.In(couponpop.Seoul).Format(time.RFC3339) != tc.want {
			t.Errorf("parseWhen(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "+", "+-2h", "25:00", "tomorrow", "2026-13-01T10:00"} {
		if _, err := parseWhen(bad, now, start); err == nil {
			t.Errorf("parseWhen(%q) took it", bad)
		}
	}
}
