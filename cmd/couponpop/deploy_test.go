package main

import (
	"path/filepath"
	"testing"
)

// TestDeployConfigs: the Fly image's node configs and shard map (deploy/)
// load with the same strict parsers serve uses.
func TestDeployConfigs(t *testing.T) {
	t.Setenv("FLY_MACHINE_ID", "e784079b449483")
	t.Setenv("FLY_APP_NAME", "couponpop-s2")
	t.Setenv("COUPONPOP_SHARD", "2")
	t.Setenv("COUPONPOP_S0_APP", "couponpop-s0")
	for _, name := range []string{"s0.yml", "district.yml"} {
		cfg := defaultConfig()
		if err := cfg.loadFile(filepath.Join("..", "..", "deploy", name)); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.Shards[0].ID != 0 || cfg.AdvertiseURL != "http://e784079b449483.vm.couponpop-s2.internal:8080" {
			t.Fatalf("%s: %+v", name, cfg)
		}
		if name == "district.yml" && (len(cfg.Shards) != 2 || cfg.Shards[1].ID != 2 || cfg.Shards[0].FlyApp != "couponpop-s0") {
			t.Fatalf("district.yml: shards %+v", cfg.Shards)
		}
	}
	plan, err := loadShardPlan(filepath.Join("..", "..", "deploy", "shardmap.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Nodes[4]; len(got) != 1 || got[0] != "fly:couponpop-s4" || len(plan.Map.Shards()) != 4 {
		t.Fatalf("shard map: nodes %v, shards %v", plan.Nodes, plan.Map.Shards())
	}
}
