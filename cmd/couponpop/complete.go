package main

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// completeStoreIDs completes the signed-in owner's store ids, with names.
func completeStoreIDs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return storeIDCompletions(cmd), cobra.ShellCompDirectiveNoFileComp
}

func storeIDCompletions(cmd *cobra.Command) []string {
	c, err := apiClient(cmd)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
	defer cancel()
	stores, err := c.MyStores(ctx)
	if err != nil {
		return nil
	}
	out := make([]string, len(stores))
	for i, s := range stores {
		out[i] = strconv.FormatInt(s.ID, 10) + "\t" + s.Name
	}
	return out
}

// completeCampaignIDs completes the ids of the owner's campaigns (of
// --store when given, else of every store), with names.
func completeCampaignIDs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, err := apiClient(cmd)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
	defer cancel()
	var storeIDs []int64
	if f := cmd.Flags().Lookup("store"); f != nil && f.Changed {
		if id, err := strconv.ParseInt(f.Value.String(), 10, 64); err == nil {
			storeIDs = []int64{id}
		}
	}
	if storeIDs == nil {
		stores, err := c.MyStores(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		for _, s := range stores {
			storeIDs = append(storeIDs, s.ID)
		}
	}
	var out []string
	for _, id := range storeIDs {
		events, err := c.StoreEvents(ctx, id, "")
		if err != nil {
			continue
		}
		for _, e := range events {
			out = append(out, strconv.FormatInt(e.ID, 10)+"\t"+e.EventName+" ("+e.Status+")")
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// registerStoreFlagCompletion completes --store with store ids.
func registerStoreFlagCompletion(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("store", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return storeIDCompletions(cmd), cobra.ShellCompDirectiveNoFileComp
	})
}
