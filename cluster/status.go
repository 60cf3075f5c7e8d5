package cluster

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"github.com/couponpop/couponpop/litefs"
)

// NodeStatus is what a node looks like now.
type NodeStatus struct {
	Node       Node
	AppRunning bool   // the app process is alive
	Healthy    bool   // GET /healthz answered 200
	HealthErr  string // why not, when running
	Mounts     []MountStatus
}

// MountStatus is what one LiteFS mount looks like now.
type MountStatus struct {
	Mount   Mount
	Running bool        // the litefs process is alive
	Info    litefs.Info // its /info, when InfoErr is ""
	InfoErr string
	// HasDB is true once the shard's database exists on the mount; TXID is
	// then its position, or PosErr says why it could not be read.
	HasDB  bool
	TXID   uint64
	PosErr string
}

// Status inspects the cluster recorded in dir: processes, /healthz, /info
// and database positions, each probe bounded by 2 s.
func Status(ctx context.Context, dir string) (*Cluster, []NodeStatus, error) {
	c, err := Load(dir)
	if err != nil {
		return nil, nil, err
	}
	out := make([]NodeStatus, len(c.Nodes))
	_ = parallel(len(c.Nodes), func(i int) error {
		out[i] = nodeStatus(ctx, c.Nodes[i])
		return nil
	})
	return c, out, nil
}

func nodeStatus(ctx context.Context, n Node) NodeStatus {
	st := NodeStatus{Node: n, AppRunning: running(n.PID, n.Config)}
	if st.AppRunning {
		hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := healthy(hctx, n.URL)
		cancel()
		st.Healthy = err == nil
		if err != nil {
			st.HealthErr = err.Error()
		}
	}
	for _, m := range n.Mounts {
		ms := MountStatus{Mount: m, Running: running(m.PID, m.Config)}
		if ms.Running {
			ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
			info, err := litefs.NewClient(m.URL).Info(ictx)
			cancel()
			if err != nil {
				ms.InfoErr = err.Error()
			} else {
				ms.Info = info
			}
			txid, err := litefs.ReadPosition(m.DBPath())
			ms.HasDB = !errors.Is(err, fs.ErrNotExist)
			if ms.HasDB && err != nil {
				ms.PosErr = err.Error()
			}
			ms.TXID = txid
		}
		st.Mounts = append(st.Mounts, ms)
	}
	return st
}
