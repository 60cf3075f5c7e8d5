package push

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// MaxPayloadBytes caps the JSON payload before encryption. Push services take
// 4096 bytes of encrypted record (about 3993 bytes of plaintext); the issue
// asks for under 3 KB, leaving room for header growth.
const MaxPayloadBytes = 3000

// ErrPayloadTooLarge means a payload stays over MaxPayloadBytes even with an
// empty body (its title or URL is too long).
var ErrPayloadTooLarge = errors.New("push: payload too large")

// ellipsis marks a body cut to fit.
const ellipsis = "…"

// Urgency is the Web Push Urgency header (RFC 8030 §5.3).
type Urgency string

// The four urgencies.
const (
	UrgencyVeryLow Urgency = "very-low"
	UrgencyLow     Urgency = "low"
	UrgencyNormal  Urgency = "normal"
	UrgencyHigh    Urgency = "high"
)

// Default delivery settings for a Message that leaves them zero.
const (
	DefaultTTL     = 24 * time.Hour
	DefaultUrgency = UrgencyNormal
)

// Message is one notification for one member. The payload the device
// receives is Payload's JSON; TTL, Urgency and Topic become headers. Its
// own JSON is how an outbox keeps a message decided whole (the trace id is
// the outbox row's).
type Message struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	URL     string `json:"url,omitempty"` // opened on click; may be empty
	TraceID string `json:"-"`             // the outbox message id; the device deduplicates on it

	TTL     time.Duration `json:"ttl,omitempty"`     // how long the push service may hold it; 0 → DefaultTTL
	Urgency Urgency       `json:"urgency,omitempty"` // "" → DefaultUrgency
	Topic   string        `json:"topic,omitempty"`   // collapses an older undelivered message with the same topic; see Topic
}

// Payload is the JSON the service worker receives.
type Payload struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	URL     string `json:"url,omitempty"`
	TraceID string `json:"traceId,omitempty"`
}

// Payload encodes the message for the wire, at most MaxPayloadBytes long.
// When it is too long the body is cut on a rune boundary, as little as
// possible, and ends in "…"; if even an empty body does not fit, it returns
// ErrPayloadTooLarge.
func (m Message) Payload() ([]byte, error) {
	p := Payload{Title: m.Title, Body: m.Body, URL: m.URL, TraceID: m.TraceID}
	b, err := encodePayload(p)
	if err != nil || len(b) <= MaxPayloadBytes {
		return b, err
	}
	// Binary search for the longest rune-aligned prefix that fits: JSON
	// escaping makes the encoded size of a prefix not a simple function of
	// its length in bytes.
	body := m.Body
	var best []byte
	lo, hi := 0, len(body) // invariant: prefixes ending at ≤ lo fit (or lo is 0)
	for lo < hi {
		mid := runeStart(body, (lo+hi+1)/2)
		if mid <= lo {
			// No rune boundary in (lo, mid]: try the next one up.
			mid = nextRuneStart(body, lo)
			if mid > hi {
				break
			}
		}
		p.Body = body[:mid] + ellipsis
		c, err := encodePayload(p)
		if err != nil {
			return nil, err
		}
		if len(c) <= MaxPayloadBytes {
			lo, best = mid, c
		} else {
			hi = mid - 1
		}
	}
	if best != nil {
		return best, nil
	}
	p.Body = ""
	if b, err = encodePayload(p); err == nil && len(b) <= MaxPayloadBytes {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %d bytes without a body", ErrPayloadTooLarge, len(b))
}

// encodePayload is json.Marshal without HTML escaping (which would triple
// the size of <, > and &).
func encodePayload(p Payload) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("push: encode payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// nextRuneStart is the start of the rune after the one at i (or len(s)).
func nextRuneStart(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return i + n
}

// ttlSeconds is the TTL header value.
func (m Message) ttlSeconds() int {
	if m.TTL <= 0 {
		return int(DefaultTTL / time.Second)
	}
	return int(m.TTL / time.Second)
}

// urgency is the Urgency header value.
func (m Message) urgency() Urgency {
	switch m.Urgency {
	case UrgencyVeryLow, UrgencyLow, UrgencyNormal, UrgencyHigh:
		return m.Urgency
	}
	return DefaultUrgency
}

// MaxTopicLength is RFC 8030 §5.4's limit on a Topic.
const MaxTopicLength = 32

// Topic returns the Topic for messages to memberID about eventID: 32
// characters of unpadded URL-safe base64 (the RFC's alphabet and limit) of a
// SHA-256 over both ids. A newer message with the same topic replaces an
// older one still queued at the push service.
func Topic(memberID, eventID int64) string {
	sum := sha256.Sum256([]byte("couponpop:" + strconv.FormatInt(memberID, 10) + ":" + strconv.FormatInt(eventID, 10)))
	return base64.RawURLEncoding.EncodeToString(sum[:24]) // 24 bytes → 32 chars
}

// ValidTopic reports whether s is a usable Topic header: 1 to 32 characters
// of the URL-safe base64 alphabet.
func ValidTopic(s string) bool {
	if len(s) == 0 || len(s) > MaxTopicLength {
		return false
	}
	for i := range len(s) {
		c := s[i]
		ok := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
