package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/couponpop/couponpop/server"
	"github.com/spf13/pflag"
)

// addLimitFlags adds the flags of the limits and admin keys to serve.
func addLimitFlags(f *pflag.FlagSet, cfg *Config) {
	f.StringVar(&cfg.AdminToken, "admin-token", cfg.AdminToken, "bearer token of /metrics, /readyz details and /internal/; default one generated and kept in the data dir (env COUPONPOP_ADMIN_TOKEN)")
	f.StringVar(&cfg.AdminAddr, "admin-addr", cfg.AdminAddr, "also serve /metrics, /readyz and /internal/ here without a token, e.g. 127.0.0.1:9090 (env COUPONPOP_ADMIN_ADDR)")
	f.DurationVar(&cfg.BodyReadTimeout, "body-read-timeout", cfg.BodyReadTimeout, "cut off a request body not received within this (env COUPONPOP_BODY_READ_TIMEOUT)")
	f.BoolVar(&cfg.RateLimits, "rate-limits", cfg.RateLimits, "apply the limit-* rate limits, held per node (env COUPONPOP_RATE_LIMITS)")
	f.StringVar(&cfg.LimitSignupPerIP, "limit-signup-per-ip", cfg.LimitSignupPerIP, `signups per client IP, "N/DURATION[ burst B]" or off (env COUPONPOP_LIMIT_SIGNUP_PER_IP)`)
	f.StringVar(&cfg.LimitLoginPerIP, "limit-login-per-ip", cfg.LimitLoginPerIP, "logins per client IP (env COUPONPOP_LIMIT_LOGIN_PER_IP)")
	f.StringVar(&cfg.LimitRefreshPerIP, "limit-refresh-per-ip", cfg.LimitRefreshPerIP, "token refreshes per client IP (env COUPONPOP_LIMIT_REFRESH_PER_IP)")
	f.StringVar(&cfg.LimitFailedLoginPerAccount, "limit-failed-login-per-account", cfg.LimitFailedLoginPerAccount, "failed logins per account before its logins answer 429 (env COUPONPOP_LIMIT_FAILED_LOGIN_PER_ACCOUNT)")
	f.StringVar(&cfg.LimitClaimPerMember, "limit-claim-per-member", cfg.LimitClaimPerMember, "coupon claims per member (env COUPONPOP_LIMIT_CLAIM_PER_MEMBER)")
	f.StringVar(&cfg.TrustedProxies, "trusted-proxies", cfg.TrustedProxies, "proxies whose X-Forwarded-For names the client, comma-separated CIDRs (env COUPONPOP_TRUSTED_PROXIES)")
	f.BoolVar(&cfg.FlyClientIP, "fly-client-ip", cfg.FlyClientIP, "take the client IP from Fly-Client-IP: on Fly only (env COUPONPOP_FLY_CLIENT_IP)")
	f.IntVar(&cfg.BcryptConcurrency, "bcrypt-concurrency", cfg.BcryptConcurrency, "password hashes at once; 0 = half the CPUs (env COUPONPOP_BCRYPT_CONCURRENCY)")
}

// adminTokenFile keeps a node's generated admin token in its data dir.
const adminTokenFile = "admin-token"

// minAdminTokenLen is the shortest admin token a node accepts.
const minAdminTokenLen = 16

// limitKeys are the config keys of the rate limits, each a rate as
// server.ParseRate reads it.
func (c *Config) limitKeys() map[string]*string {
	return map[string]*string{
		"limit-signup-per-ip":            &c.LimitSignupPerIP,
		"limit-login-per-ip":             &c.LimitLoginPerIP,
		"limit-refresh-per-ip":           &c.LimitRefreshPerIP,
		"limit-failed-login-per-account": &c.LimitFailedLoginPerAccount,
		"limit-claim-per-member":         &c.LimitClaimPerMember,
	}
}

// serverLimits turns the config's limits into the server's; nil when
// rate-limits is off.
func (c *Config) serverLimits() (*server.Limits, error) {
	if !c.RateLimits {
		return nil, nil
	}
	var l server.Limits
	rates := map[string]*server.Rate{
		"limit-signup-per-ip": &l.SignupPerIP, "limit-login-per-ip": &l.LoginPerIP, "limit-refresh-per-ip": &l.RefreshPerIP,
		"limit-failed-login-per-account": &l.FailedLoginPerAccount, "limit-claim-per-member": &l.ClaimPerMember,
	}
	for key, s := range c.limitKeys() {
		r, err := server.ParseRate(*s)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", key, err)
		}
		*rates[key] = r
	}
	proxies, err := server.ParsePrefixes(c.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("config: trusted-proxies: %w", err)
	}
	l.ClientIP = server.ClientIPConfig{FlyClientIP: c.FlyClientIP, TrustedProxies: proxies}
	return &l, nil
}

// validateLimits names the first bad limit key.
func (c *Config) validateLimits() error {
	for key, s := range c.limitKeys() {
		if _, err := server.ParseRate(*s); err != nil {
			return fmt.Errorf("config: %s: %w", key, err)
		}
	}
	if _, err := server.ParsePrefixes(c.TrustedProxies); err != nil {
		return fmt.Errorf("config: trusted-proxies: %w", err)
	}
	switch {
	case c.AdminToken != "" && len(c.AdminToken) < minAdminTokenLen:
		return fmt.Errorf("config: admin-token must be at least %d characters", minAdminTokenLen)
	case c.BodyReadTimeout < 0:
		return errors.New("config: body-read-timeout must not be negative")
	case c.BcryptConcurrency < 0:
		return errors.New("config: bcrypt-concurrency must not be negative (0: half the CPUs)")
	}
	return nil
}

// adminToken returns the configured admin token, else the one kept in the
// data dir, generating it on first start. Nodes that call each other
// (a cluster) must share one: `couponpop cluster up` sets it.
func adminToken(cfg Config) (string, error) {
	if cfg.AdminToken != "" {
		return cfg.AdminToken, nil
	}
	path := filepath.Join(cfg.Data, adminTokenFile)
	data, err := os.ReadFile(path)
	if err == nil {
		if s := strings.TrimSpace(string(data)); len(s) >= minAdminTokenLen {
			return s, nil
		}
		return "", fmt.Errorf("%s holds fewer than %d characters; delete it to generate a new token", path, minAdminTokenLen)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keep admin token: %w", err)
	}
	return token, nil
}
