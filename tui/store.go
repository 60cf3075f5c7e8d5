package tui

import (
	"time"

	"github.com/couponpop/couponpop/client"
)

// liveMode is how a store's counts arrive.
type liveMode int

const (
	modeConnecting   liveMode = iota // opening the stream
	modeLive                         // the stream is up
	modeReconnecting                 // the stream broke; Follow retries with backoff
	modePolling                      // the server has no stream (404): counts are polled
)

// sparkMinutes is how many minutes the claims sparkline covers.
const sparkMinutes = 30

// store is the state of the store screen.
type store struct {
	id     int64
	name   string
	events []client.Event
	cursor int
	err    error

	dash        *client.Dashboard
	dashMissing bool // the server has no /dashboard (404)
	dashErr     error

	mode     liveMode
	liveErr  error
	freshAt  time.Time // the last time the counts were known current
	perMin   map[int64]int
	issued   int // sum over events, as last seen
	seenSums bool
}

func newStore(id int64, name string) store {
	return store{id: id, name: name, perMin: map[int64]int{}}
}

func (s *store) selected() (client.Event, bool) {
	if s.cursor < 0 || s.cursor >= len(s.events) {
		return client.Event{}, false
	}
	return s.events[s.cursor], true
}

// setEvents takes a polled event list; without a live stream, the growth
// of issued since the last poll counts as claims in this minute.
func (s *store) setEvents(events []client.Event, err error, now time.Time) {
	if err != nil {
		s.err = err
		return
	}
	s.err, s.events = nil, events
	s.cursor = min(s.cursor, max(len(events)-1, 0))
	issued := 0
	for _, e := range events {
		issued += e.Summary.Issued
	}
	if s.seenSums && issued > s.issued && s.mode != modeLive {
		s.perMin[now.Unix()/60] += issued - s.issued
	}
	s.issued, s.seenSums = issued, true
	if s.mode != modeLive {
		s.freshAt = now
	}
}

func (s *store) setDashboard(d client.Dashboard, err error, now time.Time) {
	switch {
	case err == nil:
		s.dash, s.dashMissing, s.dashErr = &d, false, nil
	case client.Permanent(err):
		s.dashMissing, s.dashErr = true, nil
	default:
		s.dashErr = err
	}
}

// applyLive takes a message of the stream; false when the event is not
// in the list (a new campaign: reload it).
func (s *store) applyLive(ev client.LiveEvent, now time.Time) bool {
	s.freshAt = now
	if ev.Type == "claim" {
		s.perMin[now.Unix()/60]++
	}
	for i := range s.events {
		e := &s.events[i]
		if e.ID != ev.EventID {
			continue
		}
		s.issued += ev.Issued - e.Summary.Issued
		e.Summary.Issued, e.Summary.Used, e.Summary.Unclaimed = ev.Issued, ev.Used, ev.Remaining
		e.Summary.Unused = ev.Issued - ev.Used
		if ev.Type == "stock" {
			e.Summary.Total = ev.Issued + ev.Remaining
		}
		return true
	}
	return false
}

func (s *store) setLiveStatus(err error, ended bool, now time.Time) {
	switch {
	case ended && client.Permanent(err):
		s.mode, s.liveErr = modePolling, nil
	case err == nil:
		s.mode, s.liveErr, s.freshAt = modeLive, nil, now
	default:
		s.mode, s.liveErr = modeReconnecting, err
	}
}

// claimsPerMinute is the last sparkMinutes minutes, oldest first.
func (s *store) claimsPerMinute(now time.Time) []int {
	out := make([]int, sparkMinutes)
	cur := now.Unix() / 60
	for i := range out {
		out[i] = s.perMin[cur-int64(sparkMinutes-1-i)]
	}
	return out
}

// staleFor is how long the counts have gone without an update they
// should have had: zero while fresh. A live stream is fresh while it is
// up (its heartbeats keep it so); otherwise polls keep the counts fresh,
// during a reconnect too.
func (s *store) staleFor(now time.Time, poll time.Duration) time.Duration {
	if s.freshAt.IsZero() {
		return 0
	}
	if age := now.Sub(s.freshAt); s.mode != modeLive && age > 3*poll {
		return age
	}
	return 0
}
