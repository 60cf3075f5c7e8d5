package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/couponpop/couponpop/client"
)

type screen int

const (
	screenStores screen = iota
	screenStore
)

// overlay is what sits over the screen and takes the keys.
type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayConfirmCancel
	overlayAddStock
	overlayRedeem
)

// Model is the dashboard's root model.
type Model struct {
	parent context.Context
	opts   Options
	keys   keyMap
	st     styles
	help   help.Model
	input  textinput.Model

	width, height int
	screen        screen
	overlay       overlay

	stores      []storeRow
	storeCursor int
	storesAt    time.Time
	storesErr   error

	store store

	gen        int // bumps when the screen changes; old poll ticks die
	ticks      int
	live       chan tea.Msg
	liveCancel context.CancelFunc

	flash    string
	flashErr bool
}

// New returns the dashboard's model.
func New(ctx context.Context, opts Options) *Model {
	opts.defaults()
	in := textinput.New()
	in.CharLimit = 64
	m := &Model{parent: ctx, opts: opts, keys: newKeyMap(), st: newStyles(), help: help.New(), input: in, width: 80, height: 24}
	if opts.StoreID != 0 {
		m.screen = screenStore
		m.store = newStore(opts.StoreID, "")
	}
	return m
}

// Init loads the store list, and the store when one was given.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadStores(), m.poll(m.gen)}
	if m.screen == screenStore {
		cmds = append(cmds, m.enterStore()...)
	}
	return tea.Batch(cmds...)
}

func (m *Model) enterStore() []tea.Cmd {
	m.gen++
	m.ticks = 0
	return []tea.Cmd{m.loadEvents(m.store.id), m.loadDashboard(m.store.id), m.startLive(m.store.id), m.poll(m.gen)}
}

// Update handles one message; it never blocks.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case storesMsg:
		m.storesErr = msg.err
		if msg.err == nil {
			m.stores, m.storesAt = msg.rows, m.opts.Now()
			m.storeCursor = min(m.storeCursor, max(len(m.stores)-1, 0))
			if m.store.id != 0 && m.store.name == "" {
				for _, r := range m.stores {
					if r.ID == m.store.id {
						m.store.name = r.Name
					}
				}
			}
		}
		return m, nil
	case eventsMsg:
		if msg.storeID == m.store.id {
			m.store.setEvents(msg.events, msg.err, m.opts.Now())
		}
		return m, nil
	case dashboardMsg:
		if msg.storeID == m.store.id {
			m.store.setDashboard(msg.dash, msg.err, m.opts.Now())
		}
		return m, nil
	case liveMsg:
		if msg.storeID == m.store.id {
			if !m.store.applyLive(msg.ev, m.opts.Now()) {
				return m, tea.Batch(m.loadEvents(m.store.id), m.nextLive())
			}
		}
		return m, m.nextLive()
	case liveStatusMsg:
		if msg.storeID == m.store.id {
			m.store.setLiveStatus(msg.err, msg.ended, m.opts.Now())
		}
		if msg.ended {
			return m, nil
		}
		return m, m.nextLive()
	case pollMsg:
		return m.handlePoll(msg)
	case actionMsg:
		m.flash, m.flashErr = msg.text, msg.err != nil
		if msg.err != nil {
			m.flash = errorText(msg.err)
		}
		if m.screen == screenStore {
			return m, m.loadEvents(m.store.id)
		}
		return m, nil
	}
	if m.overlay == overlayAddStock || m.overlay == overlayRedeem {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) nextLive() tea.Cmd {
	if m.live == nil {
		return nil
	}
	return waitLive(m.parent, m.live)
}

// handlePoll refreshes what the screen shows: the store list every tick;
// a store's events every tick unless the live stream is up (then every
// 10th, for names and new campaigns), and its dashboard every 30th.
func (m *Model) handlePoll(msg pollMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.ticks++
	cmds := []tea.Cmd{m.poll(m.gen)}
	switch m.screen {
	case screenStores:
		cmds = append(cmds, m.loadStores())
	case screenStore:
		if m.store.mode != modeLive || m.ticks%10 == 0 {
			cmds = append(cmds, m.loadEvents(m.store.id))
		}
		if m.ticks%30 == 0 {
			cmds = append(cmds, m.loadDashboard(m.store.id))
		}
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m, tea.Quit
	}
	switch m.overlay {
	case overlayHelp:
		m.overlay = overlayNone // any key closes help
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
		return m, nil
	case overlayConfirmCancel:
		m.overlay = overlayNone
		if e, ok := m.store.selected(); ok && key.Matches(msg, m.keys.Yes) {
			return m, m.setStatus(e.ID, "CANCELED", "canceled")
		}
		m.flash, m.flashErr = "cancel: not confirmed, nothing done", false
		return m, nil
	case overlayAddStock, overlayRedeem:
		return m.handleInputKey(msg)
	}
	m.flash = ""
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.overlay = overlayHelp
		return m, nil
	}
	if m.screen == screenStores {
		return m.handleListKey(msg)
	}
	return m.handleStoreKey(msg)
}

