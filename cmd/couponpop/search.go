package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
	"github.com/spf13/cobra"
)

// EmbedderConfig configures the embedder of store search (the "embedder"
// key). An empty URL means the offline hashing embedder, which needs no
// service but knows no meaning beyond a small lexicon; set URL to any
// OpenAI-compatible /v1/embeddings endpoint (OpenAI, Ollama, llama-server
// --embeddings, vLLM) for real semantic search. Every node of a cluster must
// use the same model, dimensions and passage prefix.
type EmbedderConfig struct {
	URL           string `yaml:"url"`
	Model         string `yaml:"model"`
	APIKey        string `yaml:"api-key"`
	Dimensions    int    `yaml:"dimensions"`
	QueryPrefix   string `yaml:"query-prefix"`
	PassagePrefix string `yaml:"passage-prefix"`
	// OmitDimensions leaves "dimensions" out of requests, for servers that
	// reject it; the vectors must still have Dimensions floats.
	OmitDimensions bool          `yaml:"omit-dimensions"`
	Timeout        time.Duration `yaml:"timeout"`
}

// build returns the configured embedder.
func (e EmbedderConfig) build() (search.Embedder, error) {
	if e.URL == "" {
		if e.Model != "" || e.APIKey != "" {
			return nil, fmt.Errorf("config: embedder.model and embedder.api-key need embedder.url")
		}
		if e.Dimensions < 0 {
			return nil, fmt.Errorf("config: embedder.dimensions must not be negative")
		}
		return search.NewHashingEmbedder(e.Dimensions), nil
	}
	emb, err := search.NewOpenAIEmbedder(search.OpenAIConfig{URL: e.URL, Model: e.Model, APIKey: e.APIKey,
		Dimensions: e.Dimensions, OmitDimensions: e.OmitDimensions, QueryPrefix: e.QueryPrefix,
		PassagePrefix: e.PassagePrefix, Timeout: e.Timeout})
	if err != nil {
		return nil, fmt.Errorf("config: embedder: %w", err)
	}
	return emb, nil
}

// loadEnv applies COUPONPOP_EMBEDDER_<KEY> (COUPONPOP_EMBEDDER_API_KEY, ...).
func (e *EmbedderConfig) loadEnv(getenv func(string) string) error {
	strs := map[string]*string{"URL": &e.URL, "MODEL": &e.Model, "API_KEY": &e.APIKey,
		"QUERY_PREFIX": &e.QueryPrefix, "PASSAGE_PREFIX": &e.PassagePrefix}
	for key, p := range strs {
		if s := getenv("COUPONPOP_EMBEDDER_" + key); s != "" {
			*p = s
		}
	}
	if s := getenv("COUPONPOP_EMBEDDER_DIMENSIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("COUPONPOP_EMBEDDER_DIMENSIONS: %q is not an integer", s)
		}
		e.Dimensions = n
	}
	if s := getenv("COUPONPOP_EMBEDDER_OMIT_DIMENSIONS"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("COUPONPOP_EMBEDDER_OMIT_DIMENSIONS: %q is not true or false", s)
		}
		e.OmitDimensions = b
	}
	if s := getenv("COUPONPOP_EMBEDDER_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("COUPONPOP_EMBEDDER_TIMEOUT: %q is not a duration like 10s", s)
		}
		e.Timeout = d
	}
	return nil
}

func (e EmbedderConfig) validate() error {
	_, err := e.build()
	return err
}

// searchEmbedder returns the configured embedder. Validate has checked the
// config, so it cannot fail.
func (c Config) searchEmbedder() search.Embedder {
	e, err := c.Embedder.build()
	if err != nil {
		panic(fmt.Sprintf("embedder config passed Validate but does not build: %v", err))
	}
	return e
}

// searchOptions are the store search options of a shard.
func (c Config) searchOptions() store.SearchOptions {
	return store.SearchOptions{Embedder: c.searchEmbedder()}
}

func newSearchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "search", Short: "Look after the store search index"}
	cmd.AddCommand(newSearchReindexCmd())
	return cmd
}

func newSearchReindexCmd() *cobra.Command {
	cfg := defaultConfig()
	var configPath string
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the keyword index and embed every store again, in every shard of the data dir",
		Long: `Rebuilds each district shard's keyword index from its stores and embeds every
store again with the configured embedder, then waits until the vectors are
stored. A server running on the same data dir picks the new vectors up by
itself. On a cluster, run POST /api/v1/admin/stores/index/reindex on each
shard's primary instead.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			shards, err := openDataDir(cmd, configPath, cfg)
			if err != nil {
				return err
			}
			defer shards.Close()
			out := cmd.OutOrStdout()
			for _, n := range shards.Map.Shards() {
				db := shards.District[n]
				start := time.Now()
				if err := db.Reindex(); err != nil {
					return err
				}
				if err := db.WaitSearchIndexed(cmd.Context()); err != nil {
					return fmt.Errorf("shard %d: %w", n, err)
				}
				st := db.SearchStats()
				fmt.Fprintf(out, "shard %d: %d stores embedded with %s in %v\n", n, st.Vectors, st.Model,
					time.Since(start).Round(time.Millisecond))
			}
			return nil
		},
	}
	addDataDirFlags(cmd, &configPath, &cfg)
	return cmd
}
