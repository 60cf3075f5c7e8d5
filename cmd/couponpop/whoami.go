package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newWhoamiCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the member the profile is logged in as",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			me, err := c.Me(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"server": c.BaseURL, "profile": profileName(cmd), "member": me})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s, %s, member %d) on %s, profile %q\n",
				me.Username, me.Email, me.MemberType, me.ID, c.BaseURL, profileName(cmd))
			return nil
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
