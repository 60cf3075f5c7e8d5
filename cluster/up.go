package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/couponpop/couponpop/litefs"
)

// StopGrace is how long Down waits after SIGTERM before SIGKILL.
const StopGrace = 10 * time.Second

// Up starts the cluster of spec and returns once every LiteFS mount answers
// /info (primaries as primary, replicas with their initial replication done)
// and every app answers GET /healthz with 200. On failure it stops whatever
// it started. The processes outlive the caller: stop them with Down.
func Up(ctx context.Context, spec Spec) (_ *Cluster, err error) {
	spec = spec.withDefaults()
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if err := CheckFUSE(); err != nil {
		return nil, fmt.Errorf("cluster: LiteFS needs FUSE: %w", err)
	}
	if old, err := Load(dir); err == nil && old.anyRunning() {
		return nil, fmt.Errorf("cluster: %s already runs a cluster: run `couponpop cluster down --dir %s` first", dir, spec.Dir)
	}
	litefsBin, err := FindLiteFS(ctx, spec.LiteFSBin)
	if err != nil {
		return nil, err
	}
	appBin := ""
	if !spec.NoApp {
		if appBin, err = resolveApp(spec.AppBin); err != nil {
			return nil, err
		}
	}

	c := plan(spec, dir, litefsBin, appBin)
	if err := c.checkPorts(); err != nil {
		return nil, err
	}
	// A crashed earlier run can leave dead FUSE mounts behind.
	if err := unmountAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if c.jwtSecret, err = clusterSecret(dir); err != nil {
		return nil, err
	}
	if c.adminToken, err = keptSecret(dir, AdminTokenFile); err != nil {
		return nil, err
	}
	if err := c.writeConfigs(); err != nil {
		return nil, err
	}
	if err := c.save(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if derr := Down(dir); derr != nil {
				err = errors.Join(err, derr)
			}
		}
	}()

	if err := c.startMounts(ctx, spec); err != nil {
		return nil, err
	}
	if !spec.NoApp {
		if err := c.startApps(ctx, spec); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func resolveApp(path string) (string, error) {
	if path == "" {
		p, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("cluster: app binary: %w", err)
		}
		return p, nil
	}
	p, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cluster: app binary: %w", err)
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("cluster: app binary: %w", err)
	}
	return p, nil
}

// checkPorts fails when a port of the scheme is taken.
func (c *Cluster) checkPorts() error {
	check := func(url, what string) error {
		addr := strings.TrimPrefix(url, "http://")
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("cluster: %s port %s is in use (pick another base port): %w", what, addr, err)
		}
		return l.Close()
	}
	for _, n := range c.Nodes {
		if c.AppBin != "" {
			if err := check(n.URL, n.Name+" app"); err != nil {
				return err
			}
		}
		for _, m := range n.Mounts {
			if err := check(m.URL, fmt.Sprintf("%s shard %d LiteFS", n.Name, m.Shard)); err != nil {
				return err
			}
		}
	}
	return nil
}

