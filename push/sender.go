package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// ErrEndpointNotAllowed is the Failed result's error for an endpoint outside
// the Sender's AllowList.
var ErrEndpointNotAllowed = errors.New("push: endpoint not allowed")

// Subscription is a browser's PushSubscription: where to post, and the keys
// to encrypt for (base64 as the browser gives them).
type Subscription struct {
	Endpoint string
	P256dh   string
	Auth     string
}

// Outcome classifies one send attempt.
type Outcome int

// The outcomes. The zero value is not an outcome.
const (
	// Delivered: the push service accepted the message (2xx).
	Delivered Outcome = iota + 1
	// RetryLater: 429, 5xx or a transport error; retry after
	// Result.RetryAfter if set, else after the Backoff delay.
	RetryLater
	// Gone: 404 or 410; the subscription is dead and the caller deletes it.
	Gone
	// Failed: anything else (bad request, bad VAPID, payload too large,
	// endpoint not allowed); record it, do not retry.
	Failed
)

// String names the outcome for logs and metrics labels.
func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case RetryLater:
		return "retry_later"
	case Gone:
		return "gone"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Result is what one attempt came to.
type Result struct {
	Outcome    Outcome
	StatusCode int           // 0 when no response arrived
	RetryAfter time.Duration // from the Retry-After header of a 429 or 5xx; 0 if absent
	Err        error         // set unless Delivered
}

// Sender posts messages with the deployment's VAPID keys. It is safe for
// concurrent use.
type Sender struct {
	keys       VAPIDKeys
	subscriber string
	allow      AllowList
	client     *http.Client
	now        func() time.Time
}

// SenderConfig configures NewSender.
type SenderConfig struct {
	Keys VAPIDKeys
	// Subscriber is the contact in the VAPID JWT's sub: an e-mail address
	// (bare or with "mailto:") or an https URL. webpush-go v1.4.0 prefixes
	// "mailto:" to anything not starting with "https:", so NewSender strips a
	// "mailto:" given here.
	Subscriber string
	Allow      AllowList
	Client     *http.Client     // nil → a client with a 30 s timeout
	Now        func() time.Time // for Retry-After dates; nil → time.Now
}

// NewSender checks cfg and returns a Sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	keys, err := ParseVAPIDKeys(cfg.Keys.Public, cfg.Keys.Private)
	if err != nil {
		return nil, err
	}
	sub := strings.TrimSpace(cfg.Subscriber)
	sub = strings.TrimPrefix(sub, "mailto:")
	if sub == "" {
		return nil, errors.New("push: VAPID subscriber (contact e-mail or https URL) is required")
	}
	if !strings.HasPrefix(sub, "https:") && !strings.Contains(sub, "@") {
		return nil, fmt.Errorf("push: VAPID subscriber %q is neither an e-mail address nor an https URL", cfg.Subscriber)
	}
	s := &Sender{keys: keys, subscriber: sub, allow: cfg.Allow, client: cfg.Client, now: cfg.Now}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// PublicKey is the VAPID public key clients subscribe with.
func (s *Sender) PublicKey() string { return s.keys.Public }

// Send posts msg to sub once and classifies the answer. It never retries;
// the caller schedules a RetryLater with Backoff and deletes a Gone
// subscription.
func (s *Sender) Send(ctx context.Context, sub Subscription, msg Message) Result {
	if !s.allow.Allows(sub.Endpoint) {
		return Result{Outcome: Failed, Err: fmt.Errorf("%w: %s", ErrEndpointNotAllowed, sub.Endpoint)}
	}
	if msg.Topic != "" && !ValidTopic(msg.Topic) {
		return Result{Outcome: Failed, Err: fmt.Errorf("push: invalid topic %q", msg.Topic)}
	}
	payload, err := msg.Payload()
	if err != nil {
		return Result{Outcome: Failed, Err: err}
	}
	resp, err := webpush.SendNotificationWithContext(ctx, payload,
		&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}},
		&webpush.Options{
			HTTPClient:      s.client,
			Subscriber:      s.subscriber,
			Topic:           msg.Topic,
			TTL:             msg.ttlSeconds(),
			Urgency:         webpush.Urgency(msg.urgency()),
			VAPIDPublicKey:  s.keys.Public,
			VAPIDPrivateKey: s.keys.Private,
		})
	if err != nil {
		return classifyError(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return s.classify(resp, strings.TrimSpace(string(body)))
}

// classifyError sorts errors from before or instead of a response: those
// of the transport (http.Client.Do wraps them all in *url.Error) and of the
// context are transient; key and encryption problems are not.
func classifyError(err error) Result {
	var ue *url.Error
	if errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Result{Outcome: RetryLater, Err: fmt.Errorf("push: send: %w", err)}
	}
	return Result{Outcome: Failed, Err: fmt.Errorf("push: send: %w", err)}
}

// classify maps a response to a Result.
func (s *Sender) classify(resp *http.Response, body string) Result {
	code := resp.StatusCode
	r := Result{StatusCode: code}
	switch {
	case code >= 200 && code < 300:
		r.Outcome = Delivered
		return r
	case code == http.StatusNotFound || code == http.StatusGone:
		r.Outcome = Gone
	case code == http.StatusTooManyRequests || code >= 500:
		r.Outcome = RetryLater
		r.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), s.now())
	default:
		r.Outcome = Failed
	}
	r.Err = fmt.Errorf("push: %s answered %d: %s", hostOf(resp.Request), code, body)
	return r
}

// hostOf names the push service in errors without the endpoint's token.
func hostOf(req *http.Request) string {
	if req == nil || req.URL == nil {
		return "push service"
	}
	return req.URL.Host
}

// ParseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). It returns 0 for an absent, malformed or past value.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// maxRetryAfter bounds what a push service can ask for.
const maxRetryAfter = 24 * time.Hour
