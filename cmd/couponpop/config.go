package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop/server"
	"gopkg.in/yaml.v3"
)

// Config is a node's configuration. Defaults are in code; a YAML file
// (--config), then COUPONPOP_* environment variables, then flags override.
type Config struct {
	Addr         string `yaml:"addr"`
	Data         string `yaml:"data"`
	AdvertiseURL string `yaml:"advertise-url"`
	// JWTSecret signs access tokens; empty means one generated once and kept
	// in the data dir.
	JWTSecret string `yaml:"jwt-secret"`
	// ShardMap is a shard map file; empty means the built-in Seoul map.
	ShardMap string `yaml:"shard-map"`
	Demo     bool   `yaml:"demo"`
	// DebugAddr, when set, serves Go's pprof profiles there (keep it on
	// loopback).
	DebugAddr      string        `yaml:"debug-addr"`
	LogLevel       string        `yaml:"log-level"`
	ClaimBatchMax  int           `yaml:"claim-batch-max"`
	ClaimBatchWait time.Duration `yaml:"claim-batch-wait"`
	// BackgroundCheckpoint checkpoints plain-file shards' WALs on a
	// connection of their own instead of in the claim writer's commits, so
	// no claim waits behind a checkpoint.
	BackgroundCheckpoint bool `yaml:"background-checkpoint"`
	// ClaimAck is when a claim is answered: "primary" once committed on the
	// shard's primary, "replica" once a replica has applied it too.
	ClaimAck string `yaml:"claim-ack"`
	// Shards says where each held shard lives; empty means every shard as a
	// plain file under Data.
	Shards []ShardConfig `yaml:"shards"`
	// Embedder embeds stores and queries for search (see search.go).
	Embedder EmbedderConfig `yaml:"embedder"`
	// SearchSynonyms is a synonyms file for store search (the format of
	// search/synonyms.txt, which is the default when empty), read again
	// when it changes.
	SearchSynonyms string `yaml:"search-synonyms"`
	// Push configures Web Push and its dispatchers (push.go).
	Push PushConfig `yaml:"push"`
	// JobsDisabled runs no scheduled jobs on this node (scheduler.go);
	// `couponpop jobs run` still works.
	JobsDisabled bool `yaml:"jobs-disabled"`

	// AdminToken guards /metrics, /readyz details and /internal/ on addr
	// (a bearer token); nodes send it to each other. Empty means one
	// generated once and kept in the data dir (limits.go).
	AdminToken string `yaml:"admin-token"`
	// AdminAddr, when set, also serves those paths there without a token.
	AdminAddr string `yaml:"admin-addr"`
	// BodyReadTimeout cuts off a request body that has not arrived in time.
	BodyReadTimeout time.Duration `yaml:"body-read-timeout"`
	// RateLimits turns the limit-* keys on; they are held per node.
	RateLimits                 bool   `yaml:"rate-limits"`
	LimitSignupPerIP           string `yaml:"limit-signup-per-ip"`
	LimitLoginPerIP            string `yaml:"limit-login-per-ip"`
	LimitRefreshPerIP          string `yaml:"limit-refresh-per-ip"`
	LimitFailedLoginPerAccount string `yaml:"limit-failed-login-per-account"`
	LimitClaimPerMember        string `yaml:"limit-claim-per-member"`
	// TrustedProxies are the peers (CIDRs or addresses, comma-separated)
	// whose X-Forwarded-For names the client.
	TrustedProxies string `yaml:"trusted-proxies"`
	// FlyClientIP takes the client from Fly-Client-IP: set it on Fly only.
	FlyClientIP bool `yaml:"fly-client-ip"`
	// BcryptConcurrency bounds password hashes at once; 0: half the CPUs.
	BcryptConcurrency int `yaml:"bcrypt-concurrency"`
}

// ShardConfig places one shard of this node.
type ShardConfig struct {
	ID        int    `yaml:"id"`
	Dir       string `yaml:"dir"`
	LiteFSURL string `yaml:"litefs-url"`
	// Peers are the app URLs of the shard's other nodes: the replicas a
	// primary asks with claim-ack=replica.
	Peers []string `yaml:"peers"`
	// FlyApp names the Fly app whose machines hold this shard's lease when
	// it is not this node's app (shard 0 on a district app): writes replay
	// there with fly-replay app=….
	FlyApp string `yaml:"fly-app"`
}

