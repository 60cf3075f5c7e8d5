package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/store"
)

// PushConfig configures Web Push (the "push" key).
type PushConfig struct {
	// VAPIDPublicKey and VAPIDPrivateKey, when set (a secret), are the
	// deployment's keys; when empty, shard 0's primary generates a pair
	// once and keeps it in shard 0.
	VAPIDPublicKey  string `yaml:"vapid-public-key"`
	VAPIDPrivateKey string `yaml:"vapid-private-key"`
	// AllowedEndpoints are the URL prefixes a subscription may name,
	// comma-separated; empty means the public push services, "*" any.
	AllowedEndpoints string `yaml:"allowed-endpoints"`
	// Subscriber is the VAPID contact: an e-mail address or https URL.
	Subscriber string `yaml:"subscriber"`
	// Concurrency bounds each dispatcher's sends in flight or not yet
	// recorded, what a crash can repeat (default 64; 1 while claims flow).
	Concurrency int `yaml:"concurrency"`
	// Disabled runs no dispatcher and no push jobs on this node.
	Disabled bool `yaml:"disabled"`
}

func defaultPushConfig() PushConfig {
	return PushConfig{Subscriber: "ops@couponpop.com", Concurrency: 64}
}

// loadEnv applies COUPONPOP_PUSH_* (COUPONPOP_PUSH_ALLOWED_ENDPOINTS, …).
func (p *PushConfig) loadEnv(getenv func(string) string) error {
	strs := map[string]*string{"VAPID_PUBLIC_KEY": &p.VAPIDPublicKey, "VAPID_PRIVATE_KEY": &p.VAPIDPrivateKey,
		"ALLOWED_ENDPOINTS": &p.AllowedEndpoints, "SUBSCRIBER": &p.Subscriber}
	for key, ptr := range strs {
		if s := getenv("COUPONPOP_PUSH_" + key); s != "" {
			*ptr = s
		}
	}
	if s := getenv("COUPONPOP_PUSH_DISABLED"); s == "true" || s == "1" {
		p.Disabled = true
	}
	return nil
}

func (p PushConfig) validate() error {
	if _, err := push.ParseAllowList(p.AllowedEndpoints); err != nil {
		return fmt.Errorf("config: push.allowed-endpoints: %w", err)
	}
	if (p.VAPIDPublicKey == "") != (p.VAPIDPrivateKey == "") {
		return errors.New("config: push.vapid-public-key and push.vapid-private-key go together")
	}
	if p.VAPIDPublicKey != "" {
		if _, err := push.ParseVAPIDKeys(p.VAPIDPublicKey, p.VAPIDPrivateKey); err != nil {
			return fmt.Errorf("config: push.vapid-private-key: %w", err)
		}
	}
	if p.Concurrency < 1 || p.Concurrency > 256 {
		return errors.New("config: push.concurrency must be from 1 to 256")
	}
	return nil
}

// allowList returns the parsed allow list; Validate has checked it.
func (p PushConfig) allowList() push.AllowList {
	a, err := push.ParseAllowList(p.AllowedEndpoints)
	if err != nil {
		panic(fmt.Sprintf("push.allowed-endpoints passed Validate but does not parse: %v", err))
	}
	return a
}

