//go:build integration

package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// consulStandIn serves, on loopback, the handful of Consul HTTP calls that
// LiteFS v0.5.14's Consul lease makes (superfly/litefs consul/consul.go,
// through hashicorp/consul/api), so failover can be tested without Consul:
//
//	PUT /v1/catalog/register          (only with a key prefix in the URL)
//	PUT /v1/session/create            {"Name","Node","Behavior","LockDelay":"1000ms","TTL":"10s"} → {"ID"}
//	PUT /v1/session/renew/<id>        → [session], or 404 once it expired
//	PUT /v1/session/destroy/<id>      → true
//	GET /v1/kv/<key>                  → [{"Key","Value"(base64),"Session",...}], or 404
//	PUT /v1/kv/<key>?acquire=<id>     → true or false (held, or in its lock-delay)
//	PUT /v1/kv/<key>?release=<id>     → true or false
//	PUT /v1/kv/<key>                  → true (the cluster id key)
//
// Sessions expire exactly TTL after their last renewal (real Consul may
// wait up to twice the TTL). An expired or destroyed session deletes the
// keys it holds (LiteFS asks for Behavior "delete") and blocks them for its
// lock-delay. Anything else answers 404, which shows in LiteFS's log.
type consulStandIn struct {
	URL string

	mu       sync.Mutex
	index    uint64
	sessions map[string]*consulSession
	kv       map[string]*consulKV
	blocked  map[string]time.Time // key → end of its lock-delay
	calls    map[string]int       // "PUT /v1/session/create" → count
}

type consulSession struct {
	ID, Name, Node, Behavior string
	TTL, LockDelay           time.Duration
	expires                  time.Time
}

type consulKV struct {
	Value                               []byte
	Session                             string
	Flags                               uint64
	LockIndex, CreateIndex, ModifyIndex uint64
}

