package tui

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/couponpop/couponpop/client"
	"github.com/muesli/termenv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii) // as under NO_COLOR
	os.Exit(m.Run())
}

// clock is 2026-12-24 18:30:00 Asia/Seoul, a Thursday.
var clock = time.Date(2026, 12, 24, 18, 30, 0, 0, time.FixedZone("Asia/Seoul", 9*3600))

func newTestModel(t *testing.T, storeID int64) (*Model, *time.Time) {
	t.Helper()
	now := clock
	m := New(context.Background(), Options{Client: client.New("http://127.0.0.1:1"), StoreID: storeID,
		Poll: time.Second, Now: func() time.Time { return now }})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, &now
}

func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		_, cmd = m.Update(msg)
	}
	return cmd
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// golden compares the view with testdata/name.golden, 80×24 exactly.
func golden(t *testing.T, name, view string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != 24 {
		t.Errorf("%s: %d lines, want 24", name, len(lines))
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("%s: line %d is %d columns: %q", name, i+1, w, l)
		}
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(view), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != view {
		t.Errorf("%s: view differs from %s:\n%s", name, path, view)
	}
}

var testStores = []storeRow{{ID: 1099511627777, Name: "연남 커피", Issued: 41, Used: 12, Remaining: 59},
	{ID: 1099511627778, Name: "망원 베이커리 본점 (아주 긴 이름의 가게입니다)", Issued: 3, Used: 0, Remaining: 97}}

func testEvents() []client.Event {
	return []client.Event{
		{ID: 2199023255553, StoreID: 1099511627777, EventName: "점심 아메리카노 1+1", Status: "ACTIVE", Phase: "IN_PROGRESS",
			Summary: client.EventSummary{Total: 50, Issued: 38, Used: 12, Unused: 26, Unclaimed: 12}},
		{ID: 2199023255554, StoreID: 1099511627777, EventName: "크리스마스 케이크", Status: "PAUSED", Phase: "IN_PROGRESS",
			Summary: client.EventSummary{Total: 10, Issued: 3, Used: 0, Unused: 3, Unclaimed: 7}},
		{ID: 2199023255555, StoreID: 1099511627777, EventName: "새해 첫 커피", Status: "ACTIVE", Phase: "SCHEDULED",
			Summary: client.EventSummary{Total: 100, Unclaimed: 100}},
	}
}

var notFound = &client.Error{Status: 404, Code: "NOT_FOUND", Message: "no route"}

func TestModel_StoreList(t *testing.T) {
	m, _ := newTestModel(t, 0)
	if v := m.View(); !strings.Contains(v, "loading") {
		t.Fatalf("before data:\n%s", v)
	}
	send(m, storesMsg{rows: testStores}, keyMsg("j"))
	golden(t, "store_list", m.View())
}

// TestModel_StorePolling is a server without /live and /dashboard: counts
// are polled, and claims seen between polls fill the sparkline.
func TestModel_StorePolling(t *testing.T) {
	m, now := newTestModel(t, 1099511627777)
	events := testEvents()
	send(m, storesMsg{rows: testStores}, eventsMsg{storeID: 1099511627777, events: events},
		liveStatusMsg{storeID: 1099511627777, err: notFound, ended: true},
		dashboardMsg{storeID: 1099511627777, err: notFound})
	*now = now.Add(time.Minute)
	events = testEvents()
	events[0].Summary.Issued, events[0].Summary.Unclaimed = 41, 9
	send(m, eventsMsg{storeID: 1099511627777, events: events})
	golden(t, "store_polling", m.View())

	*now = now.Add(10 * time.Second) // polls failing since
	send(m, eventsMsg{storeID: 1099511627777, err: errors.New("connection refused")})
	if v := m.View(); !strings.Contains(v, "STALE 10s") {
		t.Fatalf("no stale mark after 10 s without data:\n%s", v)
	}
}

