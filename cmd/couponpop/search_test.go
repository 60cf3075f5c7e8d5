package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

func TestEmbedderConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "node.yml")
	yml := "embedder:\n  url: http://127.0.0.1:11434/v1\n  model: bge-m3\n  dimensions: 1024\n  passage-prefix: 'passage: '\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig()
	if err := cfg.loadFile(path); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"COUPONPOP_EMBEDDER_API_KEY": "sk-test", "COUPONPOP_EMBEDDER_QUERY_PREFIX": "query: "}
	if err := cfg.loadEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e := cfg.Embedder
	if e.URL != "http://127.0.0.1:11434/v1" || e.Model != "bge-m3" || e.Dimensions != 1024 || e.APIKey != "sk-test" ||
		e.QueryPrefix != "query: " || e.PassagePrefix != "passage: " {
		t.Errorf("embedder config = %+v", e)
	}
	if emb := cfg.searchEmbedder(); !strings.HasPrefix(emb.Model(), "bge-m3@1024") || emb.Dimensions() != 1024 {
		t.Errorf("embedder model %q, %d dimensions", emb.Model(), emb.Dimensions())
	}
	if emb := defaultConfig().searchEmbedder(); emb.Model() != search.NewHashingEmbedder(0).Model() {
		t.Errorf("default embedder is %s, want the offline hashing embedder", emb.Model())
	}

	for yml, want := range map[string]string{
		"embedder:\n  modle: x\n":                                  "modle",
		"embedder:\n  model: bge-m3\n":                             "embedder.url",
		"embedder:\n  url: http://x\n  dimensions: 8\n":            "Model is required",
		"embedder:\n  url: http://x\n  model: m\n":                 "Dimensions",
		"embedder:\n  url: ftp://x\n  model: m\n  dimensions: 8\n": "http",
	} {
		if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := defaultConfig()
		err := cfg.loadFile(path)
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want one naming %q", yml, err, want)
		}
	}
	cfg = defaultConfig()
	if err := cfg.loadEnv(func(k string) string {
		return map[string]string{"COUPONPOP_EMBEDDER_DIMENSIONS": "many"}[k]
	}); err == nil || !strings.Contains(err.Error(), "COUPONPOP_EMBEDDER_DIMENSIONS") {
		t.Errorf("bad COUPONPOP_EMBEDDER_DIMENSIONS: %v", err)
	}
}

func TestSearchReindexCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := geo.DefaultShardMap()
	lat, lng := 37.5572, 126.9245
	shard, district, _ := m.ShardAt(lat, lng)
	db, err := store.Open(ctx, filepath.Join(dir, store.FileName(shard)), shard, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := &couponpop.Store{MemberID: 1, MemberUsername: "o", StoreInput: couponpop.StoreInput{Name: "모카 하우스",
		Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울 마포구", Dong: "서교동", Latitude: lat, Longitude: lng,
		StoreCategory: couponpop.CategoryCafe, WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00",
		WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}}
	if _, err := db.CreateStore(ctx, st, district.Name); err != nil {
		t.Fatal(err)
	}
	db.Close()

	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"search", "reindex", "--data", dir})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	want := "shard 1: 1 stores embedded with " + search.NewHashingEmbedder(0).Model()
	if !strings.Contains(out.String(), want) || strings.Count(out.String(), "\n") != len(m.Shards()) {
		t.Errorf("output:\n%s\nwant a line per shard and %q", out.String(), want)
	}
}
