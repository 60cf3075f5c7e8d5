package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/couponpop/couponpop/client"
	"github.com/spf13/cobra"
)

// defaultServer is where `couponpop serve` listens by default.
const defaultServer = "http://127.0.0.1:8080"

// profile is one saved login: a server and its tokens.
type profile struct {
	Server       string `json:"server"`
	Email        string `json:"email,omitempty"`
	AccessToken  string `json:"accessToken,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

// profiles is the file os.UserConfigDir()/couponpop/profiles.json, mode
// 0600: logins by profile name ("default" unless --profile or
// COUPONPOP_PROFILE says).
type profiles struct {
	Profiles map[string]*profile `json:"profiles"`
}

func profilesPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory for profiles: %w", err)
	}
	return filepath.Join(dir, "couponpop", "profiles.json"), nil
}

func loadProfiles() (*profiles, error) {
	ps := &profiles{Profiles: map[string]*profile{}}
	path, err := profilesPath()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ps, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, ps); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it and log in again)", path, err)
	}
	if ps.Profiles == nil {
		ps.Profiles = map[string]*profile{}
	}
	return ps, nil
}

// save writes the profiles with mode 0600 (their directory 0700), through
// a temporary file so a crash never leaves half a file.
func (ps *profiles) save() error {
	path, err := profilesPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(ps, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".profiles-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// profileName is the --profile flag, else COUPONPOP_PROFILE, else "default".
func profileName(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup("profile"); f != nil && f.Changed {
		return f.Value.String()
	}
	if s := os.Getenv("COUPONPOP_PROFILE"); s != "" {
		return s
	}
	return "default"
}

// serverURL is COUPONPOP_SERVER, else the profile's server, else the
// default.
func serverURL(p *profile) string {
	if s := os.Getenv("COUPONPOP_SERVER"); s != "" {
		return s
	}
	if p != nil && p.Server != "" {
		return p.Server
	}
	return defaultServer
}

// apiClient returns a client of the signed-in member: COUPONPOP_TOKEN if
// set (it does not refresh), else the profile's session, which refreshes
// itself and saves the new tokens.
func apiClient(cmd *cobra.Command) (*client.Client, error) {
	name := profileName(cmd)
	ps, err := loadProfiles()
	if err != nil {
		return nil, err
	}
	p := ps.Profiles[name]
	c := client.New(serverURL(p))
	if tok := os.Getenv("COUPONPOP_TOKEN"); tok != "" {
		return c.WithToken(tok), nil
	}
	if p == nil || p.AccessToken == "" {
		return nil, authError{fmt.Sprintf("not logged in (profile %q): run `couponpop login`", name)}
	}
	s := client.NewSession(client.Tokens{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken}, func(t client.Tokens) error {
		ps, err := loadProfiles()
		if err != nil {
			return err
		}
		cur := ps.Profiles[name]
		if cur == nil {
			cur = &profile{Server: p.Server, Email: p.Email}
			ps.Profiles[name] = cur
		}
		cur.AccessToken, cur.RefreshToken = t.AccessToken, t.RefreshToken
		return ps.save()
	})
	return c.WithSession(s), nil
}
