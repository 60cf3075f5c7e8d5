package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// KillApp kills node name's app with SIGKILL, as a crash would, and waits
// until it is gone. Its LiteFS mounts keep running.
func (c *Cluster) KillApp(name string) error {
	n, ok := c.Node(name)
	if !ok {
		return fmt.Errorf("cluster: no node %q", name)
	}
	if err := kill([]target{{n.Name + " app", n.PID, n.Config}}); err != nil {
		return err
	}
	n.PID = 0
	return c.save()
}

// KillNode kills node name's app and LiteFS mounts with SIGKILL, as a crash
// of the machine would, waits until they are gone and unmounts their dead
// FUSE mounts. Their data stays for StartNode.
func (c *Cluster) KillNode(name string) error {
	n, ok := c.Node(name)
	if !ok {
		return fmt.Errorf("cluster: no node %q", name)
	}
	targets := []target{{n.Name + " app", n.PID, n.Config}}
	for _, m := range n.Mounts {
		targets = append(targets, target{fmt.Sprintf("litefs shard %d on %s", m.Shard, n.Name), m.PID, m.Config})
	}
	if err := kill(targets); err != nil {
		return err
	}
	n.PID = 0
	for i := range n.Mounts {
		n.Mounts[i].PID = 0
		if err := unmountAll(n.Mounts[i].Dir); err != nil {
			return err
		}
	}
	return c.save()
}

// StartNode starts whatever of node name is not running: its LiteFS mounts,
// each ready in whatever role it now has (a replica once it has caught up
// with its primary), then its app, ready once it answers GET /healthz.
// Each wait is bounded by timeout. It records the pids in cluster.json.
func (c *Cluster) StartNode(ctx context.Context, name string, timeout time.Duration) error {
	n, ok := c.Node(name)
	if !ok {
		return fmt.Errorf("cluster: no node %q", name)
	}
	for i := range n.Mounts {
		m := &n.Mounts[i]
		if running(m.PID, m.Config) {
			continue
		}
		if err := unmountAll(m.Dir); err != nil {
			return err
		}
		p, err := start(fmt.Sprintf("litefs shard %d on %s", m.Shard, n.Name), c.LiteFSBin,
			[]string{"mount", "-config", m.Config}, filepath.Dir(m.Config), m.Log)
		if err != nil {
			return err
		}
		m.PID = p.pid()
		if err := c.save(); err != nil {
			return err
		}
		if err := waitFor(ctx, timeout, p, m.Log, "ready", func(ctx context.Context) error {
			return mountReady(ctx, *m, true)
		}); err != nil {
			return err
		}
	}
	if c.AppBin == "" || running(n.PID, n.Config) {
		return nil
	}
	p, err := start(n.Name+" app", c.AppBin, []string{"serve", "--config", n.Config}, filepath.Dir(n.Log), n.Log)
	if err != nil {
		return err
	}
	n.PID = p.pid()
	if err := c.save(); err != nil {
		return err
	}
	return waitFor(ctx, timeout, p, n.Log, "GET /healthz 200", func(ctx context.Context) error {
		return healthy(ctx, n.URL)
	})
}

// kill sends SIGKILL to every running target's process group and waits up
// to 5 s for them to be gone.
func kill(targets []target) error {
	for _, t := range targets {
		if running(t.pid, t.marker) {
			if err := syscall.Kill(-t.pid, syscall.SIGKILL); err != nil {
				_ = syscall.Kill(t.pid, syscall.SIGKILL)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var alive []string
		for _, t := range targets {
			if running(t.pid, t.marker) {
				alive = append(alive, fmt.Sprintf("%s (pid %d)", t.name, t.pid))
			}
		}
		if len(alive) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster: still running after SIGKILL: %s", strings.Join(alive, ", "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
