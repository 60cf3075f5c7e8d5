package cluster

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// StateFile is the name of the state file inside a cluster directory.
const StateFile = "cluster.json"

// Cluster is what runs in a cluster directory, as saved in cluster.json.
type Cluster struct {
	Dir       string `json:"dir"`
	BasePort  int    `json:"basePort"`
	LiteFSBin string `json:"litefsBin"`
	AppBin    string `json:"appBin,omitempty"` // "" when started without apps
	Nodes     []Node `json:"nodes"`
	// ShardMap is the shard map file (D/shardmap.yml) and Districts its
	// districts per shard; both empty without Spec.ShardMap.
	ShardMap  string           `json:"shardMap,omitempty"`
	Districts map[int][]string `json:"districts,omitempty"`

	// Consul is the lease of every shard; nil means static leases.
	Consul *ConsulLease `json:"consul,omitempty"`

	// jwtSecret is the cluster's JWT secret (SecretFile), set by Up.
	jwtSecret string
	// adminToken is every node's admin token (AdminTokenFile), set by Up.
	adminToken string
}

// Node is one node: an app process and its LiteFS mounts.
type Node struct {
	Name    string  `json:"name"`    // node1, node2, ...
	URL     string  `json:"url"`     // app URL, also its advertise-url and LiteFS lease.hostname
	Config  string  `json:"config"`  // D/nodeN.yml
	DataDir string  `json:"dataDir"` // plain-file shards
	Log     string  `json:"log"`
	PID     int     `json:"pid"` // 0 when not running
	Mounts  []Mount `json:"mounts"`
}

// Mount is one `litefs mount` process: one shard's cluster on one node.
type Mount struct {
	Shard   int    `json:"shard"`
	Primary bool   `json:"primary"` // holds the lease at Up (a static lease: always)
	Dir     string `json:"dir"`     // FUSE mount directory
	DataDir string `json:"dataDir"` // LiteFS data directory
	URL     string `json:"url"`     // LiteFS HTTP API
	Config  string `json:"config"`
	Log     string `json:"log"`
	PID     int    `json:"pid"` // 0 when not running
	// Candidate may hold the lease: the primary of a static lease, or a
	// Consul lease candidate.
	Candidate bool `json:"candidate,omitempty"`
}

// DBFile is the file name of a shard's database, as store.FileName names it.
func DBFile(shard int) string { return "shard-" + strconv.Itoa(shard) + ".db" }

// DBPath is the path of the shard's database on this mount.
func (m Mount) DBPath() string { return filepath.Join(m.Dir, DBFile(m.Shard)) }

// Role is "primary" or "replica".
func (m Mount) Role() string {
	if m.Primary {
		return "primary"
	}
	return "replica"
}

// Mount returns the node's mount of shard.
func (n Node) Mount(shard int) (Mount, bool) {
	for _, m := range n.Mounts {
		if m.Shard == shard {
			return m, true
		}
	}
	return Mount{}, false
}

// Role sums up the node's roles: "primary" or "replica" when it is the same
// for every shard it holds, else e.g. "primary:0,2 replica:1".
func (n Node) Role() string {
	var prim, repl []string
	for _, m := range n.Mounts {
		if m.Primary {
			prim = append(prim, strconv.Itoa(m.Shard))
		} else {
			repl = append(repl, strconv.Itoa(m.Shard))
		}
	}
	switch {
	case len(repl) == 0:
		return "primary"
	case len(prim) == 0:
		return "replica"
	default:
		return "primary:" + strings.Join(prim, ",") + " replica:" + strings.Join(repl, ",")
	}
}

// Node returns the node named name.
func (c *Cluster) Node(name string) (*Node, bool) {
	for i := range c.Nodes {
		if c.Nodes[i].Name == name {
			return &c.Nodes[i], true
		}
	}
	return nil, false
}

// Primary returns the primary node and mount of shard.
func (c *Cluster) Primary(shard int) (Node, Mount, bool) {
	for _, n := range c.Nodes {
		if m, ok := n.Mount(shard); ok && m.Primary {
			return n, m, true
		}
	}
	return Node{}, Mount{}, false
}

// Replicas returns the replica mounts of shard with their nodes.
func (c *Cluster) Replicas(shard int) []Mount {
	var out []Mount
	for _, n := range c.Nodes {
		if m, ok := n.Mount(shard); ok && !m.Primary {
			out = append(out, m)
		}
	}
	return out
}

// plan lays out the cluster of spec (defaults applied) without starting
// anything.
func plan(spec Spec, dir, litefsBin, appBin string) *Cluster {
	c := &Cluster{Dir: dir, BasePort: spec.BasePort, LiteFSBin: litefsBin, AppBin: appBin, Consul: spec.Consul}
	if spec.ShardMap != nil {
		c.ShardMap, c.Districts = shardMapPath(dir), spec.ShardMap
	}
	shards := slices.Clone(spec.Shards)
	slices.Sort(shards)
	for i := 1; i <= spec.Nodes; i++ {
		name := "node" + strconv.Itoa(i)
		nodeDir := filepath.Join(dir, name)
		n := Node{
			Name:    name,
			URL:     loopbackURL(AppPort(spec.BasePort, i)),
			Config:  filepath.Join(dir, name+".yml"),
			DataDir: filepath.Join(nodeDir, "data"),
			Log:     filepath.Join(nodeDir, "app.log"),
		}
		for _, sh := range shards {
			nodes := spec.nodesOf(sh)
			if !slices.Contains(nodes, i) {
				continue
			}
			mdir := filepath.Join(nodeDir, "s"+strconv.Itoa(sh))
			n.Mounts = append(n.Mounts, Mount{
				Shard:   sh,
				Primary: nodes[0] == i,
				Dir:     filepath.Join(mdir, "mnt"),
				DataDir: filepath.Join(mdir, "data"),
				URL:     loopbackURL(LiteFSPort(spec.BasePort, sh, i)),
				Config:  filepath.Join(mdir, "litefs.yml"),
				Log:     filepath.Join(mdir, "litefs.log"),
				// A static lease has one candidate: the primary.
				Candidate: nodes[0] == i || (spec.Consul != nil && spec.Consul.candidate(i)),
			})
		}
		c.Nodes = append(c.Nodes, n)
	}
	return c
}

// Load reads dir/cluster.json.
func Load(dir string) (*Cluster, error) {
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	var c Cluster
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("cluster: %s: %w", filepath.Join(dir, StateFile), err)
	}
	return &c, nil
}

// save writes dir/cluster.json atomically.
func (c *Cluster) save() error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(c.Dir, StateFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return nil
}
