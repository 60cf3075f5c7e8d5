package tui

import "github.com/charmbracelet/lipgloss"

// styles of the dashboard. Colour is decoration only: every state also
// has a word or a symbol, so NO_COLOR (which lipgloss honours) loses
// nothing.
type styles struct {
	Title, Dim, Selected, Good, Warn, Bad, Box, Heading lipgloss.Style
}

func newStyles() styles {
	return styles{
		Title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("212")),
		Dim:      lipgloss.NewStyle().Foreground(lipgloss.Color("245")),
		Selected: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("229")),
		Good:     lipgloss.NewStyle().Foreground(lipgloss.Color("42")),
		Warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("214")),
		Bad:      lipgloss.NewStyle().Foreground(lipgloss.Color("196")),
		Heading:  lipgloss.NewStyle().Bold(true),
		Box:      lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1),
	}
}