// defaultConfig is the single-node default: nothing else to install.
func defaultConfig() Config {
	limits := server.DefaultLimits()
	return Config{Addr: "127.0.0.1:8080", Data: "./data", LogLevel: "info", ClaimBatchMax: 512,
		ClaimBatchWait: 100 * time.Microsecond, BackgroundCheckpoint: true, ClaimAck: "primary", Push: defaultPushConfig(),
		BodyReadTimeout: 30 * time.Second, RateLimits: true,
		LimitSignupPerIP: limits.SignupPerIP.String(), LimitLoginPerIP: limits.LoginPerIP.String(),
		LimitRefreshPerIP: limits.RefreshPerIP.String(), LimitFailedLoginPerAccount: limits.FailedLoginPerAccount.String(),
		LimitClaimPerMember: limits.ClaimPerMember.String()}
}

// loadFile reads a YAML config strictly: an unknown key is an error that
// names it. ${NAME} is replaced from the environment first (expandEnv); any
// other '$' is kept.
func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(expandEnv(string(data), os.Getenv)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// loadEnv applies COUPONPOP_<KEY> for every scalar key (advertise-url is
// COUPONPOP_ADVERTISE_URL).
func (c *Config) loadEnv(getenv func(string) string) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		key := t.Field(i).Tag.Get("yaml")
		name := "COUPONPOP_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
		s := getenv(name)
		if s == "" {
			continue
		}
		f := v.Field(i)
		switch {
		case f.Type() == reflect.TypeOf(time.Duration(0)):
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("%s: %q is not a duration like 500us or 2ms", name, s)
			}
			f.SetInt(int64(d))
		case f.Kind() == reflect.String:
			f.SetString(s)
		case f.Kind() == reflect.Bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("%s: %q is not true or false", name, s)
			}
			f.SetBool(b)
		case f.Kind() == reflect.Int:
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("%s: %q is not an integer", name, s)
			}
			f.SetInt(int64(n))
		}
	}
	if err := c.Push.loadEnv(getenv); err != nil {
		return err
	}
	return c.Embedder.loadEnv(getenv)
}

// copyKey sets the field of c whose YAML key is key to src's value; other
// names (flags that are not config keys, like --config) are ignored.
func (c *Config) copyKey(src *Config, key string) {
	dst, from := reflect.ValueOf(c).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < dst.NumField(); i++ {
		if dst.Type().Field(i).Tag.Get("yaml") == key {
			dst.Field(i).Set(from.Field(i))
			return
		}
	}
}

// Validate names the first bad field.
func (c *Config) Validate() error {
	switch {
	case c.Addr == "":
		return errors.New("config: addr is empty")
	case c.Data == "":
		return errors.New("config: data is empty")
	case c.JWTSecret != "" && len(c.JWTSecret) < 32:
		return errors.New("config: jwt-secret must be at least 32 characters")
	case c.ClaimBatchMax < 1 || c.ClaimBatchMax > 10000:
		return errors.New("config: claim-batch-max must be from 1 to 10000")
	case c.ClaimBatchWait < 0 || c.ClaimBatchWait > time.Second:
		return errors.New("config: claim-batch-wait must be from 0 to 1s")
	}
	switch c.ClaimAck {
	case "primary":
	case "replica":
		if len(c.Shards) == 0 {
			return errors.New("config: claim-ack replica needs shards on LiteFS (shards:) with peers")
		}
	default:
		return fmt.Errorf("config: claim-ack %q must be primary or replica", c.ClaimAck)
	}
	if err := c.Embedder.validate(); err != nil {
		return err
	}
	if err := c.Push.validate(); err != nil {
		return err
	}
	if err := c.validateLimits(); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log-level %q must be debug, info, warn or error", c.LogLevel)
	}
	seen := map[int]bool{}
	for i, s := range c.Shards {
		switch {
		case s.ID < 0:
			return fmt.Errorf("config: shards[%d].id must not be negative", i)
		case seen[s.ID]:
			return fmt.Errorf("config: shards[%d]: shard %d is listed twice", i, s.ID)
		case s.Dir == "":
			return fmt.Errorf("config: shards[%d].dir is empty", i)
		case s.LiteFSURL == "":
			return fmt.Errorf("config: shards[%d].litefs-url is empty", i)
		}
		seen[s.ID] = true
	}
	return nil
}
