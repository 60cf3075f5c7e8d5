package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// newCampaignStatusCmd is pause, resume or cancel; cancel asks first.
func newCampaignStatusCmd(verb, status, short string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               verb + " CAMPAIGN_ID",
		Short:             short,
		Args:              exactArgs(1),
		ValidArgsFunction: completeCampaignIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("campaign", args[0])
			if err != nil {
				return err
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			if status == "CANCELED" {
				e, err := c.Event(cmd.Context(), id)
				if err != nil {
					return err
				}
				q := fmt.Sprintf("Cancel campaign %d %q for good? %d issued coupons stay valid; %d unclaimed are withdrawn.",
					id, e.EventName, e.Summary.Issued, e.Summary.Unclaimed)
				if err := confirm(cmd, q); err != nil {
					return err
				}
			}
			e, err := c.SetEventStatus(cmd.Context(), id, status)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), e)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "campaign %d %q is now %s\n", e.ID, e.EventName, state(e))
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newCampaignAddStockCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "add-stock CAMPAIGN_ID COUNT",
		Short:             "Add coupons to a campaign",
		Args:              exactArgs(2),
		ValidArgsFunction: completeCampaignIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("campaign", args[0])
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return usagef("COUNT %q: want a number of coupons, at least 1", args[1])
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			e, err := c.AddStock(cmd.Context(), id, n)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), e)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "campaign %d %q: %d coupons in all, %d left\n", e.ID, e.EventName, e.Summary.Total, e.Summary.Unclaimed)
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
