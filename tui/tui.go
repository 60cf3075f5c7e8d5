// Package tui is the merchant's terminal dashboard, `couponpop dashboard`:
// a bubbletea program over the API client. Model is the root model; it
// holds the screen (the store list or one store), the shared data, and an
// overlay (help, a confirmation, an input box). All I/O runs in tea.Cmds
// (data.go); Update never blocks.
package tui

import (
	"context"
	"errors"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/couponpop/couponpop/client"
)

// Options configure the dashboard.
type Options struct {
	Client  *client.Client
	StoreID int64 // open this store at once; 0 starts at the store list
	// Poll is how often counts are fetched when the server has no live
	// stream (and how often the store list refreshes). Default 1s.
	Poll time.Duration
	// Now is the clock (tests fix it). Default time.Now.
	Now func() time.Time
	// Input and Output default to the terminal.
	Input  io.Reader
	Output io.Writer
}

func (o *Options) defaults() {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Run runs the dashboard until the user quits (nil) or ctx ends. The
// terminal is restored on every way out, a panic included.
func Run(ctx context.Context, opts Options) error {
	m := New(ctx, opts)
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	final, err := tea.NewProgram(m, popts...).Run()
	if fm, ok := final.(*Model); ok {
		fm.stopLive()
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // interrupted: a quit like q
	}
	return err
}
