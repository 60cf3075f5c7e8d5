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
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().BoolP("yes", "y", false, "answer yes to every question (for scripts)")
	root.PersistentFlags().String("profile", "default", "login profile (env COUPONPOP_PROFILE)")
	root.AddCommand(newServeCmd(), newJobsCmd(), newBenchCmd(), newClusterCmd(), newShardCmd(), newSearchCmd())
	root.AddCommand(newLoginCmd(), newLogoutCmd(), newWhoamiCmd(), newStoreCmd(), newCampaignCmd(), newRedeemCmd(), newDashboardCmd())
	return root
}
