package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every key of the dashboard.
type keyMap struct {
	Up, Down, Open, Back, Refresh   key.Binding
	Pause, AddStock, Cancel, Redeem key.Binding
	Help, Quit, ForceQuit, Yes, No  key.Binding
	Submit, Dismiss                 key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open store")),
		Back:      key.NewBinding(key.WithKeys("esc", "backspace", "left", "h"), key.WithHelp("esc", "back")),
		Refresh:   key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "refresh now")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		AddStock:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add stock")),
		Cancel:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel")),
		Redeem:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "redeem")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		Dismiss:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// listHelp and storeHelp are the footers of the two screens.
func (k keyMap) listHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Refresh, k.Help, k.Quit}
}

func (k keyMap) storeHelp() []key.Binding {
	return []key.Binding{k.Pause, k.AddStock, k.Cancel, k.Redeem, k.Back, k.Help, k.Quit}
}

// allHelp is the ? screen, in columns.
func (k keyMap) allHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Open, k.Back, k.Refresh},
		{k.Pause, k.AddStock, k.Cancel, k.Redeem},
		{k.Help, k.Quit, k.ForceQuit},
	}
}
