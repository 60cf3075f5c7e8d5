package main

import (
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/server"
)

func TestConfig_LimitsDefaults(t *testing.T) {
	cfg := defaultConfig()
	l, err := cfg.serverLimits()
	if err != nil {
		t.Fatal(err)
	}
	if want := server.DefaultLimits(); l.SignupPerIP != want.SignupPerIP || l.ClaimPerMember != want.ClaimPerMember ||
		l.FailedLoginPerAccount != want.FailedLoginPerAccount {
		t.Fatalf("default limits %+v, want %+v", *l, want)
	}
	if cfg.BodyReadTimeout != 30*time.Second {
		t.Fatalf("body-read-timeout %s", cfg.BodyReadTimeout)
	}
	cfg.RateLimits = false
	if l, err := cfg.serverLimits(); l != nil || err != nil {
		t.Fatalf("rate-limits false: %+v, %v", l, err)
	}
}

func TestConfig_LimitsFromEnv(t *testing.T) {
	cfg := defaultConfig()
	env := map[string]string{"COUPONPOP_LIMIT_CLAIM_PER_MEMBER": "5/1s burst 7", "COUPONPOP_LIMIT_SIGNUP_PER_IP": "off",
		"COUPONPOP_TRUSTED_PROXIES": "10.0.0.0/8", "COUPONPOP_FLY_CLIENT_IP": "true", "COUPONPOP_ADMIN_TOKEN": "0123456789abcdef"}
	if err := cfg.loadEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	l, err := cfg.serverLimits()
	if err != nil {
		t.Fatal(err)
	}
	if l.ClaimPerMember != (server.Rate{Events: 5, Per: time.Second, Burst: 7}) || l.SignupPerIP.Events != 0 ||
		!l.ClientIP.FlyClientIP || len(l.ClientIP.TrustedProxies) != 1 || cfg.AdminToken != "0123456789abcdef" {
		t.Fatalf("limits from env: %+v, admin token %q", *l, cfg.AdminToken)
	}
}

func TestConfig_LimitsValidate(t *testing.T) {
	for key, mutate := range map[string]func(*Config){
		"limit-login-per-ip": func(c *Config) { c.LimitLoginPerIP = "thirty a minute" },
		"trusted-proxies":    func(c *Config) { c.TrustedProxies = "10.0.0.0/99" },
		"admin-token":        func(c *Config) { c.AdminToken = "short" },
	} {
		cfg := defaultConfig()
		mutate(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: Validate() = %v, want an error naming it", key, err)
		}
	}
}

func TestAdminToken_KeptInDataDir(t *testing.T) {
	cfg := defaultConfig()
	cfg.Data = t.TempDir()
	first, err := adminToken(cfg)
	if err != nil || len(first) < minAdminTokenLen {
		t.Fatalf("generated %q, %v", first, err)
	}
	again, err := adminToken(cfg)
	if err != nil || again != first {
		t.Fatalf("second start: %q, %v; want the kept %q", again, err, first)
	}
	cfg.AdminToken = "configured-token-0123"
	if got, _ := adminToken(cfg); got != cfg.AdminToken {
		t.Fatalf("configured token ignored: %q", got)
	}
}
