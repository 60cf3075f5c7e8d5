package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/couponpop/couponpop/cluster"
	"github.com/couponpop/couponpop/geo"
)

const defaultClusterDir = ".couponpop-cluster"

func newClusterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Run a real LiteFS cluster on this machine (loopback only)",
		Long: `Start, inspect and stop a local cluster: per node and per shard one
"litefs mount" (static lease), then one "couponpop serve" per node. Needs
fusermount3 (Debian package fuse3), /dev/fuse and root.

"up --shards S --nodes-per-shard N" runs S district shards, each its own LiteFS
cluster on its own N nodes (S×N nodes; shard s on nodes (s-1)N+1..sN, the first
its primary); shard 0 (members) is replicated to every node, primary on node1.
Without --nodes-per-shard every one of --nodes nodes holds every shard, node1
primary. The cluster writes DIR/shardmap.yml (the districts of each shard and
the nodes holding it) and every node serves with it, so any node answers any
request: it forwards to a node of the shard, and fans out across shards.

Ports from --base-port P: app of node N on P+N; LiteFS API of shard S on node N
on P+100+10*S+N. The litefs binary is --litefs, $COUPONPOP_LITEFS_BIN,
"go tool -n litefs" in the module, or litefs on PATH.`,
	}
	cmd.AddCommand(newClusterUpCmd(), newClusterDownCmd(), newClusterStatusCmd())
	return cmd
}

func newClusterUpCmd() *cobra.Command {
	var (
		nodes    int
		perShard int
		dir      string
		basePort int
		shards   int
		appBin   string
		litefs   string
		noApp    bool
		timeout  time.Duration
		verbose  bool
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start a local cluster and wait until every node is healthy",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			logger := slog.New(slog.DiscardHandler)
			if verbose {
				logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			}
			spec := cluster.Spec{Dir: dir, BasePort: basePort,
				AppBin: appBin, LiteFSBin: litefs, NoApp: noApp, Timeout: timeout, Logger: logger}
			if err := placeShards(&spec, shards, nodes, perShard, cmd.Flags().Changed("nodes")); err != nil {
				return err
			}
			c, err := cluster.Up(cmd.Context(), spec)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, n := range c.Nodes {
				fmt.Fprintf(out, "%s %s %s\n", n.Name, n.URL, n.Role())
			}
			fmt.Fprintf(out, "shard map %s\n", c.ShardMap)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&shards, "shards", 4, "district shards S (1..4): Seoul's gu in one shard, split north/south of the Han, in 3, or the built-in 4")
	f.IntVar(&perShard, "nodes-per-shard", 0, "nodes holding each district shard (S×N nodes in all); 0: every node holds every shard")
	f.IntVar(&nodes, "nodes", 2, fmt.Sprintf("number of nodes (1..%d) when every node holds every shard", cluster.MaxNodes))
	f.StringVar(&dir, "dir", defaultClusterDir, "cluster directory (configs, logs, data, cluster.json)")
	f.IntVar(&basePort, "base-port", cluster.DefaultBasePort, "base port P: apps on P+N, LiteFS on P+100+10*shard+N")
	f.StringVar(&appBin, "app", "", "couponpop binary for the nodes; default this executable")
	f.StringVar(&litefs, "litefs", "", "litefs binary; default $"+cluster.LiteFSBinEnv+", go tool -n litefs, or PATH")
	f.BoolVar(&noApp, "no-app", false, "start the LiteFS mounts only")
	f.DurationVar(&timeout, "timeout", 30*time.Second, "bound of each readiness wait")
	f.BoolVarP(&verbose, "verbose", "v", false, "log each process started to stderr")
	return cmd
}

// placeShards sets the shards, nodes, placement and shard map of spec for
// `cluster up --shards S [--nodes-per-shard N | --nodes M]`.
func placeShards(spec *cluster.Spec, shards, nodes, perShard int, nodesSet bool) error {
	districts, err := seoulDistricts(shards)
	if err != nil {
		return err
	}
	spec.ShardMap = districts
	if perShard == 0 {
		spec.Nodes, spec.Shards = nodes, []int{0}
		for sh := 1; sh <= shards; sh++ {
			spec.Shards = append(spec.Shards, sh)
		}
		return nil
	}
	if nodesSet && nodes != shards*perShard {
		return fmt.Errorf("--nodes %d with --shards %d --nodes-per-shard %d: the cluster has %d nodes; drop --nodes",
			nodes, shards, perShard, shards*perShard)
	}
	return spec.Spread(shards, perShard)
}

// seoulDistricts groups Seoul's 25 gu into shards 1..n along the built-in
// map (geo.SeoulShards: 1 north-west, 2 north-east, 3 south-west, 4
// south-east of the Han): n=1 all in one shard; n=2 north and south of the
// river (geo.SeoulNorthSouth); n=3 north-west, north-east and the south;
// n=4 the built-in map.
func seoulDistricts(n int) (map[int][]string, error) {
	var group func(builtin int) int
	switch n {
	case 1:
		group = func(int) int { return 1 }
	case 2:
		group = func(b int) int { return (b + 1) / 2 }
	case 3:
		group = func(b int) int { return min(b, 3) }
	case 4:
		group = func(b int) int { return b }
	default:
		return nil, fmt.Errorf("--shards %d: the local cluster splits Seoul into 1, 2, 3 or 4 shards", n)
	}
	builtin := geo.SeoulShards()
	out := map[int][]string{}
	for _, d := range geo.Seoul().All() {
		b, ok := builtin[d.Name]
		if !ok {
			return nil, fmt.Errorf("district %s is not in the built-in Seoul map", d.Name)
		}
		out[group(b)] = append(out[group(b)], d.Name)
	}
	return out, nil
}

func newClusterDownCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop a local cluster (SIGTERM, then SIGKILL) and unmount its LiteFS mounts; data stays",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cluster.Down(dir); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stopped the cluster in %s\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", defaultClusterDir, "cluster directory")
	return cmd
}

func newClusterStatusCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each node's app and LiteFS mounts: running, role, position",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, sts, err := cluster.Status(cmd.Context(), dir)
			if err != nil {
				return err
			}
			printClusterStatus(cmd.OutOrStdout(), sts)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", defaultClusterDir, "cluster directory")
	return cmd
}

// printClusterStatus prints a node per line, then a line per mount:
//
//	node1 http://127.0.0.1:8081 primary app=healthy
//	  shard 0 primary http://127.0.0.1:8181 txid=12
func printClusterStatus(w io.Writer, sts []cluster.NodeStatus) {
	for _, st := range sts {
		app := "stopped"
		switch {
		case st.Healthy:
			app = "healthy"
		case st.AppRunning:
			app = "unhealthy (" + st.HealthErr + ")"
		}
		fmt.Fprintf(w, "%s %s %s app=%s\n", st.Node.Name, st.Node.URL, st.Node.Role(), app)
		for _, m := range st.Mounts {
			var state string
			switch {
			case !m.Running:
				state = "stopped"
			case m.InfoErr != "":
				state = "no answer (" + m.InfoErr + ")"
			default:
				role := "replica"
				if m.Info.IsPrimary {
					role = "primary"
				} else if m.Info.Primary.Hostname == "" {
					role = "replica, no primary"
				}
				switch {
				case !m.HasDB:
					state = role + " (no database yet)"
				case m.PosErr != "":
					state = role + " (" + m.PosErr + ")"
				default:
					state = fmt.Sprintf("%s txid=%d", role, m.TXID)
				}
			}
			fmt.Fprintf(w, "  shard %d %s %s\n", m.Mount.Shard, m.Mount.URL, strings.TrimSpace(state))
		}
	}
}
