package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/couponpop/couponpop/client"
)

// storeRow is one row of the store list: a store and its coupon totals.
type storeRow struct {
	ID                      int64
	Name                    string
	Issued, Used, Remaining int
}

// Messages: every answer of the API reaches Update as one of these.
type (
	storesMsg struct {
		rows []storeRow
		err  error
	}
	eventsMsg struct {
		storeID int64
		events  []client.Event
		err     error
	}
	dashboardMsg struct {
		storeID int64
		dash    client.Dashboard
		err     error
	}
	// liveMsg is a message of the store's live stream.
	liveMsg struct {
		storeID int64
		ev      client.LiveEvent
	}
	// liveStatusMsg is a change of the stream: err nil when connected;
	// ended when Follow gave up (a server without /live answers 404).
	liveStatusMsg struct {
		storeID int64
		err     error
		ended   bool
	}
	// pollMsg is the poll clock; gen drops ticks of a screen left.
	pollMsg struct{ gen int }
	// actionMsg is the answer to pause, resume, cancel, add stock or redeem.
	actionMsg struct {
		text string
		err  error
	}
)

func (m *Model) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(m.parent, 10*time.Second)
}

func (m *Model) loadStores() tea.Cmd {
	c := m.opts.Client
	return func() tea.Msg {
		ctx, cancel := m.ctx()
		defer cancel()
		stores, err := c.MyStores(ctx)
		if err != nil {
			return storesMsg{err: err}
		}
		stats, err := c.Statistics(ctx)
		if err != nil {
			return storesMsg{err: err}
		}
		byID := map[int64]client.StoreStatistics{}
		for _, s := range stats {
			byID[s.StoreID] = s
		}
		rows := make([]storeRow, len(stores))
		for i, st := range stores {
			s := byID[st.ID].CouponStats
			rows[i] = storeRow{ID: st.ID, Name: st.Name, Issued: s.Used + s.Unused, Used: s.Used, Remaining: s.Unclaimed}
		}
		return storesMsg{rows: rows}
	}
}

func (m *Model) loadEvents(storeID int64) tea.Cmd {
	c := m.opts.Client
	return func() tea.Msg {
		ctx, cancel := m.ctx()
		defer cancel()
		events, err := c.StoreEvents(ctx, storeID, "")
		return eventsMsg{storeID, events, err}
	}
}

func (m *Model) loadDashboard(storeID int64) tea.Cmd {
	c := m.opts.Client
	return func() tea.Msg {
		ctx, cancel := m.ctx()
		defer cancel()
		d, err := c.Dashboard(ctx, storeID, time.Time{}, time.Time{}, "hour")
		return dashboardMsg{storeID, d, err}
	}
}

func (m *Model) poll(gen int) tea.Cmd {
	return tea.Tick(m.opts.Poll, func(time.Time) tea.Msg { return pollMsg{gen} })
}

// startLive follows the store's live stream in a goroutine of its own
// (client.Follow reconnects with backoff and Last-Event-ID); its messages
// come through a channel that waitLive reads, one Cmd per message.
func (m *Model) startLive(storeID int64) tea.Cmd {
	m.stopLive()
	ctx, cancel := context.WithCancel(m.parent)
	ch := make(chan tea.Msg, 256)
	m.live, m.liveCancel = ch, cancel
	c := m.opts.Client
	go func() {
		err := c.Follow(ctx, storeID, func(ev client.LiveEvent) {
			select {
			case ch <- liveMsg{storeID, ev}:
			case <-ctx.Done():
			}
		}, func(err error) {
			select {
			case ch <- liveStatusMsg{storeID: storeID, err: err}:
			case <-ctx.Done():
			}
		})
		if ctx.Err() == nil {
			select {
			case ch <- liveStatusMsg{storeID: storeID, err: err, ended: true}:
			case <-ctx.Done():
			}
		}
	}()
	return waitLive(ctx, ch)
}

func waitLive(ctx context.Context, ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-ch:
			return msg
		case <-ctx.Done():
			return nil
		}
	}
}

func (m *Model) stopLive() {
	if m.liveCancel != nil {
		m.liveCancel()
		m.liveCancel, m.live = nil, nil
	}
}

func (m *Model) setStatus(eventID int64, status, verb string) tea.Cmd {
	c := m.opts.Client
	return func() tea.Msg {
		ctx, cancel := m.ctx()
		defer cancel()
		e, err := c.SetEventStatus(ctx, eventID, status)
		return actionMsg{text: verb + " " + e.EventName, err: err}
	}
}

func (m *Model) addStock(eventID int64, n int) tea.Cmd {
	c := m.opts.Client
	return func() tea.Msg {
		ctx, cancel := m.ctx()
		defer cancel()
		e, err := c.AddStock(ctx, eventID, n)
		return actionMsg{text: "added stock to " + e.EventName, err: err}
	}
}

func (m *Model) redeem(storeID int64, code string) tea.Cmd {
	c := m.opts.Client
	return func() tea.Msg {
		ctx, cancel := m.ctx()
		defer cancel()
		r, err := c.Redeem(ctx, storeID, code)
		return actionMsg{text: "redeemed: " + r.EventName + " for " + r.MemberUsername, err: err}
	}
}
