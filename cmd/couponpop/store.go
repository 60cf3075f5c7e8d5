package main

import (
	"fmt"
	"strconv"

	"github.com/couponpop/couponpop/client"
	"github.com/spf13/cobra"
)

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "List, show, create and update your stores"}
	cmd.AddCommand(newStoreListCmd(), newStoreShowCmd(), newStoreCreateCmd(), newStoreUpdateCmd())
	return cmd
}

func newStoreListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List your stores, newest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			stores, err := c.MyStores(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), stores)
			}
			t := table{header: []string{"ID", "NAME", "CATEGORY", "DONG", "ADDRESS"}, flex: 4}
			for _, s := range stores {
				t.add(s.ID, s.Name, s.StoreCategory, s.Dong, s.Address)
			}
			return t.write(cmd.OutOrStdout())
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newStoreShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "show STORE_ID",
		Short:             "Show one of your stores",
		Args:              exactArgs(1),
		ValidArgsFunction: completeStoreIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("store", args[0])
			if err != nil {
				return err
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			s, err := c.MyStore(cmd.Context(), id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			printStore(cmd, s)
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func printStore(cmd *cobra.Command, s client.Store) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "store %d  %s (%s)\n", s.ID, s.Name, s.StoreCategory)
	fmt.Fprintf(w, "  address   %s (%s)\n", s.Address, s.Dong)
	fmt.Fprintf(w, "  location  %.6f, %.6f\n", s.Latitude, s.Longitude)
	fmt.Fprintf(w, "  phone     %s   business no. %s\n", s.Phone, s.BusinessNumber)
	fmt.Fprintf(w, "  hours     weekdays %s–%s, weekends %s–%s\n", s.WeekdayOpenTime, s.WeekdayCloseTime, s.WeekendOpenTime, s.WeekendCloseTime)
	if s.Description != "" {
		fmt.Fprintf(w, "  about     %s\n", s.Description)
	}
}

// parseID reads a store or campaign id argument.
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a %s id (a positive number)", s, what)
	}
	return id, nil
}
