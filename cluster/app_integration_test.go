//go:build integration

package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/couponpop/couponpop/cluster"
	"github.com/couponpop/couponpop/litefs"
)

// fakeAppEnv makes the test binary act as `couponpop serve` (see TestMain).
const fakeAppEnv = "COUPONPOP_CLUSTER_TEST_FAKE_APP"

func TestMain(m *testing.M) {
	if os.Getenv(fakeAppEnv) == "1" {
		if err := fakeApp(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "fake app:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeNodeConfig holds the keys `couponpop serve --config` reads.
type fakeNodeConfig struct {
	Addr         string `yaml:"addr"`
	Data         string `yaml:"data"`
	AdvertiseURL string `yaml:"advertise-url"`
	ShardMap     string `yaml:"shard-map"`
	JWTSecret    string `yaml:"jwt-secret"`
	AdminToken   string `yaml:"admin-token"`
	Shards       []struct {
		ID        int      `yaml:"id"`
		Dir       string   `yaml:"dir"`
		LiteFSURL string   `yaml:"litefs-url"`
		Peers     []string `yaml:"peers"`
	} `yaml:"shards"`
}

// fakeApp stands in for `couponpop serve --config F`: it reads F strictly,
// tracks the role of each shard's LiteFS mount and serves GET /healthz (200
// once every shard has a known primary) and GET /role?shard=N.
func fakeApp(args []string) error {
	if len(args) != 3 || args[0] != "serve" || args[1] != "--config" {
		return fmt.Errorf("usage: serve --config F, got %q", args)
	}
	f, err := os.Open(args[2])
	if err != nil {
		return err
	}
	var cfg fakeNodeConfig
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	err = dec.Decode(&cfg)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", args[2], err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	trackers := map[int]*litefs.Tracker{}
	for _, s := range cfg.Shards {
		tr := litefs.NewTracker(litefs.NewClient(s.LiteFSURL))
		trackers[s.ID] = tr
		go func() { _ = tr.Run(ctx) }()
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		for id, tr := range trackers {
			if !tr.Role().Known {
				http.Error(w, fmt.Sprintf("shard %d: no primary known", id), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /role", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.URL.Query().Get("shard"))
		tr, ok := trackers[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(tr.Role())
	})
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// TestUp_WithApps brings up 2 nodes with 2 shards and (fake) apps: every
// app is healthy and each sees the primary's app URL from its LiteFS mount.
func TestUp_WithApps(t *testing.T) {
	requireFUSE(t)
	t.Setenv(fakeAppEnv, "1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dir := t.TempDir()
	shards := []int{0, 1}
	c, err := cluster.Up(ctx, cluster.Spec{
		Dir: dir, Nodes: 2, Shards: shards, BasePort: freeBasePort(t, 2, shards),
		AppBin: os.Args[0], Timeout: 30 * time.Second, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Down(dir); err != nil {
			t.Error(err)
		}
	})

	if c.Nodes[0].Role() != "primary" || c.Nodes[1].Role() != "replica" {
		t.Fatalf("roles %q %q", c.Nodes[0].Role(), c.Nodes[1].Role())
	}
	for _, n := range c.Nodes {
		for _, shard := range shards {
			var role litefs.Role
			getJSON(t, fmt.Sprintf("%s/role?shard=%d", n.URL, shard), &role)
			want := litefs.Role{IsPrimary: n.Name == "node1", PrimaryURL: c.Nodes[0].URL, Known: true}
			if role != want {
				t.Errorf("%s shard %d: role %+v, want %+v", n.Name, shard, role, want)
			}
		}
	}

	_, sts, err := cluster.Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if !st.AppRunning || !st.Healthy {
			t.Errorf("%s: running=%v healthy=%v %s", st.Node.Name, st.AppRunning, st.Healthy, st.HealthErr)
		}
	}

	// A second Up on a running cluster is refused.
	if _, err := cluster.Up(ctx, cluster.Spec{Dir: dir, Nodes: 2, Shards: shards, NoApp: true}); err == nil ||
		!strings.Contains(err.Error(), "already runs") {
		t.Fatalf("second Up = %v", err)
	}
	if err := cluster.Down(dir); err != nil {
		t.Fatal(err)
	}
	_, sts, _ = cluster.Status(ctx, dir)
	for _, st := range sts {
		if st.AppRunning {
			t.Errorf("%s app still running after Down", st.Node.Name)
		}
	}
}

// TestUp_LiteFSFails: a litefs that exits at once fails Up with its log,
// and Up leaves nothing running.
func TestUp_LiteFSFails(t *testing.T) {
	requireFUSE(t)
	bin := t.TempDir() + "/litefs"
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'ERROR: pretend config error' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	_, err := cluster.Up(ctx, cluster.Spec{
		Dir: dir, Nodes: 2, Shards: []int{0}, BasePort: freeBasePort(t, 2, []int{0}),
		NoApp: true, LiteFSBin: bin, Timeout: 10 * time.Second,
	})
	if err == nil || !strings.Contains(err.Error(), "pretend config error") {
		t.Fatalf("Up = %v, want the log of the failed litefs", err)
	}
	t.Logf("Up: %v", err)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
