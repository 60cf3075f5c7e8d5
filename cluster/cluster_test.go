package cluster

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSpec_Validate(t *testing.T) {
	ok := Spec{Dir: "/tmp/c", Nodes: 2}.withDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		mod  func(*Spec)
		want string
	}{
		{"no dir", func(s *Spec) { s.Dir = "" }, "Dir"},
		{"dollar", func(s *Spec) { s.Dir = "/tmp/$HOME" }, "Dir"},
		{"no nodes", func(s *Spec) { s.Nodes = 0 }, "Nodes"},
		{"ten nodes", func(s *Spec) { s.Nodes = 10 }, "Nodes"},
		{"shard range", func(s *Spec) { s.Shards = []int{0, 90} }, "shard 90"},
		{"shard twice", func(s *Spec) { s.Shards = []int{1, 1} }, "twice"},
		{"port", func(s *Spec) { s.BasePort = 65000 }, "BasePort"},
		{"placement unknown shard", func(s *Spec) { s.Placement = map[int][]int{3: {1}} }, "not in Shards"},
		{"placement bad node", func(s *Spec) { s.Shards = []int{0, 1}; s.Placement = map[int][]int{1: {3}} }, "node 3"},
		{"shard 0 everywhere", func(s *Spec) { s.Placement = map[int][]int{0: {1}} }, "every node"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.mod(&s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestPlan_PortsAndLayout(t *testing.T) {
	spec := Spec{Dir: "/tmp/c", Nodes: 2, Shards: []int{1, 0}, BasePort: 8080}.withDefaults()
	c := plan(spec, "/tmp/c", "/bin/litefs", "/bin/couponpop")
	if len(c.Nodes) != 2 {
		t.Fatalf("nodes = %d", len(c.Nodes))
	}
	n1, n2 := c.Nodes[0], c.Nodes[1]
	if n1.Name != "node1" || n1.URL != "http://127.0.0.1:8081" || n2.URL != "http://127.0.0.1:8082" {
		t.Fatalf("nodes = %+v, %+v", n1, n2)
	}
	if n1.Config != "/tmp/c/node1.yml" || n1.DataDir != "/tmp/c/node1/data" {
		t.Fatalf("node1 paths = %+v", n1)
	}
	m, ok := n2.Mount(1)
	if !ok || m.Primary || m.URL != "http://127.0.0.1:8192" || m.Dir != "/tmp/c/node2/s1/mnt" ||
		m.DBPath() != "/tmp/c/node2/s1/mnt/shard-1.db" {
		t.Fatalf("node2 shard 1 = %+v", m)
	}
	if m, _ := n1.Mount(0); !m.Primary || m.URL != "http://127.0.0.1:8181" {
		t.Fatalf("node1 shard 0 = %+v", m)
	}
	if n1.Role() != "primary" || n2.Role() != "replica" {
		t.Fatalf("roles = %q, %q", n1.Role(), n2.Role())
	}
	if n1.Mounts[0].Shard != 0 {
		t.Fatalf("mounts not sorted by shard: %+v", n1.Mounts)
	}
}

func TestPlan_Placement(t *testing.T) {
	spec := Spec{Dir: "/tmp/c", Nodes: 3, Shards: []int{0, 1, 2}, Placement: map[int][]int{1: {2, 3}, 2: {3}}}.withDefaults()
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	c := plan(spec, "/tmp/c", "litefs", "")
	if got := len(c.Nodes[0].Mounts); got != 1 {
		t.Fatalf("node1 holds %d shards, want shard 0 only", got)
	}
	if n, m, ok := c.Primary(1); !ok || n.Name != "node2" || m.URL != "http://127.0.0.1:8192" {
		t.Fatalf("primary of shard 1 = %s %+v", n.Name, m)
	}
	if got := c.Nodes[2].Role(); got != "primary:2 replica:0,1" {
		t.Fatalf("node3 role = %q", got)
	}
	if r := c.Replicas(1); len(r) != 1 || r[0].URL != "http://127.0.0.1:8193" {
		t.Fatalf("replicas of shard 1 = %+v", r)
	}
}

// TestWriteConfigs reads the generated files back strictly, as LiteFS and
// the app do.
func TestWriteConfigs(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{Dir: dir, Nodes: 2, Shards: []int{0, 1}, BasePort: 9000}.withDefaults()
	c := plan(spec, dir, "litefs", "couponpop")
	if err := c.writeConfigs(); err != nil {
		t.Fatal(err)
	}

	var lc litefsConfig
	readStrict(t, filepath.Join(dir, "node2", "s1", "litefs.yml"), &lc)
	if lc.Lease.Type != "static" || lc.Lease.Candidate || lc.Lease.Hostname != "http://127.0.0.1:9001" ||
		lc.Lease.AdvertiseURL != "http://127.0.0.1:9111" || lc.HTTP.Addr != "127.0.0.1:9112" ||
		lc.FUSE.Dir != filepath.Join(dir, "node2", "s1", "mnt") || !lc.ExitOnError || !lc.SkipSync {
		t.Fatalf("replica litefs.yml = %+v", lc)
	}
	readStrict(t, filepath.Join(dir, "node1", "s1", "litefs.yml"), &lc)
	if !lc.Lease.Candidate || lc.Lease.Hostname != "http://127.0.0.1:9001" || lc.HTTP.Addr != "127.0.0.1:9111" {
		t.Fatalf("primary litefs.yml = %+v", lc)
	}

	var nc nodeConfig
	readStrict(t, filepath.Join(dir, "node2.yml"), &nc)
	want := nodeConfig{
		Addr: "127.0.0.1:9002", Data: filepath.Join(dir, "node2", "data"), AdvertiseURL: "http://127.0.0.1:9002",
		Shards: []nodeShards{
			{ID: 0, Dir: filepath.Join(dir, "node2", "s0", "mnt"), LiteFSURL: "http://127.0.0.1:9102", Peers: []string{"http://127.0.0.1:9001"}},
			{ID: 1, Dir: filepath.Join(dir, "node2", "s1", "mnt"), LiteFSURL: "http://127.0.0.1:9112", Peers: []string{"http://127.0.0.1:9001"}},
		},
	}
	if !reflect.DeepEqual(nc, want) {
		t.Fatalf("node2.yml = %+v, want %+v", nc, want)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "node2.yml"))
	for _, key := range []string{"addr:", "data:", "advertise-url:", "shards:", "id:", "dir:", "litefs-url:", "peers:"} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("node2.yml lacks %s:\n%s", key, raw)
		}
	}
}

