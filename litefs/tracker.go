package litefs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Role is what one LiteFS mount says about this node's role in its cluster.
type Role struct {
	// IsPrimary is true when this node holds the lease: writes go here.
	IsPrimary bool
	// PrimaryURL is the primary's lease.hostname: by our convention the URL
	// of the primary's app (the machine id on Fly). On the primary it is the
	// node's own hostname when LiteFS could tell it, else "".
	PrimaryURL string
	// Known is false while no primary is known (LiteFS unreachable, or a
	// replica that lost its primary): writes must wait or fail with 503.
	Known bool
}

// Writable reports whether writes can be served locally.
func (r Role) Writable() bool { return r.Known && r.IsPrimary }

// roleOf turns an init or primaryChange event into a Role; self is this
// node's own hostname (known on the primary only through /info).
func roleOf(isPrimary bool, hostname, self string) Role {
	switch {
	case isPrimary:
		if hostname == "" {
			hostname = self
		}
		return Role{IsPrimary: true, PrimaryURL: hostname, Known: true}
	case hostname != "":
		return Role{PrimaryURL: hostname, Known: true}
	default:
		return Role{}
	}
}

// Tracker keeps the role of one LiteFS mount current. Run follows GET
// /events; while the stream is down it polls GET /info every PollInterval and
// reconnects. The zero Role (Known false) stands until LiteFS has answered,
// and again whenever /info fails. Role, Changed and Wait are safe for
// concurrent use.
type Tracker struct {
	Client *Client
	// PollInterval is the /info poll and /events reconnect period while the
	// stream is down; 0 means 1 s.
	PollInterval time.Duration
	// InfoTimeout bounds each /info call; 0 means 2 s.
	InfoTimeout time.Duration
	// Logger receives role changes and stream errors; nil discards them.
	Logger *slog.Logger

	mu      sync.Mutex
	role    Role
	self    string        // own hostname from /info, once known
	changed chan struct{} // closed and replaced on every change
}

// NewTracker returns a Tracker of the LiteFS node behind c. Call Run.
func NewTracker(c *Client) *Tracker {
	return &Tracker{Client: c}
}

// Role returns the current role.
func (t *Tracker) Role() Role {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.role
}

// Changed returns a channel that is closed at the next role change. Read
// Role after it fires, then call Changed again.
func (t *Tracker) Changed() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changedLocked()
}

func (t *Tracker) changedLocked() chan struct{} {
	if t.changed == nil {
		t.changed = make(chan struct{})
	}
	return t.changed
}

// Wait blocks until cond holds for the current role, or ctx ends.
func (t *Tracker) Wait(ctx context.Context, cond func(Role) bool) (Role, error) {
	for {
		t.mu.Lock()
		role, ch := t.role, t.changedLocked()
		t.mu.Unlock()
		if cond(role) {
			return role, nil
		}
		select {
		case <-ctx.Done():
			return role, ctx.Err()
		case <-ch:
		}
	}
}

func (t *Tracker) set(role Role) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if role == t.role {
		return
	}
	t.logger().Info("litefs role", "url", t.Client.URL, "primary", role.IsPrimary, "primary_url", role.PrimaryURL, "known", role.Known)
	t.role = role
	close(t.changedLocked())
	t.changed = make(chan struct{})
}

func (t *Tracker) logger() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}

func (t *Tracker) pollInterval() time.Duration {
	if t.PollInterval > 0 {
		return t.PollInterval
	}
	return time.Second
}

// Run tracks the role until ctx ends and returns ctx's error.
func (t *Tracker) Run(ctx context.Context) error {
	for {
		if err := t.stream(ctx); err != nil && ctx.Err() == nil {
			t.logger().Debug("litefs events", "url", t.Client.URL, "err", err)
		}
		// The stream is down: ask /info now, then again every interval until
		// the stream is back.
		t.poll(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(t.pollInterval()):
		}
	}
}

// stream applies events from one /events connection until it ends.
func (t *Tracker) stream(ctx context.Context) error {
	s, err := t.Client.Events(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	for {
		ev, err := s.Next()
		if err != nil {
			return err
		}
		switch ev.Type {
		case EventInit, EventPrimaryChange:
			self := ""
			if ev.IsPrimary && ev.Hostname == "" {
				self = t.selfHostname(ctx)
			}
			t.set(roleOf(ev.IsPrimary, ev.Hostname, self))
		}
	}
}

// poll sets the role from one /info answer; a failure means unknown.
func (t *Tracker) poll(ctx context.Context) {
	info, err := t.info(ctx)
	if err != nil {
		if ctx.Err() == nil {
			t.set(Role{})
		}
		return
	}
	t.set(roleOf(info.IsPrimary, info.Primary.Hostname, ""))
}

// selfHostname returns this node's hostname as /info tells it on a primary,
// remembered after the first answer.
func (t *Tracker) selfHostname(ctx context.Context) string {
	t.mu.Lock()
	self := t.self
	t.mu.Unlock()
	if self != "" {
		return self
	}
	info, err := t.info(ctx)
	if err != nil || !info.IsPrimary {
		return ""
	}
	t.mu.Lock()
	t.self = info.Primary.Hostname
	t.mu.Unlock()
	return info.Primary.Hostname
}

func (t *Tracker) info(ctx context.Context) (Info, error) {
	timeout := t.InfoTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return t.Client.Info(ctx)
}