func (m *Model) handleListKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Up):
		m.storeCursor = max(m.storeCursor-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.storeCursor = min(m.storeCursor+1, max(len(m.stores)-1, 0))
	case key.Matches(msg, m.keys.Refresh):
		return m, m.loadStores()
	case key.Matches(msg, m.keys.Open):
		if len(m.stores) == 0 {
			return m, nil
		}
		r := m.stores[m.storeCursor]
		m.screen, m.store = screenStore, newStore(r.ID, r.Name)
		return m, tea.Batch(m.enterStore()...)
	}
	return m, nil
}

func (m *Model) handleStoreKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	e, hasEvent := m.store.selected()
	switch {
	case key.Matches(msg, m.keys.Up):
		m.store.cursor = max(m.store.cursor-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.store.cursor = min(m.store.cursor+1, max(len(m.store.events)-1, 0))
	case key.Matches(msg, m.keys.Back):
		m.stopLive()
		m.gen++
		m.ticks = 0
		m.screen, m.store = screenStores, store{}
		return m, tea.Batch(m.loadStores(), m.poll(m.gen))
	case key.Matches(msg, m.keys.Refresh):
		return m, tea.Batch(m.loadEvents(m.store.id), m.loadDashboard(m.store.id))
	case key.Matches(msg, m.keys.Redeem):
		return m, m.openInput(overlayRedeem, "code: ", "the customer's coupon code")
	case !hasEvent:
		return m, nil
	case key.Matches(msg, m.keys.Pause):
		if e.Status == "PAUSED" {
			return m, m.setStatus(e.ID, "ACTIVE", "resumed")
		}
		return m, m.setStatus(e.ID, "PAUSED", "paused")
	case key.Matches(msg, m.keys.AddStock):
		return m, m.openInput(overlayAddStock, "add coupons: ", "how many")
	case key.Matches(msg, m.keys.Cancel):
		m.overlay = overlayConfirmCancel
	}
	return m, nil
}

func (m *Model) openInput(o overlay, prompt, placeholder string) tea.Cmd {
	m.overlay = o
	m.input.Reset()
	m.input.Prompt, m.input.Placeholder = prompt, placeholder
	return m.input.Focus()
}

func (m *Model) handleInputKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Dismiss):
		m.overlay = overlayNone
		m.input.Blur()
		return m, nil
	case key.Matches(msg, m.keys.Submit):
		v := strings.TrimSpace(m.input.Value())
		o := m.overlay
		m.overlay = overlayNone
		m.input.Blur()
		if o == overlayRedeem {
			if v == "" {
				return m, nil
			}
			return m, m.redeem(m.store.id, v[strings.LastIndexByte(v, '/')+1:])
		}
		n, err := strconv.Atoi(v)
		e, ok := m.store.selected()
		if err != nil || n < 1 || !ok {
			m.flash, m.flashErr = "add stock: "+strconv.Quote(v)+" is not a number of coupons", true
			return m, nil
		}
		return m, m.addStock(e.ID, n)
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// View draws the screen and its overlay, cut to the window, with the
// footer on the last line.
func (m *Model) View() string {
	var body, footer string
	switch {
	case m.overlay == overlayHelp:
		body, footer = m.viewHelp(), m.st.Dim.Render("any key: back")
	case m.screen == screenStores:
		body, footer = m.viewStores(), m.footer(m.keys.listHelp())
	default:
		body, footer = m.viewStore(), m.footer(m.keys.storeHelp())
	}
	switch m.overlay {
	case overlayConfirmCancel:
		e, _ := m.store.selected()
		footer = m.st.Warn.Render(fmt.Sprintf("Cancel %q for good? %d issued stay valid. [y/N]", e.EventName, e.Summary.Issued))
	case overlayAddStock, overlayRedeem:
		footer = m.input.View() + m.st.Dim.Render("  enter: ok · esc: close")
	}
	return fit(body, footer, m.width, m.height)
}

// footer is the flash message, if any, else the short help.
func (m *Model) footer(keys []key.Binding) string {
	if m.flash != "" {
		if m.flashErr {
			return m.st.Bad.Render("✕ " + m.flash)
		}
		return m.st.Good.Render("✓ " + m.flash)
	}
	return m.help.ShortHelpView(keys)
}

func (m *Model) viewHelp() string {
	var b strings.Builder
	b.WriteString(m.st.Title.Render("CouponPop dashboard: keys") + "\n\n")
	m.help.ShowAll = true
	b.WriteString(m.help.FullHelpView(m.keys.allHelp()))
	m.help.ShowAll = false
	b.WriteString("\n\n" + m.st.Dim.Render("q quits from any screen; in an input box, esc closes it and ctrl+c quits.") + "\n")
	b.WriteString(m.st.Dim.Render("Counts follow the store's live stream; without one they are polled.") + "\n")
	b.WriteString(m.st.Dim.Render("Any key closes this help.") + "\n")
	return b.String()
}

// fit cuts body to width columns and height-1 lines, pads it so the
// footer sits on the last line, and adds the footer.
func fit(body, footer string, width, height int) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if len(lines) > height-1 {
		lines = lines[:max(height-1, 0)]
	}
	for len(lines) < height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, footer)
	for i, l := range lines {
		if lipgloss.Width(l) > width {
			lines[i] = lipgloss.NewStyle().MaxWidth(width).Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

// errorText is an error in one short line.
func errorText(err error) string {
	if ce, ok := err.(*client.Error); ok {
		return strings.ReplaceAll(ce.Message, "\n", "; ") + " (" + ce.Code + ")"
	}
	return err.Error()
}
