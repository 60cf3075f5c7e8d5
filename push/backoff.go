package push

import (
	"math/rand/v2"
	"time"
)

// Backoff decides when to retry a RetryLater and when to give up.
type Backoff struct {
	Base        time.Duration // delay after the first failure
	Max         time.Duration // cap on the exponential delay (not on Retry-After)
	MaxAttempts int           // attempts in all, the first included; then give up
	// Jitter spreads delays by up to ±Jitter of their length (0 to 1), so
	// many messages failing together do not retry together.
	Jitter float64
}

// DefaultBackoff retries after 2 s, 4 s, 8 s … up to 10 minutes, for 10
// attempts (about 25 minutes in all), ±20%.
func DefaultBackoff() Backoff {
	return Backoff{Base: 2 * time.Second, Max: 10 * time.Minute, MaxAttempts: 10, Jitter: 0.2}
}

// Delay is the wait before attempt number attempt+1, after attempt
// attempts have failed (attempt ≥ 1). A Retry-After longer than the
// computed delay wins: the push service asked for it.
func (b Backoff) Delay(attempt int, retryAfter time.Duration) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if b.Jitter > 0 {
		d += time.Duration((rand.Float64()*2 - 1) * b.Jitter * float64(d))
	}
	return max(d, retryAfter)
}

// GiveUp reports whether a message that has failed attempt times should be
// recorded as failed rather than retried.
func (b Backoff) GiveUp(attempt int) bool { return b.MaxAttempts > 0 && attempt >= b.MaxAttempts }
