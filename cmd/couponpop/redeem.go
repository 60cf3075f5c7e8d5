package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newRedeemCmd() *cobra.Command {
	var storeID int64
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "redeem CODE --store STORE_ID",
		Short:   "Redeem a customer's coupon code at the counter",
		Example: `  couponpop redeem K7Q2M9 --store 101`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if storeID == 0 {
				return usagef("--store is required: the store the customer is at")
			}
			code := strings.TrimSpace(args[0])
			// A scanned QR code is the URL https://couponpop.com/q/{code}.
			code = code[strings.LastIndexByte(code, '/')+1:]
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			r, err := c.Redeem(cmd.Context(), storeID, code)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), r)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "redeemed coupon %d: %s, for %s\n", r.CouponID, r.EventName, r.MemberUsername)
			return nil
		},
	}
	cmd.Flags().Int64Var(&storeID, "store", 0, "store id")
	registerStoreFlagCompletion(cmd)
	addJSONFlag(cmd, &asJSON)
	return cmd
}
