package cluster

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// litefsConfig is the part of LiteFS's config (cmd/litefs/config.go in
// v0.5.14, parsed strictly) that a local mount sets.
type litefsConfig struct {
	// ExitOnError (LiteFS's default, written out): a broken mount exits
	// instead of idling, so Up and Status notice.
	ExitOnError bool `yaml:"exit-on-error"`
	// SkipSync: `litefs mount` returns from start-up without waiting for the
	// primary. We run no exec command, and a replica restarted while its
	// primary is down would otherwise wait forever and ignore SIGTERM.
	SkipSync bool `yaml:"skip-sync"`

	FUSE struct {
		Dir string `yaml:"dir"`
	} `yaml:"fuse"`
	Data struct {
		Dir string `yaml:"dir"`
	} `yaml:"data"`
	HTTP struct {
		Addr string `yaml:"addr"`
	} `yaml:"http"`
	Lease struct {
		Type         string `yaml:"type"`
		Hostname     string `yaml:"hostname"`
		AdvertiseURL string `yaml:"advertise-url"`
		Candidate    bool   `yaml:"candidate"`

		Consul *consulLeaseConfig `yaml:"consul,omitempty"`
	} `yaml:"lease"`
	Log struct {
		Format    string `yaml:"format"`
		Timestamp bool   `yaml:"timestamp"`
	} `yaml:"log"`
}

// mountConfig returns the LiteFS config of m, whose shard's
// primary is primary (node and mount).
func mountConfig(m Mount, primaryNode Node, primary Mount) litefsConfig {
	var lc litefsConfig
	lc.ExitOnError = true
	lc.SkipSync = true
	lc.FUSE.Dir = m.Dir
	lc.Data.Dir = m.DataDir
	lc.HTTP.Addr = strings.TrimPrefix(m.URL, "http://")
	lc.Lease.Type = "static"
	lc.Lease.Hostname = primaryNode.URL
	lc.Lease.AdvertiseURL = primary.URL
	lc.Lease.Candidate = m.Primary
	lc.Log.Format = "text"
	lc.Log.Timestamp = true
	return lc
}

// nodeConfig is the app config `couponpop serve --config` reads.
type nodeConfig struct {
	Addr         string       `yaml:"addr"`
	Data         string       `yaml:"data"`
	AdvertiseURL string       `yaml:"advertise-url"`
	ShardMap     string       `yaml:"shard-map,omitempty"`
	JWTSecret    string       `yaml:"jwt-secret,omitempty"`  // the cluster's one secret: tokens work on every node
	AdminToken   string       `yaml:"admin-token,omitempty"` // the nodes send it to each other
	Shards       []nodeShards `yaml:"shards,omitempty"`
}

type nodeShards struct {
	ID        int    `yaml:"id"`
	Dir       string `yaml:"dir"`
	LiteFSURL string `yaml:"litefs-url"`
	// Peers are the app URLs of the shard's other nodes (claim-ack=replica).
	Peers []string `yaml:"peers,omitempty"`
}

// appConfig is the app config of n in c.
func (c *Cluster) appConfig(n Node) nodeConfig {
	nc := nodeConfig{
		Addr:         strings.TrimPrefix(n.URL, "http://"),
		Data:         n.DataDir,
		AdvertiseURL: n.URL,
		ShardMap:     c.ShardMap,
		JWTSecret:    c.jwtSecret,
		AdminToken:   c.adminToken,
	}
	for _, m := range n.Mounts {
		var peers []string
		for _, o := range c.Nodes {
			om, ok := o.Mount(m.Shard)
			// On a Consul lease only candidates can take over: they are
			// the replicas a claim must reach (claim-ack=replica).
			if ok && o.Name != n.Name && (c.Consul == nil || om.Candidate) {
				peers = append(peers, o.URL)
			}
		}
		nc.Shards = append(nc.Shards, nodeShards{ID: m.Shard, Dir: m.Dir, LiteFSURL: m.URL, Peers: peers})
	}
	return nc
}

// writeYAML writes v as YAML under a comment header.
func writeYAML(path, header string, v any) error {
	body, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Errorf("cluster: %s: %w", path, err)
	}
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString("# " + line + "\n")
	}
	b.Write(body)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return nil
}

// writeConfigs creates every directory and config file of c.
func (c *Cluster) writeConfigs() error {
	if err := c.writeShardMap(); err != nil {
		return err
	}
	for _, n := range c.Nodes {
		if err := os.MkdirAll(n.DataDir, 0o755); err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
		header := fmt.Sprintf("%s of the local cluster in %s.\nWritten by `couponpop cluster up`: edits are overwritten.", n.Name, c.Dir)
		if err := writeYAML(n.Config, header, c.appConfig(n)); err != nil {
			return err
		}
		for _, m := range n.Mounts {
			pn, pm, ok := c.Primary(m.Shard)
			if !ok {
				return fmt.Errorf("cluster: shard %d has no primary", m.Shard)
			}
			for _, d := range []string{m.Dir, m.DataDir} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return fmt.Errorf("cluster: %w", err)
				}
			}
			header := fmt.Sprintf("LiteFS of shard %d on %s (%s), static lease.\n"+
				"lease.hostname/advertise-url name the primary (%s) on every node: a static\n"+
				"lease tells replicas nothing. Written by `couponpop cluster up`.",
				m.Shard, n.Name, m.Role(), pn.Name)
			lc := mountConfig(m, pn, pm)
			if c.Consul != nil {
				lc.useConsul(c.Consul, n, m)
				header = fmt.Sprintf("LiteFS of shard %d on %s, Consul lease (candidate: %v).\n"+
					"lease.hostname/advertise-url name this node; LiteFS tells replicas the\n"+
					"primary's through Consul. Written by `couponpop cluster up`.", m.Shard, n.Name, m.Candidate)
			}
			if err := writeYAML(m.Config, header, lc); err != nil {
				return err
			}
		}
	}
	return nil
}
