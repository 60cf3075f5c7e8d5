package server

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestReplicaConfirmer: a position is confirmed once every peer that is up
// has applied it and at least one has; a peer that refuses connections is
// down and not waited for; a peer that is up but behind fails it.
func TestReplicaConfirmer(t *testing.T) {
	peer := func(status int, delay time.Duration) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/internal/position" || r.URL.Query().Get("shard") != "3" || r.URL.Query().Get("wait") != "42" {
				t.Errorf("peer asked %s", r.URL)
			}
			time.Sleep(delay)
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()

	applied, slow, behind := peer(http.StatusOK, 0), peer(http.StatusOK, 100*time.Millisecond), peer(http.StatusGatewayTimeout, 0)
	for _, tt := range []struct {
		name    string
		peers   []string
		wantErr string
	}{
		{"one applied", []string{applied}, ""},
		{"waits for the slow one", []string{applied, slow}, ""},
		{"a down peer is skipped", []string{down, applied}, ""},
		{"a peer behind fails it", []string{applied, behind}, "answered 504"},
		{"all down", []string{down, down}, "all 2 replicas are down"},
		{"none", nil, "no replica configured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := ReplicaConfirmer(3, tt.peers, "")(context.Background(), 42)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one about %q", err, tt.wantErr)
			}
			if strings.Contains(tt.name, "slow") && time.Since(start) < 100*time.Millisecond {
				t.Fatalf("returned after %s, before the slow peer answered", time.Since(start))
			}
		})
	}
}
