package main

import (
	"os"
	"strings"
	"time"

	"github.com/couponpop/couponpop/bench"
	"github.com/spf13/cobra"
)

func newBenchLiveCmd() *cobra.Command {
	cfg := bench.LiveConfig{Streams: 1000, Claims: 5, Gap: time.Second}
	var url, secret, dataDir string
	cmd := &cobra.Command{
		Use:   "live",
		Short: "Live fan-out: open N streams of one store, claim, time each claim's arrival on every stream",
		Long: `Creates its own owner, store and event, opens --streams SSE streams of the
store (GET /owner/stores/{id}/live) on one node, then makes --claims claims one
every --gap and reports, over every stream and claim, the time from sending the
claim to the stream receiving it. Each stream is a connection: raise the open
file limit of both processes (ulimit -n) above the stream count.`,
		Example: `  couponpop serve --data /tmp/live &
  couponpop bench live --url http://127.0.0.1:8080 --data /tmp/live --streams 10000`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.URL, cfg.Out = strings.TrimRight(url, "/"), cmd.ErrOrStderr()
			key, err := benchSecret(secret, dataDir)
			if err != nil {
				return err
			}
			cfg.JWTSecret = key
			r, err := bench.Live(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			bench.WriteTable(cmd.OutOrStdout(), r)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "http://127.0.0.1:8080", "the node to open the streams on")
	f.StringVar(&secret, "jwt-secret", os.Getenv("COUPONPOP_JWT_SECRET"), "the node's JWT secret (default: read from --data)")
	f.StringVar(&dataDir, "data", "./data", "the node's data dir, for its JWT secret")
	f.IntVar(&cfg.Streams, "streams", cfg.Streams, "streams to open")
	f.IntVar(&cfg.Claims, "claims", cfg.Claims, "claims to make, one at a time")
	f.DurationVar(&cfg.Gap, "gap", cfg.Gap, "pause after each claim")
	return cmd
}
