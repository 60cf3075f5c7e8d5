package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "couponpop",
		Short:         "Location-based, first-come-first-served coupons on SQLite",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newJobsCmd(), newBenchCmd(), newClusterCmd(), newShardCmd(), newSearchCmd())
	return root
}
