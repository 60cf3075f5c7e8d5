package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newLogoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Revoke the profile's login and forget its tokens",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := profileName(cmd)
			ps, err := loadProfiles()
			if err != nil {
				return err
			}
			p := ps.Profiles[name]
			if p == nil || p.AccessToken == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "profile %q is not logged in\n", name)
				return nil
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			// An expired or revoked token is as good as logged out.
			revokeErr := c.Logout(cmd.Context())
			ps, err = loadProfiles() // the logout may have refreshed the tokens
			if err != nil {
				return err
			}
			ps.Profiles[name].AccessToken, ps.Profiles[name].RefreshToken = "", ""
			if err := ps.save(); err != nil {
				return err
			}
			if revokeErr != nil && exitCode(revokeErr) != exitAuth {
				fmt.Fprintf(cmd.ErrOrStderr(), "couponpop: the server did not revoke the token: %s\n", errorLine(revokeErr))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "logged out of %s (profile %q)\n", p.Server, name)
			return nil
		},
	}
}
