package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/couponpop/couponpop/bench"
	"github.com/couponpop/couponpop/store"
	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Load-test a running node"}
	cmd.AddCommand(newBenchClaimsCmd(), newBenchNearbyCmd(), newBenchLiveCmd())
	return cmd
}

func newBenchNearbyCmd() *cobra.Command {
	cfg := bench.NearbyConfig{Clients: 32, Duration: 10 * time.Second, Limit: 100}
	var url, secret, dataDir string
	var circles []string
	cmd := &cobra.Command{
		Use:   "nearby",
		Short: "Nearby queries/s: one circle inside a shard beside one across a shard border",
		Long: `Seeds --seed stores at random points in each circle (through --url, so every
shard gets its own), then runs GET /stores on each circle in turn with the same
clients and duration. An answer marked partial (a shard missing) does not count
as ok. The default circles are 1 km around Hongik Univ. station (one shard) and
1 km around (37.536, 126.915) on the Han between Mapo and Yeongdeungpo (north and
south shards of "cluster up --shards 2": a fan-out).`,
		Example: `  couponpop cluster up --shards 2 --nodes-per-shard 2 --dir /tmp/c --base-port 18000
  couponpop bench nearby --url http://127.0.0.1:18001 --data /tmp/c --seed 200`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.URL, cfg.Out = strings.TrimRight(url, "/"), cmd.ErrOrStderr()
			cfg.Circles = bench.DefaultCircles
			if len(circles) > 0 {
				cfg.Circles = nil
				for _, s := range circles {
					c, err := parseCircle(s)
					if err != nil {
						return err
					}
					cfg.Circles = append(cfg.Circles, c)
				}
			}
			key, err := benchSecret(secret, dataDir)
			if err != nil {
				return err
			}
			cfg.JWTSecret = key
			results, err := bench.Nearby(cmd.Context(), cfg)
			bench.WriteTable(cmd.OutOrStdout(), results...)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "http://127.0.0.1:8080", "the node to query")
	f.StringVar(&secret, "jwt-secret", os.Getenv("COUPONPOP_JWT_SECRET"), "the node's JWT secret (default: read from --data)")
	f.StringVar(&dataDir, "data", "./data", "the node's data dir or the cluster dir, for its jwt-secret")
	f.StringArrayVar(&circles, "circle", nil, `a circle to query, "name:lat,lng,radiusKm[,seed]" (repeatable; default the two above)`)
	f.IntVar(&cfg.SeedStores, "seed", 0, "stores to create in each circle first (a circle's own seed count overrides it)")
	f.BoolVar(&cfg.SeedEvents, "seed-events", false, "give every seeded store a running event (100 coupons)")
	f.BoolVar(&cfg.WithEvents, "with-events", false, `run each circle again with withEvents=true ("NAME +events")`)
	f.BoolVar(&cfg.Healthz, "healthz", false, "run GET /healthz first, the baseline of the same run")
	f.IntVar(&cfg.Limit, "limit", cfg.Limit, "stores per answer (the query's limit)")
	f.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent clients")
	f.DurationVar(&cfg.Duration, "duration", cfg.Duration, "length of each circle's run")
	return cmd
}

// parseCircle reads "name:lat,lng,radiusKm[,seed]".
func parseCircle(s string) (bench.Circle, error) {
	name, rest, ok := strings.Cut(s, ":")
	var c bench.Circle
	if ok {
		parts := strings.Split(rest, ",")
		var err error
		switch len(parts) {
		case 3:
			_, err = fmt.Sscanf(rest, "%g,%g,%g", &c.Lat, &c.Lng, &c.RadiusKm)
		case 4:
			_, err = fmt.Sscanf(rest, "%g,%g,%g,%d", &c.Lat, &c.Lng, &c.RadiusKm, &c.Seed)
		default:
			err = fmt.Errorf("want 3 or 4 numbers")
		}
		ok = err == nil && c.RadiusKm > 0 && c.Seed >= 0
	}
	if !ok || name == "" {
		return c, fmt.Errorf("--circle %q: want name:lat,lng,radiusKm[,seed]", s)
	}
	c.Name = name
	return c, nil
}

