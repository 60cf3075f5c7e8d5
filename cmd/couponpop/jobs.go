package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newJobsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "jobs", Short: "Run maintenance jobs by hand"}
	cmd.AddCommand(newJobsExpireCmd(), newJobsRunCmd())
	return cmd
}

func newJobsExpireCmd() *cobra.Command {
	cfg := defaultConfig()
	var configPath string
	cmd := &cobra.Command{
		Use:   "expire",
		Short: "Mark ISSUED coupons past their expiry as EXPIRED, in every shard of the data dir",
		RunE: func(cmd *cobra.Command, args []string) error {
			shards, err := openDataDir(cmd, configPath, cfg)
			if err != nil {
				return err
			}
			defer shards.Close()
			total := 0
			for n, db := range shards.District {
				count, _, err := db.ExpireCoupons(cmd.Context())
				if err != nil {
					return fmt.Errorf("shard %d: %w", n, err)
				}
				total += count
			}
			fmt.Fprintf(cmd.OutOrStdout(), "expired %d coupons\n", total)
			return nil
		},
	}
	addDataDirFlags(cmd, &configPath, &cfg)
	return cmd
}
