package main

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
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
"litefs mount" (static lease, primary on node1), then one "couponpop serve" per
node. Needs fusermount3 (Debian package fuse3), /dev/fuse and root.

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
		dir      string
		basePort int
		shards   []int
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
			if len(shards) == 0 {
				shards = append([]int{0}, geo.DefaultShardMap().Shards()...)
			}
			if !slices.Contains(shards, 0) {
				shards = append([]int{0}, shards...)
			}
			logger := slog.New(slog.DiscardHandler)
			if verbose {
				logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			}
			c, err := cluster.Up(cmd.Context(), cluster.Spec{
				Dir: dir, Nodes: nodes, Shards: shards, BasePort: basePort,
				AppBin: appBin, LiteFSBin: litefs, NoApp: noApp, Timeout: timeout, Logger: logger,
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, n := range c.Nodes {
				fmt.Fprintf(out, "%s %s %s\n", n.Name, n.URL, n.Role())
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&nodes, "nodes", 2, fmt.Sprintf("number of nodes (1..%d)", cluster.MaxNodes))
	f.StringVar(&dir, "dir", defaultClusterDir, "cluster directory (configs, logs, data, cluster.json)")
	f.IntVar(&basePort, "base-port", cluster.DefaultBasePort, "base port P: apps on P+N, LiteFS on P+100+10*shard+N")
	f.IntSliceVar(&shards, "shards", nil, "shards on LiteFS; default 0 and every shard of the built-in map (0 is always added)")
	f.StringVar(&appBin, "app", "", "couponpop binary for the nodes; default this executable")
	f.StringVar(&litefs, "litefs", "", "litefs binary; default $"+cluster.LiteFSBinEnv+", go tool -n litefs, or PATH")
	f.BoolVar(&noApp, "no-app", false, "start the LiteFS mounts only")
	f.DurationVar(&timeout, "timeout", 30*time.Second, "bound of each readiness wait")
	f.BoolVarP(&verbose, "verbose", "v", false, "log each process started to stderr")
	return cmd
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
