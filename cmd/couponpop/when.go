package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
)

// parseWhen reads a campaign time, in Asia/Seoul unless it names a zone:
//
//	now
//	14:00               today at 14:00
//	+2h, +90m, +1h30m   from base (now, or the start for an end)
//	2026-12-24T18:00    that minute (seconds optional, "T" or a space)
//	2026-12-24T18:00+09:00, …Z   that instant
func parseWhen(s string, now, base time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, fmt.Errorf("empty time")
	case s == "now":
		return now, nil
	case strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s[1:])
		if err != nil || d <= 0 {
			return time.Time{}, fmt.Errorf("%q: want a duration like +2h or +90m", s)
		}
		return base.Add(d), nil
	}
	if t, err := time.ParseInLocation("15:04", s, couponpop.Seoul); err == nil {
		y, m, d := now.In(couponpop.Seoul).Date()
		return time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, couponpop.Seoul), nil
	}
	norm := strings.Replace(s, " ", "T", 1)
	for _, layout := range []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.Parse(layout, norm); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, norm, couponpop.Seoul); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want 14:00, +2h or 2026-12-24T18:00 (Asia/Seoul unless a zone is given)", s)
}

// showTime writes an API time for a table: "12-24 18:00", Seoul.
func showTime(api string) string {
	t, err := couponpop.ParseTime(api)
	if err != nil || api == "" {
		return api
	}
	return t.In(couponpop.Seoul).Format("01-02 15:04")
}
