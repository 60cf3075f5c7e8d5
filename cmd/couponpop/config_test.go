package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestLoadConfig_Precedence: defaults < file < COUPONPOP_* < flags the user
// set; unknown keys name themselves.
func TestLoadConfig_Precedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "node.yml")
	if err := os.WriteFile(file, []byte("addr: 127.0.0.1:9001\ndata: /from/file\nclaim-batch-max: 64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COUPONPOP_DATA", "/from/env")
	t.Setenv("COUPONPOP_CLAIM_BATCH_MAX", "32")
	cmd := newServeCmd()
	if err := cmd.ParseFlags([]string{"--claim-batch-max", "16"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(file, cmd.Flags(), flagConfig(t, cmd))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9001" || cfg.Data != "/from/env" || cfg.ClaimBatchMax != 16 || cfg.LogLevel != "info" {
		t.Fatalf("config %+v", cfg)
	}
	if !cfg.BackgroundCheckpoint || cfg.ClaimBatchWait != 100*time.Microsecond {
		t.Errorf("defaults: background checkpointer %v, claim batch wait %s; want on and 100µs", cfg.BackgroundCheckpoint, cfg.ClaimBatchWait)
	}
	t.Setenv("COUPONPOP_BACKGROUND_CHECKPOINT", "false")
	if cfg, err = loadConfig(file, cmd.Flags(), flagConfig(t, cmd)); err != nil || cfg.BackgroundCheckpoint {
		t.Errorf("COUPONPOP_BACKGROUND_CHECKPOINT=false: %v, checkpointer on %v", err, cfg.BackgroundCheckpoint)
	}

	if err := os.WriteFile(file, []byte("adr: typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(file, cmd.Flags(), flagConfig(t, cmd)); err == nil || !strings.Contains(err.Error(), "adr") {
		t.Fatalf("unknown key: %v", err)
	}
}

// flagConfig reads the flag values back into a Config, as RunE sees them.
func flagConfig(t *testing.T, cmd *cobra.Command) Config {
	t.Helper()
	cfg := defaultConfig()
	f := cmd.Flags()
	var err error
	if cfg.ClaimBatchMax, err = f.GetInt("claim-batch-max"); err != nil {
		t.Fatal(err)
	}
	return cfg
}
