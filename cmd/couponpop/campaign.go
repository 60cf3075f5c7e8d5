package main

import (
	"fmt"

	"github.com/couponpop/couponpop/client"
	"github.com/spf13/cobra"
)

func newCampaignCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "campaign",
		Aliases: []string{"campaigns"},
		Short:   "Create and run coupon campaigns (a campaign is a coupon event; its id is the event id)",
	}
	cmd.AddCommand(newCampaignCreateCmd(), newCampaignListCmd(), newCampaignShowCmd(), newCampaignStatsCmd(),
		newCampaignStatusCmd("pause", "PAUSED", "Pause a campaign: claims are refused until it resumes"),
		newCampaignStatusCmd("resume", "ACTIVE", "Resume a paused campaign"),
		newCampaignStatusCmd("cancel", "CANCELED", "Cancel a campaign for good (coupons already issued stay valid)"),
		newCampaignAddStockCmd())
	return cmd
}

func newCampaignListCmd() *cobra.Command {
	var storeID int64
	var phase string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--store STORE_ID]",
		Short: "List the campaigns of a store, or of all your stores",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			stores := []client.Store{{ID: storeID}}
			if storeID == 0 {
				if stores, err = c.MyStores(cmd.Context()); err != nil {
					return err
				}
			}
			all := []client.Event{}
			for i, s := range stores {
				events, err := c.StoreEvents(cmd.Context(), s.ID, phase)
				if err != nil {
					return err
				}
				all = append(all, events...)
				if asJSON {
					continue
				}
				if storeID == 0 { // one table a store
					if i > 0 {
						fmt.Fprintln(cmd.OutOrStdout())
					}
					fmt.Fprintf(cmd.OutOrStdout(), "store %d  %s\n", s.ID, s.Name)
				}
				if err := campaignTable(events).write(cmd.OutOrStdout()); err != nil {
					return err
				}
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), all)
			}
			return nil
		},
	}
	cmd.Flags().Int64Var(&storeID, "store", 0, "store id (default: every store of yours)")
	cmd.Flags().StringVar(&phase, "phase", "", "only SCHEDULED, IN_PROGRESS or COMPLETED")
	registerStoreFlagCompletion(cmd)
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// campaignTable is one store's campaigns; the end shows its date only
// when it differs from the start's.
func campaignTable(events []client.Event) *table {
	t := &table{header: []string{"ID", "NAME", "STATE", "ISSUED", "USED", "START", "END"}, flex: 1}
	for _, e := range events {
		start, end := showTime(e.EventPeriod.Start), showTime(e.EventPeriod.End)
		if len(start) == len(end) && len(start) > 6 && start[:6] == end[:6] {
			end = end[6:]
		}
		t.add(e.ID, e.EventName, state(e), fmt.Sprintf("%d/%d", e.Summary.Issued, e.Summary.Total), e.Summary.Used, start, end)
	}
	return t
}

// state is one word for a campaign: its phase unless paused or canceled.
func state(e client.Event) string {
	switch {
	case e.Status == "PAUSED" || e.Status == "CANCELED":
		return e.Status
	case e.Phase == "IN_PROGRESS":
		return "RUNNING"
	}
	return e.Phase
}

func newCampaignShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "show CAMPAIGN_ID",
		Short:             "Show a campaign",
		Args:              exactArgs(1),
		ValidArgsFunction: completeCampaignIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := getCampaign(cmd, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), e)
			}
			printCampaign(cmd, e)
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func getCampaign(cmd *cobra.Command, arg string) (client.Event, error) {
	id, err := parseID("campaign", arg)
	if err != nil {
		return client.Event{}, err
	}
	c, err := apiClient(cmd)
	if err != nil {
		return client.Event{}, err
	}
	return c.Event(cmd.Context(), id)
}

func printCampaign(cmd *cobra.Command, e client.Event) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "campaign %d  %s  [%s]\n", e.ID, e.EventName, state(e))
	fmt.Fprintf(w, "  store     %d\n", e.StoreID)
	fmt.Fprintf(w, "  period    %s → %s (Asia/Seoul)\n", e.EventPeriod.Start, e.EventPeriod.End)
	fmt.Fprintf(w, "  coupons   %d issued of %d, %d used, %d left\n", e.Summary.Issued, e.Summary.Total, e.Summary.Used, e.Summary.Unclaimed)
	if e.ClaimRadiusMeters > 0 {
		fmt.Fprintf(w, "  radius    claims within %.0f m\n", e.ClaimRadiusMeters)
	}
	if e.CouponValidHours > 0 {
		fmt.Fprintf(w, "  validity  coupons valid %d h\n", e.CouponValidHours)
	}
}

// campaignStats is what `campaign stats --json` prints.
type campaignStats struct {
	CampaignID     int64   `json:"campaignId"`
	StoreID        int64   `json:"storeId"`
	Name           string  `json:"name"`
	Status         string  `json:"status"`
	Phase          string  `json:"phase"`
	Total          int     `json:"total"`
	Issued         int     `json:"issued"`
	Used           int     `json:"used"`
	Unused         int     `json:"unused"`
	Remaining      int     `json:"remaining"`
	ConversionRate float64 `json:"conversionRate"` // used/issued
}

func newCampaignStatsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "stats CAMPAIGN_ID",
		Short:             "Show a campaign's counts: issued, used, remaining, conversion",
		Args:              exactArgs(1),
		ValidArgsFunction: completeCampaignIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := getCampaign(cmd, args[0])
			if err != nil {
				return err
			}
			s := campaignStats{CampaignID: e.ID, StoreID: e.StoreID, Name: e.EventName, Status: e.Status, Phase: e.Phase,
				Total: e.Summary.Total, Issued: e.Summary.Issued, Used: e.Summary.Used, Unused: e.Summary.Unused,
				Remaining: e.Summary.Unclaimed}
			if s.Issued > 0 {
				s.ConversionRate = float64(s.Used) / float64(s.Issued)
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			t := table{header: []string{"CAMPAIGN", "STATE", "TOTAL", "ISSUED", "USED", "LEFT", "CONVERSION"}}
			t.add(s.CampaignID, state(e), s.Total, s.Issued, s.Used, s.Remaining, fmt.Sprintf("%.0f%%", 100*s.ConversionRate))
			return t.write(cmd.OutOrStdout())
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
