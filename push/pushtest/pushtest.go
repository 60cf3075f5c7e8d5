// Package pushtest is a local Web Push service for tests. It issues
// subscriptions whose private keys it keeps, and for each POST it checks the
// VAPID JWT (RFC 8292: ES256, aud, exp, sub), decrypts the aes128gcm payload
// (RFC 8291), records the message and answers as scripted: 201 by default,
// or 410, 429 (with Retry-After), 500 … per endpoint.
package pushtest

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop/push"
)

// Reply is one scripted answer.
type Reply struct {
	Status     int
	RetryAfter string // Retry-After header value; "" sends none
}

// Received is one request the service took, valid or not.
type Received struct {
	Endpoint string
	Status   int    // what the service answered
	Err      string // why it was rejected; "" if it verified and decrypted

	Payload []byte // decrypted plaintext (padding removed)
	TTL     string // the TTL header
	Urgency string
	Topic   string
	Subject string // the JWT's sub
	Key     string // the VAPID public key from the Authorization header
	At      time.Time
}

// Server is the push service. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	// VAPIDPublicKey, if set, is the only application-server key accepted.
	VAPIDPublicKey string

	mu       sync.Mutex
	subs     map[string]*ecdh.PrivateKey // by path
	auth     map[string][]byte
	script   map[string][]Reply // by path; consumed front first
	sticky   map[string]Reply   // by path; answers once the script is empty
	received []Received
	now      func() time.Time
}

// NewServer starts a service on 127.0.0.1 and closes it when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		subs:   make(map[string]*ecdh.PrivateKey),
		auth:   make(map[string][]byte),
		script: make(map[string][]Reply),
		sticky: make(map[string]Reply),
		now:    time.Now,
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	tb.Cleanup(s.Close)
	return s
}

// NewSubscription creates a subscription on this service, as a browser's
// pushManager.subscribe would: a fresh P-256 key and 16-byte auth secret.
func (s *Server) NewSubscription(tb testing.TB) push.Subscription {
	tb.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	id := make([]byte, 12)
	rand.Read(id)
	path := "/wpush/" + base64.RawURLEncoding.EncodeToString(id)
	s.mu.Lock()
	s.subs[path] = key
	s.auth[path] = auth
	s.mu.Unlock()
	return push.Subscription{
		Endpoint: s.URL + path,
		P256dh:   base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}
}

// Script queues replies for endpoint, used one per request; after them the
// endpoint answers its Always reply, or 201.
func (s *Server) Script(endpoint string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pathOf(endpoint)
	s.script[p] = append(s.script[p], replies...)
}

// Always makes endpoint answer r once its script is empty (410 for an
// unsubscribed device, say).
func (s *Server) Always(endpoint string, r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sticky[s.pathOf(endpoint)] = r
}

// Received returns a copy of every request taken so far, in arrival order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Delivered returns the payloads answered 2xx, in arrival order.
func (s *Server) Delivered() []Received {
	var out []Received
	for _, r := range s.Received() {
		if r.Status >= 200 && r.Status < 300 {
			out = append(out, r)
		}
	}
	return out
}

// pathOf accepts a full endpoint URL or a path.
func (s *Server) pathOf(endpoint string) string {
	return strings.TrimPrefix(endpoint, s.URL)
}

// handle verifies, decrypts, records and answers one push.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	rec := Received{
		Endpoint: s.URL + r.URL.Path,
		TTL:      r.Header.Get("TTL"),
		Urgency:  r.Header.Get("Urgency"),
		Topic:    r.Header.Get("Topic"),
		At:       s.now(),
	}
	status, err := s.accept(r, &rec)
	var reply Reply
	if err == nil {
		reply = s.nextReply(r.URL.Path)
		status = reply.Status
	} else {
		rec.Err = err.Error()
	}
	rec.Status = status
	s.mu.Lock()
	s.received = append(s.received, rec)
	s.mu.Unlock()
	if reply.RetryAfter != "" {
		w.Header().Set("Retry-After", reply.RetryAfter)
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", rec.Endpoint+"/msg")
	}
	w.WriteHeader(status)
	if err != nil {
		fmt.Fprintln(w, err)
	}
}

// nextReply pops the script for path.
func (s *Server) nextReply(path string) Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.script[path]; len(q) > 0 {
		s.script[path] = q[1:]
		return q[0]
	}
	if r, ok := s.sticky[path]; ok {
		return r
	}
	return Reply{Status: http.StatusCreated}
}

// accept checks the request as a push service must and decrypts its body
// into rec. On error it returns the status to answer.
func (s *Server) accept(r *http.Request, rec *Received) (int, error) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, fmt.Errorf("method %s", r.Method)
	}
	s.mu.Lock()
	key, auth := s.subs[r.URL.Path], s.auth[r.URL.Path]
	s.mu.Unlock()
	if key == nil {
		return http.StatusNotFound, fmt.Errorf("no subscription %s", r.URL.Path)
	}
	if rec.TTL == "" {
		return http.StatusBadRequest, fmt.Errorf("no TTL header")
	}
	if rec.Topic != "" && !push.ValidTopic(rec.Topic) {
		return http.StatusBadRequest, fmt.Errorf("bad Topic %q", rec.Topic)
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return http.StatusUnsupportedMediaType, fmt.Errorf("Content-Encoding %q", ce)
	}
	claims, vapidKey, err := verifyVAPID(r.Header.Get("Authorization"), "http://"+r.Host, s.now())
	if err != nil {
		return http.StatusUnauthorized, err
	}
	rec.Subject, rec.Key = claims.Subject, vapidKey
	if s.VAPIDPublicKey != "" && vapidKey != s.VAPIDPublicKey {
		return http.StatusForbidden, fmt.Errorf("VAPID key %s is not the subscription's", vapidKey)
	}
	payload, err := decrypt(r.Body, key, auth)
	if err != nil {
		return http.StatusBadRequest, err
	}
	rec.Payload = payload
	return 0, nil
}
