package cluster

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestWriteConfigs_Consul: on a Consul lease every mount names itself, the
// candidates are the listed nodes, and claim-ack peers are the candidates.
func TestWriteConfigs_Consul(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{Dir: dir, Nodes: 3, Shards: []int{0, 1}, BasePort: 9000,
		Consul: &ConsulLease{URL: "http://127.0.0.1:8500", Candidates: []int{1, 2}, TTL: 2 * time.Second, LockDelay: 200 * time.Millisecond},
	}.withDefaults()
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	c := plan(spec, dir, "litefs", "couponpop")
	if err := c.writeConfigs(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		node      int
		candidate bool
	}{{1, true}, {2, true}, {3, false}} {
		var lc litefsConfig
		readStrict(t, filepath.Join(dir, fmt.Sprintf("node%d", tt.node), "s1", "litefs.yml"), &lc)
		want := consulLeaseConfig{URL: "http://127.0.0.1:8500", Key: "litefs/couponpop-s1", TTL: "2s", LockDelay: "200ms"}
		if lc.Lease.Type != "consul" || lc.Lease.Candidate != tt.candidate ||
			lc.Lease.Hostname != loopbackURL(9000+tt.node) || lc.Lease.AdvertiseURL != loopbackURL(9110+tt.node) ||
			lc.Lease.Consul == nil || *lc.Lease.Consul != want {
			t.Errorf("node%d litefs.yml lease = %+v (consul %+v)", tt.node, lc.Lease, lc.Lease.Consul)
		}
	}
	var nc nodeConfig
	readStrict(t, filepath.Join(dir, "node3.yml"), &nc)
	if want := []string{"http://127.0.0.1:9001", "http://127.0.0.1:9002"}; !reflect.DeepEqual(nc.Shards[1].Peers, want) {
		t.Errorf("node3 peers = %v, want the candidates %v", nc.Shards[1].Peers, want)
	}
	readStrict(t, filepath.Join(dir, "node1.yml"), &nc)
	if want := []string{"http://127.0.0.1:9002"}; !reflect.DeepEqual(nc.Shards[1].Peers, want) {
		t.Errorf("node1 peers = %v, want the other candidate %v", nc.Shards[1].Peers, want)
	}
}

func TestConsulLease_Validate(t *testing.T) {
	for _, tt := range []struct {
		lease ConsulLease
		want  string
	}{
		{ConsulLease{}, "Consul.URL"},
		{ConsulLease{URL: "127.0.0.1:8500"}, "Consul.URL"},
		{ConsulLease{URL: "http://127.0.0.1:8500/prefix"}, "key prefix"},
		{ConsulLease{URL: "http://127.0.0.1:8500", Key: "/litefs"}, "must not start with /"},
		{ConsulLease{URL: "http://127.0.0.1:8500", Candidates: []int{4}}, "node 4"},
		{ConsulLease{URL: "http://127.0.0.1:8500", Candidates: []int{2}}, "node 1, the first node of shard 0"},
	} {
		s := Spec{Dir: "/tmp/c", Nodes: 3, Consul: &tt.lease}.withDefaults()
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) = %v, want an error about %q", tt.lease, err, tt.want)
		}
	}
}
