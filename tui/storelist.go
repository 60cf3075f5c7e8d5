package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
)

// viewStores is the store list: each store with its live counts.
func (m *Model) viewStores() string {
	var b strings.Builder
	status := m.st.Dim.Render(fmt.Sprintf("polling every %s", m.opts.Poll))
	if m.storesErr != nil {
		age := "never loaded"
		if !m.storesAt.IsZero() {
			age = "STALE " + m.opts.Now().Sub(m.storesAt).Round(1e9).String()
		}
		status = m.st.Warn.Render("✕ " + age)
	}
	b.WriteString(header(m.st.Title.Render("CouponPop · your stores"), status, m.width) + "\n")
	if m.storesErr != nil {
		b.WriteString(m.st.Bad.Render("✕ "+errorText(m.storesErr)) + "\n")
	}
	if len(m.stores) == 0 {
		if m.storesAt.IsZero() && m.storesErr == nil {
			b.WriteString("\n  loading…\n")
		} else if m.storesErr == nil {
			b.WriteString("\n  no stores yet: create one with `couponpop store create`\n")
		}
		return b.String()
	}
	nameW := max(m.width-2-15-3*9-2, 8)
	b.WriteString(m.st.Heading.Render(fmt.Sprintf("  %-15s%s%9s%9s%9s", "ID", runewidth.FillRight("NAME", nameW), "ISSUED", "USED", "LEFT")) + "\n")
	for i, r := range m.stores {
		name := runewidth.FillRight(runewidth.Truncate(r.Name, nameW-1, "…"), nameW)
		line := fmt.Sprintf("%-15d%s%9d%9d%9d", r.ID, name, r.Issued, r.Used, r.Remaining)
		if i == m.storeCursor {
			b.WriteString(m.st.Selected.Render("> "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}

// header puts left and right on one line of width columns.
func header(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}