func readStrict(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := plan(Spec{Dir: dir, Nodes: 2, Shards: []int{0}}.withDefaults(), dir, "litefs", "")
	c.Nodes[1].Mounts[0].PID = 4242
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Nodes[1].Mounts[0].PID != 4242 || got.Nodes[1].URL != "http://127.0.0.1:8082" {
		t.Fatalf("loaded %+v", got.Nodes[1])
	}
	// pid 4242 is not a litefs of this cluster, whatever runs there.
	if got.anyRunning() {
		t.Fatal("anyRunning with a foreign pid")
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	if got := unescapeMountinfo(`/tmp/a\040b/mnt`); got != "/tmp/a b/mnt" {
		t.Fatalf("got %q", got)
	}
	if got := unescapeMountinfo(`/tmp/plain`); got != "/tmp/plain" {
		t.Fatalf("got %q", got)
	}
}

func TestFindLiteFS_Explicit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "litefs")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindLiteFS(context.Background(), bin); err != nil || got != bin {
		t.Fatalf("explicit: %q, %v", got, err)
	}
	t.Setenv(LiteFSBinEnv, bin)
	if got, err := FindLiteFS(context.Background(), ""); err != nil || got != bin {
		t.Fatalf("env: %q, %v", got, err)
	}
	t.Setenv(LiteFSBinEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := FindLiteFS(context.Background(), ""); err == nil || !strings.Contains(err.Error(), LiteFSBinEnv) {
		t.Fatalf("missing env binary: %v", err)
	}
}
