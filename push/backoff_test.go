package push

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoff_Delay(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 10 * time.Second, MaxAttempts: 5}
	for _, tc := range []struct {
		attempt    int
		retryAfter time.Duration
		want       time.Duration
	}{
		{1, 0, time.Second},
		{2, 0, 2 * time.Second},
		{4, 0, 8 * time.Second},
		{5, 0, 10 * time.Second},
		{50, 0, 10 * time.Second},
		{1, 30 * time.Second, 30 * time.Second}, // Retry-After wins over the cap
		{4, time.Second, 8 * time.Second},
	} {
		if got := b.Delay(tc.attempt, tc.retryAfter); got != tc.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tc.attempt, tc.retryAfter, got, tc.want)
		}
	}
	if b.GiveUp(4) || !b.GiveUp(5) {
		t.Error("GiveUp should stop at MaxAttempts")
	}
	j := Backoff{Base: time.Second, Max: time.Minute, Jitter: 0.2}
	for range 100 {
		if d := j.Delay(3, 0); d < 3200*time.Millisecond || d > 4800*time.Millisecond {
			t.Fatalf("jittered delay %v outside 4s ± 20%%", d)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":         0,
		"120":      2 * time.Minute,
		"0":        0,
		"-5":       0,
		"soon":     0,
		"99999999": 24 * time.Hour,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
