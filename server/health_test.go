package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
)

// lagRoles is a replica of every shard that knows the lag of some.
type lagRoles struct {
	primary string
	lag     map[int]time.Duration
}

func (r lagRoles) Writer(int) (bool, string) { return false, r.primary }

func (r lagRoles) Lag(shard int) (time.Duration, bool) {
	lag, ok := r.lag[shard]
	return lag, ok
}

// TestReadyz_Lag: with Roles that report lag, /readyz and /metrics show
// each shard's replication lag where it is known, and only there.
func TestReadyz_Lag(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(shard int) *store.DB {
		db, err := store.Open(ctx, filepath.Join(dir, store.FileName(shard)), shard, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	shards := &Shards{Map: geo.DefaultShardMap(), Global: open(0), District: map[int]*store.DB{1: open(1)}}
	roles := lagRoles{primary: "http://127.0.0.1:1", lag: map[int]time.Duration{1: 1500 * time.Millisecond}}
	srv, err := New(Config{JWTSecret: []byte(strings.Repeat("s", 32)), Roles: roles}, shards)
	if err != nil {
		t.Fatal(err)
	}

	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var body struct{ Shards []shardStatus }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK || len(body.Shards) != 2 {
		t.Fatalf("/readyz = %d %s (%v)", rec.Code, rec.Body, err)
	}
	if s := body.Shards[0]; s.LagMillis != nil {
		t.Errorf("shard 0 lag %d, want none (unknown)", *s.LagMillis)
	}
	if s := body.Shards[1]; s.LagMillis == nil || *s.LagMillis != 1500 || s.Role != roleReplica {
		t.Errorf("shard 1 = %+v, want a replica 1500 ms behind", s)
	}

	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	metrics := rec.Body.String()
	if !strings.Contains(metrics, `couponpop_replication_lag_seconds{shard="1"} 1.5`+"\n") ||
		strings.Contains(metrics, `couponpop_replication_lag_seconds{shard="0"}`) {
		t.Errorf("/metrics lag lines wrong:\n%s", metrics)
	}
}