// TestModel_StoreLive has a dashboard and a live stream; a claim on the
// stream moves the counts at once.
func TestModel_StoreLive(t *testing.T) {
	m, _ := newTestModel(t, 1099511627777)
	var d client.Dashboard
	d.Heatmap[time.Friday][18], d.Heatmap[time.Friday][19], d.Heatmap[time.Saturday][12], d.Heatmap[time.Monday][9] = 41, 20, 10, 3
	d.DistanceBands = []client.DistanceBand{{MaxMeters: 200, Issued: 20}, {MaxMeters: 400, Issued: 12}, {MaxMeters: 1000, Issued: 6}, {MaxMeters: 5000, Issued: 2}}
	d.Conversion = client.Conversion{Issued: 40, Used: 12, Rate: 0.3}
	d.Recommendations = []client.Recommendation{
		{Kind: "peak_hour", Message: "your coupons are used most Fri 18–19", Evidence: json.RawMessage(`"41% of uses"`)},
		{Kind: "radius", Message: "80% of claims come from within 400 m", Evidence: json.RawMessage(`{"within400m":0.8}`)},
	}
	send(m, storesMsg{rows: testStores}, eventsMsg{storeID: 1099511627777, events: testEvents()},
		liveStatusMsg{storeID: 1099511627777}, dashboardMsg{storeID: 1099511627777, dash: d},
		liveMsg{storeID: 1099511627777, ev: client.LiveEvent{Type: "claim", EventID: 2199023255553, Issued: 39, Used: 12, Remaining: 11}})
	golden(t, "store_live", m.View())
}

// TestModel_Keys: q and ctrl+c quit from every screen; help; cancel asks.
func TestModel_Keys(t *testing.T) {
	isQuit := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	m, _ := newTestModel(t, 0)
	if !isQuit(send(m, keyMsg("q"))) {
		t.Fatal("q on the store list did not quit")
	}
	m, _ = newTestModel(t, 1099511627777)
	send(m, eventsMsg{storeID: 1099511627777, events: testEvents()})
	send(m, keyMsg("?"))
	if v := m.View(); !strings.Contains(v, "pause/resume") || !strings.Contains(v, "redeem") {
		t.Fatalf("help:\n%s", v)
	}
	if !isQuit(send(m, keyMsg("q"))) {
		t.Fatal("q on help did not quit")
	}
	m.overlay = overlayNone
	send(m, keyMsg("x"))
	if v := m.View(); !strings.Contains(v, "Cancel \"점심 아메리카노 1+1\" for good?") {
		t.Fatalf("no confirmation:\n%s", v)
	}
	if cmd := send(m, keyMsg("n")); cmd != nil || !strings.Contains(m.View(), "not confirmed") {
		t.Fatal("n did not decline")
	}
	send(m, keyMsg("x"))
	if cmd := send(m, keyMsg("y")); cmd == nil {
		t.Fatal("y did not cancel")
	}
	send(m, keyMsg("r"))
	send(m, keyMsg("q"), keyMsg("7"))
	if m.overlay != overlayRedeem || !strings.Contains(m.View(), "q7") {
		t.Fatalf("the redeem box did not take q7:\n%s", m.View())
	}
	if !isQuit(send(m, keyMsg("ctrl+c"))) {
		t.Fatal("ctrl+c in the redeem box did not quit")
	}
	send(m, keyMsg("esc"), keyMsg("a"), keyMsg("x"), keyMsg("enter"))
	if !strings.Contains(m.View(), "not a number") {
		t.Fatalf("add stock took x:\n%s", m.View())
	}
	send(m, keyMsg("esc"))
	if m.screen != screenStores {
		t.Fatal("esc did not go back to the store list")
	}
	send(m, tea.WindowSizeMsg{Width: 60, Height: 10})
	if v := m.View(); len(strings.Split(v, "\n")) != 10 {
		t.Fatalf("view at 60×10:\n%s", v)
	}
}