// vapidKeys returns the deployment's VAPID keys: the configured secret, or
// the pair kept in shard 0, which shard 0's primary (writesGlobal) makes
// the first time and a replica waits for.
func vapidKeys(ctx context.Context, p PushConfig, global *store.DB, writesGlobal func() bool) (push.VAPIDKeys, error) {
	if p.VAPIDPublicKey != "" {
		return push.ParseVAPIDKeys(p.VAPIDPublicKey, p.VAPIDPrivateKey)
	}
	deadline := time.Now().Add(replicaWait)
	for {
		if writesGlobal() {
			pub, priv, err := global.EnsureVAPIDKeys(ctx, func() (string, string, error) {
				k, err := push.GenerateVAPIDKeys()
				return k.Public, k.Private, err
			})
			if err != nil {
				return push.VAPIDKeys{}, fmt.Errorf("VAPID keys: %w", err)
			}
			return push.ParseVAPIDKeys(pub, priv)
		}
		pub, priv, ok, err := global.VAPIDKeys(ctx)
		if err != nil {
			return push.VAPIDKeys{}, fmt.Errorf("VAPID keys: %w", err)
		}
		if ok {
			return push.ParseVAPIDKeys(pub, priv)
		}
		if time.Now().After(deadline) {
			return push.VAPIDKeys{}, errors.New("VAPID keys: shard 0's primary has not made them; set push.vapid-public-key and push.vapid-private-key, or start the primary")
		}
		select {
		case <-ctx.Done():
			return push.VAPIDKeys{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// nodePush is a node's Web Push: its keys and allow list, and the sender
// its dispatchers share.
type nodePush struct {
	keys   push.VAPIDKeys
	allow  push.AllowList
	sender *push.Sender
}

// writes reports whether this node writes shard.
func (n *node) writes(shard int) bool {
	if n.roles == nil {
		return true
	}
	local, _ := n.roles.Writer(shard)
	return local
}

// initPush loads the VAPID keys (made once by shard 0's primary) and the
// endpoint allow list, and builds the sender.
func (n *node) initPush() error {
	n.push.allow = n.cfg.Push.allowList()
	if n.cfg.Push.Disabled {
		return nil
	}
	keys, err := vapidKeys(n.ctx, n.cfg.Push, n.shards.Global, func() bool { return n.writes(store.GlobalShard) })
	if err != nil {
		return err
	}
	n.push.keys = keys
	n.push.sender, err = push.NewSender(push.SenderConfig{Keys: keys, Subscriber: n.cfg.Push.Subscriber, Allow: n.push.allow})
	return err
}

// rolePoll is how often a part that runs only on a shard's primary checks
// the shard's role.
const rolePoll = 250 * time.Millisecond

// startDispatchers adds, for shard 0 and each district shard the node
// holds, a part that runs the shard's push dispatcher while this node is
// its primary: exactly one per shard, resuming from the cursor kept in the
// shard. Shard 0's outbox holds the advertising pushes (area entry, the
// hourly job); a district's its coupons' pushes and expiry reminders.
func (n *node) startDispatchers() {
	if n.push.sender == nil {
		return
	}
	dbs := []*store.DB{n.shards.Global}
	for _, db := range n.shards.District {
		dbs = append(dbs, db)
	}
	for _, db := range dbs {
		n.group.Go(func() error {
			return n.whilePrimary(db.Shard(), func(ctx context.Context) error {
				d, err := notify.New(notify.Config{Shard: db, Subscriptions: n.shards.Global, Sender: n.push.sender,
					Concurrency: n.cfg.Push.Concurrency, Observe: n.metrics.PushObserver(), Logger: n.log})
				if err != nil {
					return err
				}
				n.log.Info("push dispatcher started", "shard", db.Shard())
				return d.Run(ctx)
			})
		})
	}
}

// whilePrimary runs run while this node writes shard: it starts it on
// promotion and cancels it on demotion or when the node closes. An error
// from run stops the node.
func (n *node) whilePrimary(shard int, run func(ctx context.Context) error) error {
	for {
		for !n.writes(shard) {
			if !sleepCtx(n.ctx, rolePoll) {
				return nil
			}
		}
		ctx, cancel := context.WithCancel(n.ctx)
		done := make(chan error, 1)
		go func() { done <- run(ctx) }()
		var err error
	watch:
		for {
			select {
			case err = <-done:
				done = nil
				break watch
			case <-n.ctx.Done():
				break watch
			case <-time.After(rolePoll):
				if !n.writes(shard) {
					n.log.Info("no longer primary: stopping its part", "shard", shard)
					break watch
				}
			}
		}
		cancel()
		if done != nil {
			err = <-done
		}
		if err != nil {
			return fmt.Errorf("shard %d: %w", shard, err)
		}
		if n.ctx.Err() != nil {
			return nil
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
