package cluster

import (
	"os"
	"path/filepath"
	"testing"
)

// TestClusterSecret: one secret per cluster directory, kept across Ups and
// written into every node config.
func TestClusterSecret(t *testing.T) {
	dir := t.TempDir()
	s1, err := clusterSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1) < minSecretLen {
		t.Fatalf("secret %q is shorter than %d", s1, minSecretLen)
	}
	if fi, err := os.Stat(filepath.Join(dir, SecretFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", fi, err)
	}
	if s2, err := clusterSecret(dir); err != nil || s2 != s1 {
		t.Fatalf("second call = %q, %v; want the kept %q", s2, err, s1)
	}

	spec := Spec{Dir: dir, Nodes: 3, Shards: []int{0, 1}, BasePort: 9000}.withDefaults()
	c := plan(spec, dir, "litefs", "couponpop")
	c.jwtSecret = s1
	if err := c.writeConfigs(); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		var nc nodeConfig
		readStrict(t, n.Config, &nc)
		if nc.JWTSecret != s1 {
			t.Errorf("%s: jwt-secret %q, want the cluster's %q", n.Name, nc.JWTSecret, s1)
		}
	}
	if got, err := c.JWTSecret(); err != nil || got != s1 {
		t.Fatalf("JWTSecret() = %q, %v", got, err)
	}

	if err := os.WriteFile(filepath.Join(dir, SecretFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := clusterSecret(dir); err == nil {
		t.Fatal("a short kept secret was accepted")
	}
}