// newConsulStandIn starts a stand-in on loopback, closed when t ends.
func newConsulStandIn(t *testing.T) *consulStandIn {
	c := &consulStandIn{sessions: map[string]*consulSession{}, kv: map[string]*consulKV{},
		blocked: map[string]time.Time{}, calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

// Calls returns how often each route was called.
func (c *consulStandIn) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func (c *consulStandIn) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.expire(now)
	path := r.URL.Path
	route := r.Method + " " + path
	for _, prefix := range []string{"/v1/session/renew/", "/v1/session/destroy/", "/v1/kv/"} {
		if strings.HasPrefix(path, prefix) {
			route = r.Method + " " + prefix
		}
	}
	c.calls[route]++
	w.Header().Set("X-Consul-Index", strconv.FormatUint(c.index, 10))
	switch route {
	case "PUT /v1/catalog/register":
		writeConsul(w, true)
	case "PUT /v1/session/create":
		c.createSession(w, body, now)
	case "PUT /v1/session/renew/":
		s := c.sessions[strings.TrimPrefix(path, "/v1/session/renew/")]
		if s == nil {
			http.Error(w, "Session id not found", http.StatusNotFound)
			return
		}
		s.expires = now.Add(s.TTL)
		writeConsul(w, []map[string]any{{"ID": s.ID, "Name": s.Name, "Node": s.Node, "Behavior": s.Behavior,
			"TTL": s.TTL.String(), "LockDelay": s.LockDelay.Nanoseconds()}})
	case "PUT /v1/session/destroy/":
		if s := c.sessions[strings.TrimPrefix(path, "/v1/session/destroy/")]; s != nil {
			c.invalidate(s, now)
		}
		writeConsul(w, true)
	case "GET /v1/kv/":
		c.getKey(w, strings.TrimPrefix(path, "/v1/kv/"))
	case "PUT /v1/kv/":
		c.putKey(w, r, strings.TrimPrefix(path, "/v1/kv/"), body, now)
	default:
		http.Error(w, "the Consul stand-in does not serve "+r.Method+" "+path, http.StatusNotFound)
	}
}

func writeConsul(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (c *consulStandIn) createSession(w http.ResponseWriter, body []byte, now time.Time) {
	var in struct {
		Name, Node, Behavior string
		LockDelay, TTL       json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "bad session: "+err.Error(), http.StatusBadRequest)
		return
	}
	ttl, err1 := consulDuration(in.TTL, 0)
	lockDelay, err2 := consulDuration(in.LockDelay, 15*time.Second) // Consul's default lock-delay
	if err1 != nil || err2 != nil || ttl <= 0 {
		http.Error(w, fmt.Sprintf("bad TTL %s or LockDelay %s", in.TTL, in.LockDelay), http.StatusBadRequest)
		return
	}
	if in.Behavior == "" {
		in.Behavior = "release"
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	s := &consulSession{ID: hex.EncodeToString(id), Name: in.Name, Node: in.Node, Behavior: in.Behavior,
		TTL: ttl, LockDelay: lockDelay, expires: now.Add(ttl)}
	c.sessions[s.ID] = s
	c.index++
	writeConsul(w, map[string]string{"ID": s.ID})
}

// consulDuration reads "10s" or "1000ms" (or nanoseconds as a number).
func consulDuration(raw json.RawMessage, def time.Duration) (time.Duration, error) {
	if len(raw) == 0 {
		return def, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return time.ParseDuration(s)
	}
	var ns int64
	err := json.Unmarshal(raw, &ns)
	return time.Duration(ns), err
}

// expire invalidates every session past its TTL.
func (c *consulStandIn) expire(now time.Time) {
	for _, s := range c.sessions {
		if now.After(s.expires) {
			c.invalidate(s, now)
		}
	}
}

// invalidate ends s: its keys are deleted (or released) and blocked for
// its lock-delay.
func (c *consulStandIn) invalidate(s *consulSession, now time.Time) {
	delete(c.sessions, s.ID)
	c.index++
	for key, e := range c.kv {
		if e.Session != s.ID {
			continue
		}
		c.blocked[key] = now.Add(s.LockDelay)
		if s.Behavior == "delete" {
			delete(c.kv, key)
		} else {
			e.Session, e.ModifyIndex = "", c.index
		}
	}
}

func (c *consulStandIn) getKey(w http.ResponseWriter, key string) {
	e := c.kv[key]
	if e == nil {
		http.NotFound(w, nil)
		return
	}
	writeConsul(w, []map[string]any{{"Key": key, "Value": e.Value, "Session": e.Session, "Flags": e.Flags,
		"LockIndex": e.LockIndex, "CreateIndex": e.CreateIndex, "ModifyIndex": e.ModifyIndex}})
}

func (c *consulStandIn) putKey(w http.ResponseWriter, r *http.Request, key string, value []byte, now time.Time) {
	q := r.URL.Query()
	e := c.kv[key]
	switch {
	case q.Has("acquire"):
		sid := q.Get("acquire")
		if c.sessions[sid] == nil {
			http.Error(w, "invalid session "+sid, http.StatusInternalServerError)
			return
		}
		if e != nil && e.Session != "" && e.Session != sid {
			writeConsul(w, false) // held by another session
			return
		}
		if (e == nil || e.Session != sid) && now.Before(c.blocked[key]) {
			writeConsul(w, false) // in the lock-delay of the session that lost it
			return
		}
		c.index++
		if e == nil {
			e = &consulKV{CreateIndex: c.index}
			c.kv[key] = e
		}
		if e.Session != sid {
			e.LockIndex++
		}
		e.Value, e.Session, e.ModifyIndex = value, sid, c.index
		writeConsul(w, true)
	case q.Has("release"):
		if e == nil || e.Session != q.Get("release") {
			writeConsul(w, false)
			return
		}
		// As Consul does, a release also writes the request's body as the
		// value: LiteFS releases with an empty one when it stops, so the
		// next node to start finds no primary rather than the stopped one.
		c.index++
		e.Value, e.Session, e.ModifyIndex = value, "", c.index
		writeConsul(w, true)
	default:
		c.index++
		if e == nil {
			e = &consulKV{CreateIndex: c.index}
			c.kv[key] = e
		}
		e.Value, e.ModifyIndex = value, c.index
		if f := q.Get("flags"); f != "" {
			e.Flags, _ = strconv.ParseUint(f, 10, 64)
		}
		writeConsul(w, true)
	}
}
