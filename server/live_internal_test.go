package server

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop/store"
)

func TestLiveHub_SlowStreamDropped(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.FileName(1)), 1, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hub := newLiveHub(db, LiveConfig{Buffer: 2}.withDefaults())
	if err := hub.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	slow, _ := hub.subscribe(7)
	fast, _ := hub.subscribe(7)
	other, _ := hub.subscribe(8)
	done := make(chan struct{})
	go func() { // the follower never waits for a stream
		defer close(done)
		for i := int64(1); i <= 10; i++ {
			hub.deliver([]store.LiveChange{{ID: i, StoreID: 7}})
			<-fast.ch
		}
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("deliver blocked on a slow stream")
	}
	select {
	case <-slow.gone:
	default:
		t.Fatal("the slow stream was not dropped")
	}
	select {
	case <-fast.gone:
		t.Fatal("a stream that keeps up was dropped")
	case <-other.gone:
		t.Fatal("another store's stream was dropped")
	default:
	}
	if n := hub.subscribers(); n != 2 {
		t.Errorf("%d subscribers, want 2", n)
	}
	hub.unsubscribe(slow) // the handler's deferred unsubscribe after a drop
	hub.stop()
	if _, err := hub.subscribe(7); err == nil {
		t.Error("a stopped hub took a stream")
	}
	<-fast.gone
}
