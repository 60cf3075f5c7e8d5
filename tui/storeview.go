package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/couponpop/couponpop/client"
	"github.com/mattn/go-runewidth"
)

// visibleEvents is how many campaigns the store screen lists at once.
const visibleEvents = 4

// viewStore is the store screen: claims per minute, campaigns with their
// remaining stock, the heatmap, distance bands, conversion and advice.
func (m *Model) viewStore() string {
	s := &m.store
	now := m.opts.Now()
	var b strings.Builder
	title := fmt.Sprintf("CouponPop · %s (store %d)", s.name, s.id)
	if s.name == "" {
		title = fmt.Sprintf("CouponPop · store %d", s.id)
	}
	b.WriteString(header(m.st.Title.Render(title), m.liveStatus(now), m.width) + "\n")
	if s.err != nil {
		b.WriteString(m.st.Bad.Render("✕ "+errorText(s.err)) + "\n")
	}
	perMin := s.claimsPerMinute(now)
	issued, used := 0, 0
	for _, e := range s.events {
		issued, used = issued+e.Summary.Issued, used+e.Summary.Used
	}
	conv := fmt.Sprintf("conversion %d/%d used (%s)", used, issued, percent(used, issued))
	if s.dash != nil {
		c := s.dash.Conversion
		conv = fmt.Sprintf("conversion 7d %d/%d used (%s)", c.Used, c.Issued, percent(c.Used, c.Issued))
	}
	b.WriteString(fmt.Sprintf("claims/min %s %d now · %s\n\n", sparkline(perMin), perMin[len(perMin)-1], conv))
	b.WriteString(m.st.Heading.Render("CAMPAIGNS") + m.st.Dim.Render("  stock left") + "\n")
	b.WriteString(m.viewEvents())
	b.WriteString("\n")
	b.WriteString(m.viewInsights())
	return b.String()
}

// liveStatus says how fresh the counts are: live, polled, or stale.
func (m *Model) liveStatus(now time.Time) string {
	s := &m.store
	if stale := s.staleFor(now, m.opts.Poll); stale > 0 {
		why := "no answer"
		if s.err != nil {
			why = "server unreachable"
		}
		return m.st.Bad.Render(fmt.Sprintf("✕ STALE %s (%s)", stale.Round(time.Second), why))
	}
	switch s.mode {
	case modeLive:
		return m.st.Good.Render("● live")
	case modeReconnecting:
		return m.st.Warn.Render("◌ reconnecting, polling " + m.opts.Poll.String())
	case modePolling:
		return m.st.Dim.Render("◌ polling " + m.opts.Poll.String() + " (no live stream)")
	}
	return m.st.Dim.Render("◌ connecting")
}

func (m *Model) viewEvents() string {
	s := &m.store
	if len(s.events) == 0 {
		if s.seenSums {
			return "  no campaigns: create one with `couponpop campaign create`\n"
		}
		return "  loading…\n"
	}
	first := min(max(s.cursor-visibleEvents+1, 0), max(len(s.events)-visibleEvents, 0))
	var b strings.Builder
	nameW := max(m.width-62, 8)
	for i := first; i < min(first+visibleEvents, len(s.events)); i++ {
		e := s.events[i]
		name := runewidth.FillRight(runewidth.Truncate(e.EventName, nameW-1, "…"), nameW)
		line := fmt.Sprintf("%s%-9s %s %4d left · issued %d · used %d", name, eventState(e),
			bar(e.Summary.Unclaimed, e.Summary.Total, 16), e.Summary.Unclaimed, e.Summary.Issued, e.Summary.Used)
		if i == s.cursor {
			b.WriteString(m.st.Selected.Render("> "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	if len(s.events) > visibleEvents {
		b.WriteString(m.st.Dim.Render(fmt.Sprintf("  %d of %d campaigns, ↑/↓ to scroll", min(first+visibleEvents, len(s.events)), len(s.events))) + "\n")
	}
	return b.String()
}

// eventState is one word: RUNNING, PAUSED, CANCELED, SCHEDULED, COMPLETED.
func eventState(e client.Event) string {
	switch {
	case e.Status == "PAUSED" || e.Status == "CANCELED":
		return e.Status
	case e.Phase == "IN_PROGRESS":
		return "RUNNING"
	}
	return e.Phase
}

// viewInsights is the heatmap beside the distance bands, then the
// recommendations; or why they are missing.
func (m *Model) viewInsights() string {
	s := &m.store
	switch {
	case s.dashMissing:
		return m.st.Dim.Render("Heatmap, distance bands and advice need the server's dashboard\n(GET …/dashboard answered 404); counts above are live from the campaigns.") + "\n"
	case s.dash == nil && s.dashErr != nil:
		return m.st.Warn.Render("✕ dashboard: "+errorText(s.dashErr)) + "\n"
	case s.dash == nil:
		return m.st.Dim.Render("loading the dashboard…") + "\n"
	}
	d := s.dash
	left := append([]string{m.st.Heading.Render("USES BY HOUR") + m.st.Dim.Render(" Asia/Seoul")}, heatmap(d.Heatmap)...)
	right := []string{m.st.Heading.Render("CLAIM DISTANCE")}
	total := 0
	for _, band := range d.DistanceBands {
		total += band.Issued
	}
	for _, band := range d.DistanceBands {
		right = append(right, fmt.Sprintf("≤%-7s%s %s", meters(band.MaxMeters), bar(band.Issued, total, 12), percent(band.Issued, total)))
	}
	if len(d.DistanceBands) == 0 {
		right = append(right, m.st.Dim.Render("no claims yet"))
	}
	var b strings.Builder
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(34).Render(strings.Join(left, "\n")),
		strings.Join(right, "\n")) + "\n")
	b.WriteString(m.st.Heading.Render("RECOMMENDATIONS") + "\n")
	if len(d.Recommendations) == 0 {
		b.WriteString(m.st.Dim.Render("  none yet: they need a few days of claims") + "\n")
	}
	for i, r := range d.Recommendations {
		if i == 3 {
			break
		}
		line := "• " + r.Message
		if ev := r.EvidenceText(); ev != "" {
			line += m.st.Dim.Render(" (" + ev + ")")
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
