package server

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBcryptSlot_BoundsConcurrency(t *testing.T) {
	s := &Server{bcryptSem: make(chan struct{}, 2)}
	var running, most atomic.Int32
	h := s.bcryptSlot(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond) // a bcrypt
		running.Add(-1)
	}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/v1/auth/login", nil)) })
	}
	wg.Wait()
	if got := most.Load(); got != 2 {
		t.Fatalf("at most %d ran at once, want 2", got)
	}
}
