package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newServeCmd() *cobra.Command {
	cfg := defaultConfig()
	var configPath string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server (single node by default, data under ./data)",
		Example: `  couponpop serve --demo                 # demo data, http://127.0.0.1:8080
  couponpop serve --config node.yml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			loaded, err := loadConfig(configPath, cmd.Flags(), cfg)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), loaded)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configPath, "config", os.Getenv("COUPONPOP_CONFIG"), "YAML config file (env COUPONPOP_CONFIG)")
	f.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env COUPONPOP_ADDR)")
	f.StringVar(&cfg.Data, "data", cfg.Data, "data directory (env COUPONPOP_DATA)")
	f.BoolVar(&cfg.Demo, "demo", cfg.Demo, "fill an empty data dir with demo stores, events and accounts (env COUPONPOP_DEMO)")
	f.StringVar(&cfg.ShardMap, "shard-map", cfg.ShardMap, "shard map file; default the built-in Seoul map (env COUPONPOP_SHARD_MAP)")
	f.StringVar(&cfg.DebugAddr, "debug-addr", cfg.DebugAddr, "serve pprof profiles on this address, e.g. 127.0.0.1:6060 (env COUPONPOP_DEBUG_ADDR)")
	f.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error (env COUPONPOP_LOG_LEVEL)")
	f.IntVar(&cfg.ClaimBatchMax, "claim-batch-max", cfg.ClaimBatchMax, "most claims per transaction; 1 = one claim per transaction (env COUPONPOP_CLAIM_BATCH_MAX)")
	f.DurationVar(&cfg.ClaimBatchWait, "claim-batch-wait", cfg.ClaimBatchWait, "how long a claim batch waits to fill while claims arrive together; a lone claim commits at once (env COUPONPOP_CLAIM_BATCH_WAIT)")
	f.BoolVar(&cfg.BackgroundCheckpoint, "background-checkpoint", cfg.BackgroundCheckpoint, "checkpoint the WAL on a connection of its own once it holds 1,000 pages, not in the claim writer's commits, so no claim waits behind a checkpoint (plain files; env COUPONPOP_BACKGROUND_CHECKPOINT)")
	f.StringVar(&cfg.ClaimAck, "claim-ack", cfg.ClaimAck, "answer a claim once committed on the primary, or once a replica has it too: primary|replica (env COUPONPOP_CLAIM_ACK)")
	addLimitFlags(f, &cfg)
	return cmd
}

// loadConfig layers defaults, the file, the environment and the flags the
// user set, then validates.
func loadConfig(path string, flags *pflag.FlagSet, fromFlags Config) (Config, error) {
	cfg := defaultConfig()
	if path != "" {
		if err := cfg.loadFile(path); err != nil {
			return cfg, err
		}
	}
	if err := cfg.loadEnv(os.Getenv); err != nil {
		return cfg, err
	}
	// Every flag is named after its config key: copy the ones the user set.
	flags.Visit(func(f *pflag.Flag) { cfg.copyKey(&fromFlags, f.Name) })
	return cfg, cfg.Validate()
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// serve runs a node until ctx ends (SIGINT, SIGTERM) or one of its parts
// fails, then stops it: requests in flight are answered, and every claim
// already queued is committed or refused before the shards close.
func serve(ctx context.Context, cfg Config) error {
	log := newLogger(cfg.LogLevel)
	tuneRuntime(log)
	n := newNode(cfg, log)
	err := n.Open(ctx)
	if err == nil {
		err = n.Wait()
	}
	if closeErr := n.Close(); closeErr != nil {
		err = errors.Join(err, closeErr)
	}
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// tuneRuntime sets the garbage collector and GOMAXPROCS for the server,
// unless the environment sets them.
func tuneRuntime(log *slog.Logger) {
	if os.Getenv("GOGC") == "" {
		// The server's live heap is small and short-lived garbage is most of
		// what it allocates: collecting at 5× the live heap instead of 2×
		// gave ~8% more claims/s (docs/benchmarks-history.md). GOGC overrides it.
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// Every SQLite call is a cgo call, and a goroutine back from a long
		// one waits for a free P: with twice as many Ps as CPUs, the claim
		// writer and the readers find one, and the OS shares the CPUs among
		// the threads. On 2 CPUs: 4–26% more claims/s and half the nearby
		// p99 (docs/benchmarks-history.md, "GOMAXPROCS"). GOMAXPROCS overrides it.
		runtime.GOMAXPROCS(2 * runtime.GOMAXPROCS(0))
	}
	log.Info("go runtime", "gomaxprocs", runtime.GOMAXPROCS(0), "cpus", runtime.NumCPU())
}

// remoteShards lists, for each shard of the plan this node does not hold,
// the other nodes that do.
func remoteShards(plan shardPlan, shards *server.Shards, self string) map[int][]string {
	remote := map[int][]string{}
	for shard, urls := range plan.Nodes {
		if shard == store.GlobalShard || shards.District[shard] != nil {
			continue
		}
		for _, u := range urls {
			if strings.TrimRight(u, "/") != strings.TrimRight(self, "/") {
				remote[shard] = append(remote[shard], strings.TrimRight(u, "/"))
			}
		}
	}
	return remote
}

// pprofMux serves Go's profiles under /debug/pprof/.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// addDataDirFlags gives an offline command the flags openDataDir reads.
func addDataDirFlags(cmd *cobra.Command, configPath *string, cfg *Config) {
	f := cmd.Flags()
	f.StringVar(configPath, "config", os.Getenv("COUPONPOP_CONFIG"), "YAML config file (env COUPONPOP_CONFIG)")
	f.StringVar(&cfg.Data, "data", cfg.Data, "data directory (env COUPONPOP_DATA)")
	f.StringVar(&cfg.ShardMap, "shard-map", cfg.ShardMap, "shard map file (env COUPONPOP_SHARD_MAP)")
}

// openDataDir opens every shard of a plain data dir for an offline command
// (jobs, search reindex), with the command's config, env and flags.
func openDataDir(cmd *cobra.Command, configPath string, fromFlags Config) (*server.Shards, error) {
	cfg, err := loadConfig(configPath, cmd.Flags(), fromFlags)
	if err != nil {
		return nil, err
	}
	shardMap, err := loadShardMap(cfg.ShardMap)
	if err != nil {
		return nil, err
	}
	return openShards(cmd.Context(), cfg, shardMap, nil)
}

// openShards opens shard 0 and every district shard of the map as plain
// files under the data dir; their claim writers report to metrics, if any.
func openShards(ctx context.Context, cfg Config, m *geo.ShardMap, metrics *server.Metrics) (*server.Shards, error) {
	opened, err := store.OpenShards(ctx, cfg.Data, m.Shards(), func(shard int) store.Options {
		return store.Options{Search: cfg.searchOptions(), BackgroundCheckpoint: cfg.BackgroundCheckpoint,
			Claims: store.ClaimOptions{BatchMax: cfg.ClaimBatchMax, BatchWait: cfg.ClaimBatchWait,
				Observe: metrics.ClaimObserver(shard)}}
	})
	if err != nil {
		return nil, err
	}
	return &server.Shards{Map: m, Global: opened.Global, District: opened.District}, nil
}

// jwtSecret returns the configured secret, else the one kept in the data
// dir, generating it on first start.
func jwtSecret(cfg Config) ([]byte, error) {
	if cfg.JWTSecret != "" {
		return []byte(cfg.JWTSecret), nil
	}
	path := filepath.Join(cfg.Data, "jwt-secret")
	data, err := os.ReadFile(path)
	if err == nil {
		if s := strings.TrimSpace(string(data)); len(s) >= 32 {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("%s holds fewer than 32 characters; delete it to generate a new secret", path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("keep JWT secret: %w", err)
	}
	return []byte(secret), nil
}
