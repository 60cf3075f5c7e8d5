package main

import (
	"time"

	"github.com/couponpop/couponpop/tui"
	"github.com/spf13/cobra"
)

func newDashboardCmd() *cobra.Command {
	var storeID int64
	var poll time.Duration
	cmd := &cobra.Command{
		Use:   "dashboard [--store STORE_ID]",
		Short: "Watch your stores and campaigns live in the terminal",
		Long: `A terminal dashboard: your stores with live counts; a store's claims per minute, stock left
per campaign, uses by weekday and hour, claim distances, conversion and advice. Pause, resume,
add stock, cancel (with a confirmation) and redeem codes from it. ? shows the keys; q quits.
Counts follow the store's live stream; on a server without one they are polled.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			// Fail before taking the terminal: a bad login or store is one line.
			if storeID != 0 {
				if _, err := c.MyStore(cmd.Context(), storeID); err != nil {
					return err
				}
			} else if _, err := c.Me(cmd.Context()); err != nil {
				return err
			}
			return tui.Run(cmd.Context(), tui.Options{Client: c, StoreID: storeID, Poll: poll})
		},
	}
	cmd.Flags().Int64Var(&storeID, "store", 0, "open this store (default: the store list)")
	cmd.Flags().DurationVar(&poll, "poll", time.Second, "how often to poll counts when the server has no live stream")
	registerStoreFlagCompletion(cmd)
	return cmd
}
