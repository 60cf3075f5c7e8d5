package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": code}})
}

// TestSession_RefreshesOnExpiredToken: an expired access token is traded
// once for new tokens, which Saved receives, and the request is retried.
func TestSession_RefreshesOnExpiredToken(t *testing.T) {
	var refreshes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/auth/refresh":
			refreshes.Add(1)
			writeJSON(w, 200, map[string]any{"data": Tokens{AccessToken: "new", RefreshToken: "r2", ExpiresIn: 900}})
		case "/api/v1/members/me":
			if r.Header.Get("Authorization") != "Bearer new" {
				apiError(w, 401, "EXPIRED_TOKEN")
				return
			}
			writeJSON(w, 200, map[string]any{"data": Member{ID: 7, Username: "사장"}})
		}
	}))
	defer srv.Close()
	var saved Tokens
	c := New(srv.URL).WithSession(NewSession(Tokens{AccessToken: "old", RefreshToken: "r1"}, func(t Tokens) error { saved = t; return nil }))
	m, err := c.Me(context.Background())
	if err != nil || m.ID != 7 {
		t.Fatalf("Me = %+v, %v", m, err)
	}
	if saved.RefreshToken != "r2" || refreshes.Load() != 1 {
		t.Fatalf("saved %+v after %d refreshes", saved, refreshes.Load())
	}
}

// TestSession_RefreshRefused: a spent refresh token leaves the original
// EXPIRED_TOKEN error for the caller.
func TestSession_RefreshRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/auth/refresh" {
			apiError(w, 401, "INVALID_TOKEN")
			return
		}
		apiError(w, 401, "EXPIRED_TOKEN")
	}))
	defer srv.Close()
	c := New(srv.URL).WithSession(NewSession(Tokens{AccessToken: "old", RefreshToken: "spent"}, nil))
	if _, err := c.Me(context.Background()); !IsCode(err, "EXPIRED_TOKEN") {
		t.Fatalf("err = %v, want EXPIRED_TOKEN", err)
	}
}

// TestFollow_ResumesWithLastEventID: the stream is cut after two
// messages; Follow reconnects with the last id and gets the rest, in
// order, skipping heartbeats.
func TestFollow_ResumesWithLastEventID(t *testing.T) {
	var conns atomic.Int32
	var resumedFrom atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := conns.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		start := 1
		if n > 1 {
			resumedFrom.Store(r.Header.Get("Last-Event-ID"))
			fmt.Sscan(r.Header.Get("Last-Event-ID"), &start)
			start++
		}
		fmt.Fprint(w, ": heartbeat\n\n")
		for i := start; i < start+2 && i <= 4; i++ {
			fmt.Fprintf(w, "id: %d\nevent: claim\ndata: {\"type\":\"claim\",\"eventId\":9,\"issued\":%d,\"used\":0,\"remaining\":%d}\n\n", i, i, 10-i)
		}
		w.(http.Flusher).Flush()
		if start > 4 || n > 2 {
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []int
	err := New(srv.URL).Follow(ctx, 1, func(ev LiveEvent) {
		got = append(got, ev.Issued)
		if len(got) == 4 {
			cancel()
		}
	}, func(error) {})
	if err != context.Canceled {
		t.Fatalf("Follow = %v", err)
	}
	if fmt.Sprint(got) != "[1 2 3 4]" || resumedFrom.Load() != "2" {
		t.Fatalf("got %v, resumed from %v", got, resumedFrom.Load())
	}
}

// TestFollow_NotFoundIsPermanent: a server without /live answers 404 and
// Follow gives up at once, so the dashboard can poll instead.
func TestFollow_NotFoundIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { apiError(w, 404, "NOT_FOUND") }))
	defer srv.Close()
	err := New(srv.URL).Follow(context.Background(), 1, func(LiveEvent) {}, func(error) {})
	if !Permanent(err) {
		t.Fatalf("Follow = %v, want a permanent 404", err)
	}
}
