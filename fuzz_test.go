package couponpop

import (
	"strings"
	"testing"
)

// Fuzz targets for the domain's text parsers; plain `go test` runs their
// seeds (f.Add and testdata/fuzz/<Target>/).

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-10-25T12:00:00", "2026-12-24T14:00", "2026-12-24T14:00+09:00", "2025-10-25T12:00:00.999Z",
		"0001-01-01T00:00:00", "9999-12-31T23:59:59", "2025-13-01T12:00", "", " 2025-10-25T12:00:00 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			return
		}
		// What parses formats and parses back to the same second.
		back, err := ParseTime(FormatTime(tm))
		if tm.Year() >= 1 && tm.Year() <= 9999 && (err != nil || !back.Equal(tm.Truncate(1e9))) {
			t.Fatalf("%q: %v formats as %q, parses back as %v, %v", s, tm, FormatTime(tm), back, err)
		}
	})
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:00", "24:00", "09:00:00", "24:00:00", "12:60", "8:00", "23:59:59", "ab:cd:ef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := ParseClock(s)
		if ok && (m < 0 || m > 24*60) {
			t.Fatalf("%q: %d minutes", s, m)
		}
	})
}

func FuzzNormalPhone(f *testing.F) {
	for _, s := range []string{"010-1234-5678", "+82 10-1234-5678", "+82010", "+", "(02) 123-4567", strings.Repeat("+82", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NormalPhone(s)
		if validPhone(s) && !allDigits(p) {
			t.Fatalf("%q valid but normalizes to %q", s, p)
		}
	})
}
