package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/couponpop/couponpop/client"
	"github.com/spf13/cobra"
)

func newLoginCmd() *cobra.Command {
	var server, email string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to a CouponPop server and save the login in a profile",
		Long: `Log in and save the server and tokens in the profile (os.UserConfigDir()/couponpop/profiles.json,
mode 0600). The access token refreshes itself. COUPONPOP_SERVER and COUPONPOP_TOKEN override the profile.`,
		Example: `  couponpop login --server http://127.0.0.1:8080 --email owner@couponpop.dev
  echo "$PASSWORD" | couponpop login --email owner@couponpop.dev --password-stdin`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := profileName(cmd)
			ps, err := loadProfiles()
			if err != nil {
				return err
			}
			p := ps.Profiles[name]
			if p == nil {
				p = &profile{}
			}
			if server == "" {
				server = serverURL(p)
			}
			in := bufio.NewReader(cmd.InOrStdin())
			if email == "" {
				if email = p.Email; email == "" {
					fmt.Fprint(cmd.ErrOrStderr(), "Email: ")
					line, _ := in.ReadString('\n')
					email = strings.TrimSpace(line)
				}
			}
			if email == "" {
				return usagef("login needs --email")
			}
			password, err := readPassword(cmd, in, passwordStdin)
			if err != nil {
				return err
			}
			c := client.New(server)
			tok, err := c.Login(cmd.Context(), email, password)
			if err != nil {
				return err
			}
			me, err := c.WithToken(tok.AccessToken).Me(cmd.Context())
			if err != nil {
				return err
			}
			ps.Profiles[name] = &profile{Server: c.BaseURL, Email: email, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
			if err := ps.save(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "logged in to %s as %s (%s, %s), profile %q\n", c.BaseURL, me.Username, me.Email, me.MemberType, name)
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "server URL (default: the profile's, COUPONPOP_SERVER or "+defaultServer+")")
	cmd.Flags().StringVar(&email, "email", "", "account email (default: the profile's)")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

// readPassword reads a password without echo from a terminal, else a line
// of standard input.
func readPassword(cmd *cobra.Command, in *bufio.Reader, fromStdin bool) (string, error) {
	if f, ok := cmd.InOrStdin().(*os.File); ok && !fromStdin && term.IsTerminal(f.Fd()) {
		fmt.Fprint(cmd.ErrOrStderr(), "Password: ")
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(cmd.ErrOrStderr())
		return string(b), err
	}
	line, err := in.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("no password on standard input: %v", err)
	}
	return line, nil
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// exactArgs is cobra.ExactArgs as a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %d argument(s), got %d (see --help)", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}
