//go:build integration

package store_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop/cluster"
	"github.com/couponpop/couponpop/store"
)

// BenchmarkClaim_LiteFS is BenchmarkClaim with the shard file on a LiteFS
// mount: the primary of a 2-node local cluster (static lease, no apps), so
// every commit is shipped to the replica and fsynced by LiteFS. It skips
// where LiteFS cannot mount.
//
//	go test -tags "sqlite_fts5 integration" -run '^$' -bench BenchmarkClaim_LiteFS ./store/
func BenchmarkClaim_LiteFS(b *testing.B) {
	if err := cluster.CheckFUSE(); err != nil {
		b.Skipf("LiteFS cannot mount here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := b.TempDir()
	c, err := cluster.Up(ctx, cluster.Spec{Dir: dir, Nodes: 2, Shards: []int{1}, BasePort: freeBase(b), NoApp: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := cluster.Down(dir); err != nil {
			b.Error(err)
		}
	})
	_, m, _ := c.Primary(1)
	var files atomic.Int64 // a fresh database per run: LiteFS holds many on one mount
	for _, mode := range []struct {
		name string
		opts store.ClaimOptions
	}{{"batched", store.ClaimOptions{}}, {"one-per-tx", store.ClaimOptions{BatchMax: 1}}} {
		b.Run(mode.name, func(b *testing.B) {
			path := filepath.Join(m.Dir, fmt.Sprintf("bench-%d.db", files.Add(1)))
			db, eventID := openClaimShardAt(b, path, store.Options{}, mode.opts, 10_000_000)
			claimLoop(b, db, eventID, false)
		})
	}
}

// freeBase returns a base port whose shard-1 LiteFS ports for 2 nodes are
// free.
func freeBase(tb testing.TB) int {
	for base := 41000 + os.Getpid()%50*100; base < 60000; base += 1000 {
		free := true
		for n := 1; n <= 2 && free; n++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cluster.LiteFSPort(base, 1, n)))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	tb.Fatal("no free base port")
	return 0
}