func newBenchClaimsCmd() *cobra.Command {
	cfg := bench.ClaimsConfig{Clients: 1000, Duration: 10 * time.Second, OpenRate: 6000}
	var url, secret, adminTok, dataDir, scenarios string
	cmd := &cobra.Command{
		Use:   "claims",
		Short: "Run the claim scenarios (lock, spike, ramp, healthz, throughput, open) against a running node",
		Long: `Mints tokens with the node's JWT secret, creates its own owner, store and events,
and runs the old system's scenarios plus a throughput run. Afterwards it checks
that every event's issued count equals the claims that succeeded, and, when the
node's data dir is readable here, that every event's issued count equals its
coupon rows.`,
		Example: `  couponpop bench claims --url http://127.0.0.1:8080 --data ./data
  couponpop bench claims --scenarios throughput,healthz --clients 1000 --duration 10s`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.URL, cfg.Out = strings.TrimRight(url, "/"), cmd.ErrOrStderr()
			if scenarios != "" {
				cfg.Scenarios = strings.Split(scenarios, ",")
			}
			key, err := benchSecret(secret, dataDir)
			if err != nil {
				return err
			}
			cfg.JWTSecret = key
			cfg.AdminToken = benchAdminToken(adminTok, dataDir)
			results, err := bench.Claims(cmd.Context(), cfg)
			bench.WriteTable(cmd.OutOrStdout(), results...)
			if err != nil {
				return err
			}
			return checkDataDir(cmd, dataDir)
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "http://127.0.0.1:8080", "the node to load")
	f.StringVar(&secret, "jwt-secret", os.Getenv("COUPONPOP_JWT_SECRET"), "the node's JWT secret (default: read from --data)")
	f.StringVar(&dataDir, "data", "./data", "the node's data dir, for its JWT secret, admin token and the coupon-row check")
	f.StringVar(&adminTok, "admin-token", os.Getenv("COUPONPOP_ADMIN_TOKEN"), "the node's admin token, to read its /metrics (default: read from --data)")
	f.StringVar(&scenarios, "scenarios", "", "comma-separated scenarios to run (default all)")
	f.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent clients of the throughput and healthz runs")
	f.DurationVar(&cfg.Duration, "duration", cfg.Duration, "length of the throughput, healthz and open runs")
	f.Float64Var(&cfg.OpenRate, "rate", cfg.OpenRate, "arrival rate of the open-loop run, per second")
	f.Float64Var(&cfg.StoreLat, "lat", 0, "latitude of the bench store, which picks its shard (default Hongik Univ. station, Mapo)")
	f.Float64Var(&cfg.StoreLng, "lng", 0, "longitude of the bench store")
	return cmd
}

func benchSecret(secret, dataDir string) ([]byte, error) {
	if secret != "" {
		return []byte(secret), nil
	}
	data, err := os.ReadFile(filepath.Join(dataDir, "jwt-secret"))
	if err != nil {
		return nil, fmt.Errorf("no --jwt-secret and none readable in %s: %w", dataDir, err)
	}
	return []byte(strings.TrimSpace(string(data))), nil
}

// checkDataDir verifies, in every district shard file of the data dir,
// that each event's issued count equals its coupon rows.
func checkDataDir(cmd *cobra.Command, dataDir string) error {
	files, _ := filepath.Glob(filepath.Join(dataDir, "shard-*.db"))
	for _, path := range files {
		var shard int
		if _, err := fmt.Sscanf(filepath.Base(path), "shard-%d.db", &shard); err != nil || shard == store.GlobalShard {
			continue
		}
		db, err := store.Open(cmd.Context(), path, shard, store.Options{Replica: true})
		if err != nil {
			return err
		}
		bad, err := db.CheckIssuedCounts(cmd.Context())
		db.Close()
		if err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
		if len(bad) > 0 {
			return fmt.Errorf("%s: events %v have issued counts that differ from their coupon rows", path, bad)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "checked %s: every event's issued count equals its coupon rows\n", path)
	}
	return nil
}

// benchAdminToken is the given admin token, else the one kept in dataDir
// (a node's data dir or a cluster dir), else none: the writer table is
// then left out.
func benchAdminToken(token, dataDir string) string {
	if token != "" {
		return token
	}
	data, err := os.ReadFile(filepath.Join(dataDir, adminTokenFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