// startMounts starts every `litefs mount`, saving pids as they start:
// first the primaries, then, once those are ready, the replicas, and waits
// until all are ready. On a Consul lease the first candidate up takes the
// lease, so the primaries must hold it before the others start.
func (c *Cluster) startMounts(ctx context.Context, spec Spec) error {
	type started struct {
		m *Mount
		p *proc
	}
	for _, primaries := range []bool{true, false} {
		var all []started
		for i := range c.Nodes {
			n := &c.Nodes[i]
			for j := range n.Mounts {
				m := &n.Mounts[j]
				if m.Primary != primaries {
					continue
				}
				name := fmt.Sprintf("litefs shard %d on %s", m.Shard, n.Name)
				p, err := start(name, c.LiteFSBin, []string{"mount", "-config", m.Config}, filepath.Dir(m.Config), m.Log)
				if err != nil {
					return err
				}
				m.PID = p.pid()
				spec.Logger.Info("litefs started", "node", n.Name, "shard", m.Shard, "role", m.Role(), "url", m.URL, "pid", m.PID)
				if err := c.save(); err != nil {
					return err
				}
				all = append(all, started{m, p})
			}
		}
		err := parallel(len(all), func(i int) error {
			s := all[i]
			return waitFor(ctx, spec.Timeout, s.p, s.m.Log, "ready "+s.m.Role(), func(ctx context.Context) error {
				return mountReady(ctx, *s.m, false)
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// mountReady checks that m's LiteFS answers /info in its role (in any role
// with a known primary when anyRole) and, on a replica, has finished its
// initial replication (.lag is no longer the "not synced" value).
func mountReady(ctx context.Context, m Mount, anyRole bool) error {
	info, err := litefs.NewClient(m.URL).Info(ctx)
	if err != nil {
		return err
	}
	switch {
	case anyRole && !info.IsPrimary && info.Primary.Hostname == "":
		return fmt.Errorf("no primary known")
	case !anyRole && info.IsPrimary != m.Primary:
		return fmt.Errorf("isPrimary=%v", info.IsPrimary)
	}
	if !info.IsPrimary {
		if _, err := litefs.ReadLag(m.Dir); err != nil {
			return err
		}
	}
	return nil
}

// startApps starts every node's `couponpop serve` and waits for /healthz.
func (c *Cluster) startApps(ctx context.Context, spec Spec) error {
	procs := make([]*proc, len(c.Nodes))
	for i := range c.Nodes {
		n := &c.Nodes[i]
		p, err := start(n.Name+" app", c.AppBin, []string{"serve", "--config", n.Config}, filepath.Dir(n.Log), n.Log)
		if err != nil {
			return err
		}
		n.PID = p.pid()
		spec.Logger.Info("app started", "node", n.Name, "url", n.URL, "pid", n.PID)
		if err := c.save(); err != nil {
			return err
		}
		procs[i] = p
	}
	return parallel(len(c.Nodes), func(i int) error {
		n := c.Nodes[i]
		return waitFor(ctx, spec.Timeout, procs[i], n.Log, "GET /healthz 200", func(ctx context.Context) error {
			return healthy(ctx, n.URL)
		})
	})
}

func healthy(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz: %s", resp.Status)
	}
	return nil
}

// parallel runs fn(0..n-1) concurrently and joins their errors.
func parallel(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// anyRunning reports whether a process of c still runs.
func (c *Cluster) anyRunning() bool {
	for _, n := range c.Nodes {
		if running(n.PID, n.Config) {
			return true
		}
		for _, m := range n.Mounts {
			if running(m.PID, m.Config) {
				return true
			}
		}
	}
	return false
}

// Down stops the cluster in dir: apps first, then LiteFS replicas, then
// primaries, each with SIGTERM to its process group and SIGKILL after
// StopGrace; then it unmounts any FUSE mount left under dir and records the
// stopped state. Data stays; Up in the same dir starts from it.
func Down(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	c, loadErr := Load(dir)
	var errs []error
	if loadErr == nil {
		var apps, replicas, primaries []target
		for _, n := range c.Nodes {
			apps = append(apps, target{n.Name + " app", n.PID, n.Config})
			for _, m := range n.Mounts {
				t := target{fmt.Sprintf("litefs shard %d on %s", m.Shard, n.Name), m.PID, m.Config}
				if m.Primary {
					primaries = append(primaries, t)
				} else {
					replicas = append(replicas, t)
				}
			}
		}
		for _, group := range [][]target{apps, replicas, primaries} {
			if err := stop(group, StopGrace); err != nil {
				errs = append(errs, err)
			}
		}
	} else if !errors.Is(loadErr, os.ErrNotExist) {
		errs = append(errs, loadErr)
	}
	if err := unmountAll(dir); err != nil {
		errs = append(errs, err)
	}
	if loadErr == nil && len(errs) == 0 {
		for i := range c.Nodes {
			c.Nodes[i].PID = 0
			for j := range c.Nodes[i].Mounts {
				c.Nodes[i].Mounts[j].PID = 0
			}
		}
		if err := c.save(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
